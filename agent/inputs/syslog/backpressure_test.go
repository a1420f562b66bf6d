package syslog

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/inputs"
)

// blockedHost holds every Ingest until release is closed, as a full
// spool does.
type blockedHost struct {
	release chan struct{}
	n       int
}

func (h *blockedHost) Ingest(ctx context.Context, b *inputs.Batch) error {
	select {
	case <-h.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	h.n += len(b.Records)
	return nil
}

// TestUDPOverflowCounted: while ingest waits (a full spool) datagrams
// beyond the receive buffer are dropped by the kernel, and the input
// counts them from SO_RXQ_OVFL once reading resumes.
func TestUDPOverflowCounted(t *testing.T) {
	s := &Settings{Listen: "127.0.0.1:0", Protocol: "udp", ReadBufferBytes: 4096, BatchMessages: 1}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	in, err := New(s, inputs.Env{Name: "udp", Registry: prometheus.NewRegistry(), Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	h := &blockedHost{release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, h) }()
	c, err := net.Dial("udp", in.pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := []byte("<13>Dec  2 01:13:17 web1 app: a message of some length to fill the buffer quickly")
	for range 2000 {
		c.Write(msg)
	}
	time.Sleep(100 * time.Millisecond)
	close(h.release)
	c.Write(msg) // a datagram after the drops carries the count
	deadline := time.Now().Add(5 * time.Second)
	for testutil.ToFloat64(in.m.overflow) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		c.Write(msg)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	dropped := testutil.ToFloat64(in.m.overflow)
	if dropped == 0 {
		t.Fatal("no drops counted")
	}
	t.Logf("%v datagrams dropped by the kernel counted, %d ingested", dropped, h.n)
}

// TestTCPBackpressure: while ingest waits (a full spool) the connection
// is not read, so the sender's writes block once the socket buffers are
// full; after the spool has room again every message arrives, once and
// in order.
func TestTCPBackpressure(t *testing.T) {
	s := &Settings{Listen: "127.0.0.1:0", BatchMessages: 16}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	in, err := New(s, inputs.Env{Name: "tcp", Registry: prometheus.NewRegistry(), Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	h := &orderHost{blockedHost: blockedHost{release: make(chan struct{})}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, h) }()
	c, err := net.Dial("tcp", in.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	const n = 200000
	var stream []byte
	for i := range n {
		stream = fmt.Appendf(stream, "<13>Dec  2 01:13:17 web1 app: message %d\n", i)
	}
	c.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
	k, err := c.Write(stream)
	if err == nil {
		t.Fatalf("all %d bytes written while ingest waited: no backpressure", k)
	}
	close(h.release)
	c.SetWriteDeadline(time.Time{})
	if _, err := c.Write(stream[k:]); err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for h.count() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if h.count() != n || h.bad != 0 {
		t.Fatalf("%d of %d messages, %d out of order", h.count(), n, h.bad)
	}
}

// orderHost checks that message i arrives i-th.
type orderHost struct {
	blockedHost
	mu  sync.Mutex
	bad int
}

func (h *orderHost) Ingest(ctx context.Context, b *inputs.Batch) error {
	select {
	case <-h.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range b.Records {
		if !bytes.HasSuffix(r.Line, fmt.Appendf(nil, " message %d", h.n)) {
			h.bad++
		}
		h.n++
	}
	return nil
}

func (h *orderHost) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}
