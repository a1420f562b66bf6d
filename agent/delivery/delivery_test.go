package delivery

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/sinks"
)

// flaky is a sink that fails its first `fail` sends, rejects permanently
// any batch holding a line with "bad", and records what it accepted.
type flaky struct {
	mu    sync.Mutex
	fail  int
	calls int
	got   []string
}

func (f *flaky) Send(_ context.Context, es []sinks.Entry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.fail {
		return errors.New("503 unavailable")
	}
	for _, e := range es {
		if strings.Contains(string(e.Line), "bad") {
			return sinks.Permanent(errors.New("400 line too long"))
		}
	}
	for _, e := range es {
		f.got = append(f.got, string(e.Line))
	}
	return nil
}

func (f *flaky) Close(context.Context) error { return nil }

func (f *flaky) lines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

var now = time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)

func setup(t *testing.T, lines ...[]sinks.Entry) *spool.Spool {
	t.Helper()
	sp, err := spool.Open(spool.Options{Dir: filepath.Join(t.TempDir(), "spool"), Now: func() time.Time { return now }}, []string{"out"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	for _, b := range lines {
		if err := sp.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	return sp
}

func entries(tag string, n int, at time.Time) []sinks.Entry {
	var out []sinks.Entry
	for i := range n {
		out = append(out, sinks.Entry{Time: at, Line: []byte(tag + strconv.Itoa(i))})
	}
	return out
}

// runUntil runs the loop until cond holds (bounded), then stops it.
func runUntil(t *testing.T, o Options, cond func() bool) *Stats {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st := &Stats{}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o, st) }()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	if !cond() {
		t.Fatal("condition not reached")
	}
	return st
}

func options(sp *spool.Spool, s sinks.Sink, dead string) Options {
	return Options{Name: "out", Spool: sp, Sink: s, BatchEntries: 4, Poll: time.Millisecond,
		MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, DeadLetter: dead, Now: func() time.Time { return now }}
}

func TestRetriesUntilAccepted(t *testing.T) {
	sp := setup(t, entries("a", 10, now))
	s := &flaky{fail: 5}
	st := runUntil(t, options(sp, s, ""), func() bool { return len(s.lines()) == 10 })
	if got := s.lines(); got[0] != "a0" || got[9] != "a9" {
		t.Fatalf("order: %v", got)
	}
	if st.Retries.Load() != 5 || st.Sent.Load() != 10 || st.Batches.Load() != 3 {
		t.Fatalf("stats retries %d sent %d batches %d", st.Retries.Load(), st.Sent.Load(), st.Batches.Load())
	}
	// Everything acknowledged: a new loop finds nothing to send.
	b, err := sp.Read("out", 10, 0)
	if err != nil || len(b.Entries) != 0 {
		t.Fatalf("left in the spool: %d, %v", len(b.Entries), err)
	}
}

func TestPermanentGoesToDeadLetter(t *testing.T) {
	sp := setup(t, entries("ok", 4, now), entries("bad", 4, now), entries("after", 4, now))
	dead := filepath.Join(t.TempDir(), "dead.ndjson")
	s := &flaky{}
	st := runUntil(t, options(sp, s, dead), func() bool { return len(s.lines()) == 8 })
	data, err := os.ReadFile(dead)
	if err != nil || strings.Count(string(data), "\n") != 4 || !strings.Contains(string(data), `"line":"bad3"`) {
		t.Fatalf("dead letter %q, %v", data, err)
	}
	fi, _ := os.Stat(dead)
	if fi.Mode().Perm() != 0o600 || st.DeadLettered.Load() != 4 {
		t.Fatalf("mode %v dead %d", fi.Mode(), st.DeadLettered.Load())
	}
}

func TestTooOldEntriesAreNotSent(t *testing.T) {
	old := now.Add(-8 * 24 * time.Hour)
	mixed := append(entries("old", 2, old), entries("new", 2, now)...)
	sp := setup(t, mixed)
	s := &flaky{}
	st := runUntil(t, options(sp, s, ""), func() bool { return len(s.lines()) == 2 })
	if got := s.lines(); got[0] != "new0" || st.TooOld.Load() != 2 {
		t.Fatalf("sent %v, too old %d", got, st.TooOld.Load())
	}
}

func TestNoDeadLetterFileIsAnError(t *testing.T) {
	sp := setup(t, entries("bad", 1, now))
	err := Run(context.Background(), options(sp, &flaky{}, ""), &Stats{})
	if err == nil || !strings.Contains(err.Error(), "dead-letter") {
		t.Fatalf("got %v", err)
	}
}
