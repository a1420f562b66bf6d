package delivery

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/sinks"
)

// flaky is a sink that fails its first `fail` sends, rejects permanently
// any batch holding a line with "bad", and records what it accepted and
// every batch it was handed.
type flaky struct {
	mu    sync.Mutex
	fail  int
	calls []call
	got   []string
	// answer, if set, decides instead (after the failures).
	answer func(b *sinks.Batch) error
}

// call is what the sink saw of one Send.
type call struct {
	id      string
	attempt int
	lines   []string
	at      time.Time
}

func (f *flaky) Send(_ context.Context, b *sinks.Batch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := call{id: b.ID, attempt: b.Attempt, at: time.Now()}
	for _, e := range b.Entries {
		c.lines = append(c.lines, string(e.Line))
	}
	f.calls = append(f.calls, c)
	if len(f.calls) <= f.fail {
		return errors.New("503 unavailable")
	}
	if f.answer != nil {
		if err := f.answer(b); err != nil {
			return err
		}
	} else if slices.ContainsFunc(c.lines, func(l string) bool { return strings.Contains(l, "bad") }) {
		return sinks.Permanent(errors.New("400 line too long"))
	}
	f.got = append(f.got, c.lines...)
	return nil
}

func (f *flaky) Close(context.Context) error { return nil }

func (f *flaky) lines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

func (f *flaky) sends() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

var now = time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)

const week = 168 * time.Hour

func setup(t *testing.T, lines ...[]sinks.Entry) *spool.Spool {
	t.Helper()
	sp, err := spool.Open(spool.Options{Dir: filepath.Join(t.TempDir(), "spool"), Now: func() time.Time { return now }, MaxAge: week},
		[]string{"out"})
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

func options(sp *spool.Spool, s sinks.Sink, deadDir string) Options {
	return Options{Name: "out", Queue: sp, Sink: s, BatchEntries: 4, Poll: time.Millisecond, MaxAge: week,
		MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, DeadLetterDir: deadDir, Now: func() time.Time { return now }}
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
	deadDir := t.TempDir()
	dead := filepath.Join(deadDir, "deadletter-out-2026-11-20.ndjson") // the day of now
	s := &flaky{}
	st := runUntil(t, options(sp, s, deadDir), func() bool { return len(s.lines()) == 8 })
	data, err := os.ReadFile(dead)
	if err != nil || strings.Count(string(data), "\n") != 4 || !strings.Contains(string(data), `"line":"bad3"`) ||
		strings.Count(string(data), `{"reason":"rejected",`) != 4 {
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

// steppingClock advances by step on every reading.
type steppingClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *steppingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// TestBatchWaitUsesInjectedClock: a batch that is not full waits
// BatchWait on the injected clock, not on the wall clock (an hour here).
func TestBatchWaitUsesInjectedClock(t *testing.T) {
	sp := setup(t, entries("a", 2, now))
	s := &flaky{}
	c := &steppingClock{t: now, step: time.Minute}
	o := options(sp, s, "")
	o.BatchWait, o.Now = time.Hour, c.now
	runUntil(t, o, func() bool { return len(s.lines()) == 2 })
}

// TestBatchWaitFrozenClock: a clock that stands still does not hold a
// batch longer than BatchWait of polling.
func TestBatchWaitFrozenClock(t *testing.T) {
	sp := setup(t, entries("a", 2, now))
	s := &flaky{}
	o := options(sp, s, "")
	o.BatchWait = 20 * time.Millisecond
	runUntil(t, o, func() bool { return len(s.lines()) == 2 })
}

// TestDeadLetterFilePerDay: rejected batches go to the file of the UTC
// day of the injected clock.
func TestDeadLetterFilePerDay(t *testing.T) {
	sp := setup(t, entries("bad", 4, now), entries("ok", 4, now))
	dir := t.TempDir()
	s := &flaky{}
	var mu sync.Mutex
	clock := now.Add(9*time.Hour + 30*time.Minute) // 23:30 UTC
	o := options(sp, s, dir)
	o.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}
	runUntil(t, o, func() bool { return len(s.lines()) == 4 })
	mu.Lock()
	clock = clock.Add(time.Hour) // 00:30 the next day
	mu.Unlock()
	for _, b := range [][]sinks.Entry{entries("bad", 4, now.Add(time.Hour)), entries("end", 4, now)} {
		if err := sp.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	runUntil(t, o, func() bool { return len(s.lines()) == 8 })
	for _, tc := range []struct {
		day  string
		at   time.Time
		line string
	}{{"2026-11-20", now, "bad0"}, {"2026-11-21", now.Add(10 * time.Hour), "bad3"}} {
		p := filepath.Join(dir, "deadletter-out-"+tc.day+".ndjson")
		if got := DeadLetterPath(dir, "out", tc.at); got != p {
			t.Fatalf("DeadLetterPath = %s, want %s", got, p)
		}
		data, err := os.ReadFile(p)
		if err != nil || strings.Count(string(data), "\n") != 4 || !strings.Contains(string(data), `"line":"`+tc.line+`"`) {
			t.Fatalf("%s: %q, %v", tc.day, data, err)
		}
	}
}

func TestDeadLetterPathIsUTC(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	at := time.Date(2026, 11, 21, 0, 30, 0, 0, berlin) // 2026-11-20 23:30 UTC
	if got, want := DeadLetterPath("d", "loki", at), filepath.Join("d", "deadletter-loki-2026-11-20.ndjson"); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestPurgeDeadLetters(t *testing.T) {
	dir := t.TempDir()
	day := 24 * time.Hour
	at := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) // 7 days after 2026-11-20 ended
	for _, name := range []string{
		"deadletter-loki-2026-11-19.ndjson",            // ended 8 days ago: deleted
		"deadletter-loki-2026-11-20.ndjson",            // ended exactly 7 days ago: deleted
		"deadletter-a-b-2026-11-20.ndjson",             // sink "a-b": deleted
		"deadletter-loki-2026-11-21.ndjson",            // ended 6 days ago: kept
		"deadletter-loki-2026-11-27.ndjson",            // yesterday: kept
		"deadletter-old.ndjson",                        // no day, modified 8 days ago: deleted
		"deadletter-recent.ndjson",                     // no day, modified 1 day ago: kept
		"deadletter-loki-2026-13-01.ndjson",            // no valid day, modified recently: kept
		"positions.json", "key", "x-2020-01-01.ndjson", // not dead letters
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "deadletter-dir-2020-01-01.ndjson"), 0o700) // not a regular file
	for name, age := range map[string]time.Duration{"deadletter-old.ndjson": 8 * day, "deadletter-recent.ndjson": day, "deadletter-loki-2026-13-01.ndjson": 0} {
		mt := at.Add(-age)
		if err := os.Chtimes(filepath.Join(dir, name), mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	n, err := PurgeDeadLetters(dir, at, 7*day)
	if err != nil || n != 4 {
		t.Fatalf("deleted %d, %v; want 4", n, err)
	}
	des, _ := os.ReadDir(dir)
	var left []string
	for _, de := range des {
		left = append(left, de.Name())
	}
	want := []string{"deadletter-dir-2020-01-01.ndjson", "deadletter-loki-2026-11-21.ndjson", "deadletter-loki-2026-11-27.ndjson",
		"deadletter-loki-2026-13-01.ndjson", "deadletter-recent.ndjson", "key", "positions.json", "x-2020-01-01.ndjson"}
	if strings.Join(left, " ") != strings.Join(want, " ") {
		t.Fatalf("left %v\nwant %v", left, want)
	}
	// A second purge finds nothing; a missing directory is no error.
	if n, err := PurgeDeadLetters(dir, at, 7*day); n != 0 || err != nil {
		t.Fatalf("again: %d, %v", n, err)
	}
	if n, err := PurgeDeadLetters(filepath.Join(dir, "nope"), at, 7*day); n != 0 || err != nil {
		t.Fatalf("missing dir: %d, %v", n, err)
	}
}
