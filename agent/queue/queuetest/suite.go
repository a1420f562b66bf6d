// Package queuetest is the behaviour suite that every implementation of
// queue.Queue passes (DESIGN.md, convention 7), and the helpers its tests
// share. An implementation's test calls Run with a function that opens it;
// what only one implementation has (files, damage, size bounds) is tested
// beside it.
package queuetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/queue"
	"github.com/tarn-project/tarn/sinks"
)

// Queue is what the suite drives: the delivery side (queue.Queue) and the
// ingest, retention and lifecycle side every implementation has besides.
type Queue interface {
	queue.Queue
	// Append stores entries durably and returns once they are.
	Append(entries []sinks.Entry) error
	// Purge drops the entries older than the retention period, delivered
	// or not, and returns how many it dropped. An implementation may keep
	// an old entry while it shares storage with entries appended less
	// than MaxAge/8 after it (spool: a segment); the suite appends
	// entries of different ages at least that far apart.
	Purge() (int, error)
	// Close releases the queue; a second Close returns nil, every other
	// method then fails.
	Close() error
}

// Options are what the suite asks of a queue it opens.
type Options struct {
	// Dir is where the queue keeps its state; reopening the same Dir
	// finds what was appended and acknowledged before.
	Dir string
	// Sinks are the sinks (cursors) the queue is opened for.
	Sinks []string
	// Now is the clock of ages.
	Now func() time.Time
	// MaxAge is the retention period; Run sets it to 168h except where it
	// tests that a missing one is refused.
	MaxAge time.Duration
}

// Opener opens the queue described by o, or reopens it (same Dir).
type Opener func(t *testing.T, o Options) (Queue, error)

const week = 168 * time.Hour

// suite carries the opener through the tests.
type suite struct{ open Opener }

// Run runs the behaviour suite against the queue open opens.
func Run(t *testing.T, open Opener) {
	s := suite{open}
	t.Run("OrderReadAck", s.orderReadAck)
	t.Run("Limits", s.limits)
	t.Run("TwoSinksIndependent", s.twoSinks)
	t.Run("ReopenKeepsCursors", s.reopenKeepsCursors)
	t.Run("BatchID", s.batchID)
	t.Run("BatchIDAfterCrash", s.batchIDAfterCrash)
	t.Run("PurgeOld", s.purgeOld)
	t.Run("RoundTripExact", s.roundTripExact)
	t.Run("RepeatedLabels", s.repeatedLabels)
	t.Run("CloseTwice", s.closeTwice)
	t.Run("Concurrent", s.concurrent)
	t.Run("BadOptions", s.badOptions)
}

// mustOpen opens a queue for names in dir with a week's retention and the
// clock now (nil: time.Now); it is closed when the test ends.
func (s suite) mustOpen(t *testing.T, dir string, now func() time.Time, names ...string) Queue {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	q, err := s.open(t, Options{Dir: dir, Sinks: names, Now: now, MaxAge: week})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// reopen closes q and opens its directory again, as a restart does.
func (s suite) reopen(t *testing.T, q Queue, dir string, now func() time.Time, names ...string) Queue {
	t.Helper()
	if err := q.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return s.mustOpen(t, dir, now, names...)
}

func mustAppend(t *testing.T, q Queue, es []sinks.Entry) {
	t.Helper()
	if err := q.Append(es); err != nil {
		t.Fatalf("append: %v", err)
	}
}

func mustAck(t *testing.T, q Queue, b *queue.Batch) {
	t.Helper()
	if err := q.Ack(b); err != nil {
		t.Fatalf("ack: %v", err)
	}
}

// sameEntries fails unless got are want, entry by entry.
func sameEntries(t *testing.T, got, want []sinks.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if !SameEntry(got[i], want[i]) {
			t.Fatalf("entry %d: got %+v want %+v", i, got[i], want[i])
		}
	}
}

func (s suite) orderReadAck(t *testing.T) {
	q := s.mustOpen(t, t.TempDir(), nil, "a")
	want := Entries(0, 30, Base)
	for i := range 3 {
		mustAppend(t, q, want[i*10:i*10+10])
	}
	b := MustRead(t, q, "a", 15)
	sameEntries(t, b.Entries, want[:15])
	if b.Sink != "a" || b.ID == "" {
		t.Fatalf("batch of sink %q, ID %q", b.Sink, b.ID)
	}
	again := MustRead(t, q, "a", 15)
	if again.ID != b.ID || !slices.Equal(Numbers(t, again.Entries), Seq(0, 15)) {
		t.Fatalf("read before ack must repeat the batch: ID %q then %q", b.ID, again.ID)
	}
	mustAck(t, q, b)
	mustAck(t, q, b) // a second ack is a no-op
	if got := Drain(t, q, "a", 7); !slices.Equal(got, Seq(15, 15)) {
		t.Fatalf("after ack got %v", got)
	}
	if b := MustRead(t, q, "a", 10); len(b.Entries) != 0 || b.ID != "" {
		t.Fatalf("want an empty batch without ID, got %d entries, ID %q", len(b.Entries), b.ID)
	}
	if _, err := q.Read("nope", 1, 0); err == nil {
		t.Fatal("read of an unknown sink succeeded")
	}
	if _, err := q.Read("a", 0, 0); err == nil {
		t.Fatal("read of 0 entries succeeded")
	}
}

func (s suite) limits(t *testing.T) {
	q := s.mustOpen(t, t.TempDir(), nil, "a")
	mustAppend(t, q, Entries(0, 20, Base))
	b, err := q.Read("a", 100, 1)
	if err != nil || len(b.Entries) != 1 || !b.Full {
		t.Fatalf("a tiny maxBytes must return one entry, full: %d entries, full %v, %v", len(b.Entries), b.Full, err)
	}
	if b := MustRead(t, q, "a", 5); len(b.Entries) != 5 || !b.Full {
		t.Fatalf("max 5: %d entries, full %v", len(b.Entries), b.Full)
	}
	if b := MustRead(t, q, "a", 100); len(b.Entries) != 20 || b.Full {
		t.Fatalf("max 100 of 20: %d entries, full %v", len(b.Entries), b.Full)
	}
}

func (s suite) twoSinks(t *testing.T) {
	q := s.mustOpen(t, t.TempDir(), nil, "a", "b")
	mustAppend(t, q, Entries(0, 10, Base))
	if got := Drain(t, q, "a", 4); !slices.Equal(got, Seq(0, 10)) {
		t.Fatalf("a got %v", got)
	}
	mustAppend(t, q, Entries(10, 5, Base))
	if got := Drain(t, q, "b", 100); !slices.Equal(got, Seq(0, 15)) {
		t.Fatalf("b got %v", got)
	}
	if got := Drain(t, q, "a", 100); !slices.Equal(got, Seq(10, 5)) {
		t.Fatalf("a got %v", got)
	}
}

func (s suite) reopenKeepsCursors(t *testing.T) {
	dir := t.TempDir()
	q := s.mustOpen(t, dir, nil, "a", "b")
	want := Entries(0, 20, Base)
	mustAppend(t, q, want[:10])
	mustAppend(t, q, want[10:])
	mustAck(t, q, MustRead(t, q, "a", 5))
	if b := MustRead(t, q, "a", 5); len(b.Entries) != 5 { // read, never acknowledged
		t.Fatal("short read")
	}
	q = s.reopen(t, q, dir, nil, "a", "b")
	b := MustRead(t, q, "a", 100)
	sameEntries(t, b.Entries, want[5:]) // byte-identical re-send
	if got := Drain(t, q, "b", 100); !slices.Equal(got, Seq(0, 20)) {
		t.Fatalf("b after reopen got %v", got)
	}
	mustAppend(t, q, Entries(20, 3, Base))
	mustAck(t, q, b)
	if got := Drain(t, q, "a", 100); !slices.Equal(got, Seq(20, 3)) {
		t.Fatalf("a after ack got %v", got)
	}
}

// batchID: a batch's ID is the position of its first entry: the same for
// every read starting there (whatever the limits, whatever was appended
// since, after a restart), different for every other start.
func (s suite) batchID(t *testing.T) {
	dir := t.TempDir()
	q := s.mustOpen(t, dir, nil, "a", "b")
	mustAppend(t, q, Entries(0, 10, Base))
	first := MustRead(t, q, "a", 4)
	if b := MustRead(t, q, "a", 1); b.ID != first.ID {
		t.Fatalf("ID %q with max 1, %q with max 4", b.ID, first.ID)
	}
	if b := MustRead(t, q, "b", 4); b.ID != first.ID {
		t.Fatalf("ID %q for sink b, %q for sink a at the same entry", b.ID, first.ID)
	}
	seen := map[string]int{first.ID: 0}
	mustAck(t, q, first)
	mustAppend(t, q, Entries(10, 10, Base))
	for {
		b := MustRead(t, q, "a", 3)
		if len(b.Entries) == 0 {
			break
		}
		n := Number(t, b.Entries[0])
		if prev, dup := seen[b.ID]; dup {
			t.Fatalf("batches starting at %d and %d share ID %q", prev, n, b.ID)
		}
		seen[b.ID] = n
		mustAck(t, q, b)
	}
	byNumber := map[int]string{}
	for id, n := range seen {
		byNumber[n] = id
	}
	// After a restart sink b reads from entry 0 again, and sink a's IDs
	// name the same entries as before.
	mustAppend(t, q, Entries(20, 5, Base))
	pending := MustRead(t, q, "a", 2)
	q = s.reopen(t, q, dir, nil, "a", "b")
	if b := MustRead(t, q, "b", 7); b.ID != first.ID {
		t.Fatalf("after reopen sink b's batch has ID %q, before %q", b.ID, first.ID)
	}
	mustAppend(t, q, Entries(25, 5, Base))
	if b := MustRead(t, q, "a", 100); b.ID != pending.ID || Number(t, b.Entries[0]) != 20 || len(b.Entries) != 10 {
		t.Fatalf("after reopen: ID %q (before %q), %d entries", b.ID, pending.ID, len(b.Entries))
	}
	for _, n := range []int{4, 7, 10, 13} {
		if byNumber[n] == "" {
			t.Fatalf("no batch started at %d: %v", n, byNumber)
		}
	}
}

// batchIDAfterCrash: a queue abandoned without Close (as a killed process
// leaves it) and opened again gives the unacknowledged batch its ID.
func (s suite) batchIDAfterCrash(t *testing.T) {
	dir := t.TempDir()
	q, err := s.open(t, Options{Dir: dir, Sinks: []string{"a"}, Now: time.Now, MaxAge: week})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() }) // its files are released at the end, as a dead process's are
	mustAppend(t, q, Entries(0, 6, Base))
	mustAck(t, q, MustRead(t, q, "a", 2))
	mustAppend(t, q, Entries(6, 6, Base))
	lost := MustRead(t, q, "a", 7)
	after := s.mustOpen(t, dir, nil, "a")
	b := MustRead(t, after, "a", 7)
	if b.ID != lost.ID {
		t.Fatalf("ID %q after the crash, %q before", b.ID, lost.ID)
	}
	sameEntries(t, b.Entries, lost.Entries)
}

func (s suite) purgeOld(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	now := Base.Add(30 * 24 * time.Hour)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		now = now.Add(d)
		mu.Unlock()
	}
	q := s.mustOpen(t, dir, clock, "a", "b")
	mustAppend(t, q, Entries(0, 10, clock().Add(-8*24*time.Hour)))
	advance(week / 8)
	mustAppend(t, q, Entries(10, 10, clock().Add(-time.Hour)))
	mustAck(t, q, MustRead(t, q, "a", 5))
	pending := MustRead(t, q, "b", 3) // in flight while purging
	if n, err := q.Purge(); err != nil || n != 10 {
		t.Fatalf("purged %d, %v; want 10", n, err)
	}
	mustAck(t, q, pending) // a stale ack must not move the cursor back
	if got := Drain(t, q, "b", 100); !slices.Equal(got, Seq(10, 10)) {
		t.Fatalf("b got %v", got)
	}
	q = s.reopen(t, q, dir, clock, "a", "b")
	if got := Drain(t, q, "a", 100); !slices.Equal(got, Seq(10, 10)) {
		t.Fatalf("a after reopen got %v", got)
	}
	// Old entries are purged while they are the newest held; fresh ones stay.
	mustAppend(t, q, Entries(20, 4, clock().Add(-9*24*time.Hour)))
	advance(time.Hour)
	if n, err := q.Purge(); err != nil || n != 4 {
		t.Fatalf("purged %d, %v; want 4", n, err)
	}
	if got := Drain(t, q, "a", 100); len(got) != 0 {
		t.Fatalf("purged entries delivered: %v", got)
	}
	mustAppend(t, q, Entries(30, 2, clock()))
	if n, err := q.Purge(); err != nil || n != 0 {
		t.Fatalf("purged %d fresh entries, %v", n, err)
	}
	if got := Drain(t, q, "b", 100); !slices.Equal(got, Seq(30, 2)) {
		t.Fatalf("b got %v", got)
	}
}

func (s suite) roundTripExact(t *testing.T) {
	dir := t.TempDir()
	q := s.mustOpen(t, dir, nil, "a")
	want := []sinks.Entry{
		{Time: time.Unix(0, 1772366400987654321), Line: []byte{0, 0xff, '\n', 'x'}},
		{Time: time.Unix(1, 1).In(time.FixedZone("x", 3600)), Labels: []sinks.Label{{Name: "", Value: ""}},
			Line: []byte(strings.Repeat("ü", 3000)), Metadata: []sinks.Label{{Name: "k", Value: "v"}}},
		{Time: time.Unix(-5, 0), Line: []byte(strings.Repeat("a", 4<<20))}, // maximal compression ratio
	}
	mustAppend(t, q, want)
	q = s.reopen(t, q, dir, nil, "a")
	sameEntries(t, MustRead(t, q, "a", 10).Entries, want)
}

// repeatedLabels: entries share, repeat and alternate labels and metadata
// (an implementation may reuse repeated encodings); every entry must come
// back with its own, across two appends.
func (s suite) repeatedLabels(t *testing.T) {
	q := s.mustOpen(t, t.TempDir(), nil, "a")
	a := []sinks.Label{{Name: "job", Value: "web"}, {Name: "stream", Value: "stdout"}}
	b := []sinks.Label{{Name: "job", Value: "web"}, {Name: "stream", Value: "stderr"}}
	prefix := []sinks.Label{{Name: "job", Value: "web"}}
	sets := [][]sinks.Label{a, a, b, slices.Clone(a), nil, a, prefix, a, b, b}
	var want []sinks.Entry
	for i, ls := range sets {
		want = append(want, sinks.Entry{Time: Base, Labels: ls, Line: fmt.Appendf(nil, "n=%d", i), Metadata: sets[(i+3)%len(sets)]})
	}
	mustAppend(t, q, want[:6])
	mustAppend(t, q, want[6:])
	sameEntries(t, MustRead(t, q, "a", 100).Entries, want)
}

func (s suite) closeTwice(t *testing.T) {
	q := s.mustOpen(t, t.TempDir(), nil, "a")
	mustAppend(t, q, Entries(0, 2, Base))
	b := MustRead(t, q, "a", 1)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := q.Append(Entries(0, 1, Base)); err == nil {
		t.Fatal("append after close succeeded")
	}
	if _, err := q.Read("a", 1, 0); err == nil {
		t.Fatal("read after close succeeded")
	}
	if err := q.Ack(b); err == nil {
		t.Fatal("ack after close succeeded")
	}
}

func (s suite) concurrent(t *testing.T) {
	q := s.mustOpen(t, t.TempDir(), nil, "a", "b")
	const total = 1000
	errs := make(chan error, 3)
	go func() {
		for n := 0; n < total; n += 5 {
			if err := q.Append(Entries(n, 5, Base)); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	for _, sink := range []string{"a", "b"} {
		go func() { errs <- readInOrder(t, q, sink, total) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// readInOrder reads and acknowledges entries 0 to total-1 of sink, which
// another goroutine appends, and reports the first one out of order.
func readInOrder(t *testing.T, q Queue, sink string, total int) error {
	for next := 0; next < total; {
		b, err := q.Read(sink, 7, 0)
		if err != nil {
			return err
		}
		for _, e := range b.Entries {
			if n := Number(t, e); n != next {
				return fmt.Errorf("sink %s: got %d want %d", sink, n, next)
			}
			next++
		}
		if err := q.Ack(b); err != nil {
			return err
		}
	}
	return nil
}

func (s suite) badOptions(t *testing.T) {
	for _, names := range [][]string{nil, {""}, {"../x"}, {"a", "a"}, {".hidden"}} {
		if q, err := s.open(t, Options{Dir: t.TempDir(), Sinks: names, Now: time.Now, MaxAge: week}); err == nil {
			q.Close()
			t.Errorf("sink names %q accepted", names)
		}
	}
	for _, maxAge := range []time.Duration{0, -time.Hour} {
		q, err := s.open(t, Options{Dir: t.TempDir(), Sinks: []string{"a"}, Now: time.Now, MaxAge: maxAge})
		if err == nil {
			q.Close()
			t.Errorf("max age %s accepted", maxAge)
		} else if !strings.Contains(err.Error(), "max age") {
			t.Errorf("max age %s: error %q does not name the max age", maxAge, err)
		}
	}
	if _, err := s.open(t, Options{Sinks: []string{"a"}, Now: time.Now, MaxAge: week}); err == nil {
		t.Error("no directory accepted")
	}
}
