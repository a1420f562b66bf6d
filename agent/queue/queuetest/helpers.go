package queuetest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/queue"
	"github.com/tarn-project/tarn/sinks"
)

// Base is the time around which the suite's entries are made.
var Base = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// Entries returns n numbered entries, numbers first to first+n-1, at t
// plus their number in nanoseconds; every third has a tenant. Number
// reads the number back.
func Entries(first, n int, t time.Time) []sinks.Entry {
	out := make([]sinks.Entry, n)
	for i := range out {
		k := first + i
		out[i] = sinks.Entry{
			Time:     t.Add(time.Duration(k) * time.Nanosecond),
			Labels:   []sinks.Label{{Name: "job", Value: "nginx"}, {Name: "host", Value: "web-1"}},
			Line:     fmt.Appendf(nil, "n=%d 192.0.2.0 - - \"GET /index.html HTTP/1.1\" 200 %d", k, k*7),
			Metadata: []sinks.Label{{Name: "client", Value: fmt.Sprintf("p%08x", k)}},
		}
		if k%3 == 0 {
			out[i].Tenant = fmt.Sprintf("customer-%d", k%2)
		}
	}
	return out
}

// Number returns the number of an entry made by Entries.
func Number(t testing.TB, e sinks.Entry) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(string(e.Line), "n=%d ", &n); err != nil {
		t.Fatalf("entry without number: %v", err)
	}
	return n
}

// Numbers returns the numbers of entries made by Entries.
func Numbers(t testing.TB, es []sinks.Entry) []int {
	t.Helper()
	out := make([]int, len(es))
	for i, e := range es {
		out[i] = Number(t, e)
	}
	return out
}

// SameEntry reports whether a and b are equal in every field a queue
// stores (the time as an instant).
func SameEntry(a, b sinks.Entry) bool {
	return a.Time.UnixNano() == b.Time.UnixNano() && bytes.Equal(a.Line, b.Line) &&
		slices.Equal(a.Labels, b.Labels) && slices.Equal(a.Metadata, b.Metadata) && a.Tenant == b.Tenant
}

// Seq returns first, first+1, ..., first+n-1.
func Seq(first, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = first + i
	}
	return out
}

// Drain reads and acknowledges everything pending for sink in batches of
// max and returns the numbers read.
func Drain(t testing.TB, q queue.Queue, sink string, max int) []int {
	t.Helper()
	var got []int
	for {
		b := MustRead(t, q, sink, max)
		if len(b.Entries) == 0 {
			return got
		}
		got = append(got, Numbers(t, b.Entries)...)
		if err := q.Ack(b); err != nil {
			t.Fatalf("ack %s: %v", sink, err)
		}
	}
}

// MustRead reads a batch of up to max entries without a byte limit and
// fails the test on an error.
func MustRead(t testing.TB, q queue.Queue, sink string, max int) *queue.Batch {
	t.Helper()
	b, err := q.Read(sink, max, 0)
	if err != nil {
		t.Fatalf("read %s: %v", sink, err)
	}
	return b
}
