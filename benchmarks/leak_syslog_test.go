package benchmarks

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent"
	"github.com/tarn-project/tarn/benchmarks/leakcorpus"
)

// TestLeakCorpusSyslog sends the corpus's syslog kinds (auth-syslog:
// sshd, sudo, PAM; mail-syslog: postfix, dovecot) to a syslog input over
// TCP, as rsyslog forwards them (a <PRI> before each line, octet
// counting), delivered to the file sink: no planted value may arrive.
func TestLeakCorpusSyslog(t *testing.T) {
	c, dir, key := leakSetup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := writeLeakConfig(t, dir, key, `  - {name: syslog, type: syslog, listen: "`+addr+`", format: syslog, batch_wait: 10ms}`+"\n")
	now := leakDay.Add(time.Hour)
	a := agent.New(agent.Options{ConfigPath: cfg, Now: func() time.Time { return now }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}
	defer stop()
	var conn net.Conn
	for i := 0; ; i++ {
		if conn, err = net.Dial("tcp", addr); err == nil {
			break
		}
		if i > 500 {
			t.Fatal("the syslog input does not listen")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var records []leakcorpus.Record
	var b strings.Builder
	lines := 0
	for _, k := range []string{"auth-syslog", "mail-syslog"} {
		records = append(records, c.Of(k)...)
		for _, l := range strings.Split(strings.TrimSuffix(c.Text(k), "\n"), "\n") {
			m := "<38>" + l // auth.info, as rsyslog's traditional forward format sends it
			fmt.Fprintf(&b, "%d %s", len(m), m)
			lines++
		}
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	out := filepath.Join(dir, "out")
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(readSinkDir(t, out), "\n") < lines && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	got := readSinkDir(t, out)
	if n := strings.Count(got, "\n"); n != lines {
		t.Errorf("%d lines delivered, %d sent", n, lines)
	}
	judge(t, "syslog", records, got)
}
