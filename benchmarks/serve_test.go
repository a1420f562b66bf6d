package benchmarks

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent"
)

// serveAgent runs an agent on cfg (its clock now, when not nil) in the
// background until the returned stop is called, which waits for it and
// reports Run's error; stop may be called more than once and is also
// called when the test ends. listen, when not empty, is an address the
// agent's input listens on: serveAgent returns once it accepts
// connections.
func serveAgent(t testing.TB, cfg string, now func() time.Time, listen string) (stop func()) {
	t.Helper()
	a := agent.New(agent.Options{ConfigPath: cfg, Now: now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(stop)
	if listen != "" {
		waitAddr(t, listen)
	}
	return stop
}

// freeAddr returns a free loopback address.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitAddr waits until addr accepts connections.
func waitAddr(t testing.TB, addr string) {
	t.Helper()
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		if i > 500 {
			t.Fatalf("nothing listens on %s", addr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
