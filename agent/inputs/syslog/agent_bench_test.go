package syslog_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sinkLines counts the lines in the file sink's directory.
func (r *running) sinkLines() int {
	files, _ := filepath.Glob(filepath.Join(r.dir, "out", "*.log"))
	n := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		n += bytes.Count(b, []byte{'\n'})
	}
	return n
}

// BenchmarkAgentTCPToFile measures the whole path on one core (run with
// -cpu 1): octet-counted RFC 5424/3164 sshd and postfix messages over
// one TCP connection, the default rules, the spool, the file sink
// (NDJSON, with the labels). ns/op and allocs/op are per message.
func BenchmarkAgentTCPToFile(b *testing.B) {
	r := startAgent(b, "tcp", os.Getenv("SYSLOG_BENCH_EXTRA"))
	const chunk = 5000
	var msgs []byte
	now := time.Now().UTC() // within the retention
	iso, bsd := now.Format("2006-01-02T15:04:05.000Z"), now.Format(time.Stamp)
	for i := range chunk {
		var m string
		if i%2 == 0 {
			m = fmt.Sprintf("<38>1 %s web%d sshd %d - - Failed password for invalid user bob%d from 203.0.113.%d port %d ssh2", iso, i%4, 4000+i%8, i, i%250, 50000+i)
		} else {
			m = fmt.Sprintf("<22>%s mx%d postfix/smtpd[812]: 3F2A1: client=mail.example.net[198.51.100.7], sasl_method=LOGIN, sasl_username=carol%d@example.org", bsd, i%4, i)
		}
		msgs = fmt.Appendf(msgs, "%d %s", len(m), m)
	}
	c, err := net.Dial("tcp", r.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; sent += chunk {
		if _, err := c.Write(msgs); err != nil {
			b.Fatal(err)
		}
	}
	want := (b.N + chunk - 1) / chunk * chunk
	deadline := time.Now().Add(time.Minute)
	for r.sinkLines() < want {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d lines arrived", r.sinkLines(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "records/s")
}
