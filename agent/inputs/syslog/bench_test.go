package syslog

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/inputs"
)

// countingHost counts the records it is handed and drops them.
type countingHost struct{ n atomic.Int64 }

func (h *countingHost) Ingest(_ context.Context, b *inputs.Batch) error {
	h.n.Add(int64(len(b.Records)))
	return nil
}

// benchMessages returns n octet-counted RFC 5424 and RFC 3164 messages
// of eight programs on four hosts.
func benchMessages(n int) []byte {
	var out []byte
	for i := range n {
		var m string
		if i%2 == 0 {
			m = fmt.Sprintf("<38>1 2026-11-20T13:00:00.000Z web%d sshd %d - - Failed password for invalid user bob%d from 203.0.113.%d port %d ssh2", i%4, 4000+i%8, i, i%250, 50000+i%10000)
		} else {
			m = fmt.Sprintf("<22>Nov 20 13:00:02 mx%d postfix/smtpd[812]: 3F2A1: client=mail.example.net[198.51.100.7], sasl_method=LOGIN, sasl_username=carol%d", i%4, i)
		}
		out = fmt.Appendf(out, "%d %s", len(m), m)
	}
	return out
}

// BenchmarkInputTCP measures the input alone (framing, header, labels,
// batching over a real TCP connection) into a host that drops the
// records: the input's own cost per message and its allocations.
func BenchmarkInputTCP(b *testing.B) {
	s := &Settings{Listen: "127.0.0.1:0"}
	if err := s.Validate(); err != nil {
		b.Fatal(err)
	}
	in, err := New(s, inputs.Env{Name: "bench", Registry: prometheus.NewRegistry(), Logger: zap.NewNop()})
	if err != nil {
		b.Fatal(err)
	}
	h := &countingHost{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, h) }()
	defer func() { cancel(); <-done }()
	const chunk = 10000
	msgs := benchMessages(chunk)
	c, err := net.Dial("tcp", in.ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.SetBytes(int64(len(msgs) / chunk))
	b.ReportAllocs()
	b.ResetTimer()
	sent := 0
	for sent < b.N {
		k := min(chunk, b.N-sent)
		if k == chunk {
			c.Write(msgs)
		} else {
			c.Write(benchMessagesPrefix(msgs, k))
		}
		sent += k
	}
	for h.n.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// benchMessagesPrefix returns the first k octet-counted messages of msgs.
func benchMessagesPrefix(msgs []byte, k int) []byte {
	f := Framer{Mode: OctetCounting, Max: 1 << 20}
	off := 0
	for range k {
		n, _, _ := f.Split(msgs[off:], true)
		off += n
	}
	return msgs[:off]
}

// BenchmarkAddMessage is the per-message work of a connection after the
// read: framing, escaping into the arena, header, labels.
func BenchmarkAddMessage(b *testing.B) {
	s := &Settings{Listen: "127.0.0.1:0"}
	s.Validate()
	in := &Input{s: s}
	bt := in.newBatcher()
	msgs := benchMessages(1000)
	f := Framer{Mode: Auto, Max: int(s.MaxMessageBytes)}
	b.ReportAllocs()
	b.ResetTimer()
	off := 0
	for range b.N {
		if off == len(msgs) {
			off = 0
		}
		n, m, ev := f.Split(msgs[off:], true)
		off += n
		bt.add(m, ev == Truncated)
		if bt.full() {
			bt.req.recs, bt.arena = bt.req.recs[:0], bt.arena[:0]
		}
	}
}
