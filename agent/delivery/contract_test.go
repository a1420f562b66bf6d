package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/queue"
	"github.com/tarn-project/tarn/sinks"
)

// These tests cover what the sink contract tells the loop: batch
// identity, partial acceptance, throttling.

// deadLetters reads the dead-letter file of now's day in dir as
// reason → lines.
func deadLetters(t *testing.T, dir string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(DeadLetterPath(dir, "out", now))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for l := range strings.Lines(string(data)) {
		var v struct{ Reason, Line, Time string }
		if err := json.Unmarshal([]byte(l), &v); err != nil || v.Time == "" {
			t.Fatalf("dead-letter line %q: %v", l, err)
		}
		out[v.Reason] = append(out[v.Reason], v.Line)
	}
	return out
}

// pending is how many entries the queue holds for sink "out".
func pending(q queue.Queue) int {
	b, err := q.Read("out", 1000, 0)
	if err != nil {
		return -1
	}
	return len(b.Entries)
}

// TestBatchIdentity: every attempt at a batch carries the queue's ID of it
// and counts its retries; the next batch has another ID and starts at 0.
func TestBatchIdentity(t *testing.T) {
	sp := setup(t, entries("a", 6, now))
	first, err := sp.Read("out", 4, 0)
	if err != nil || first.ID == "" {
		t.Fatalf("read: %v, ID %q", err, first.ID)
	}
	s := &flaky{fail: 2}
	runUntil(t, options(sp, s, ""), func() bool { return len(s.lines()) == 6 })
	calls := s.sends()
	if len(calls) != 4 {
		t.Fatalf("%d sends, want 4", len(calls))
	}
	for i, c := range calls[:3] {
		if c.id != first.ID || c.attempt != i || !slices.Equal(c.lines, []string{"a0", "a1", "a2", "a3"}) {
			t.Errorf("send %d: ID %q attempt %d lines %v; want ID %q attempt %d", i, c.id, c.attempt, c.lines, first.ID, i)
		}
	}
	if c := calls[3]; c.id == first.ID || c.id == "" || c.attempt != 0 || !slices.Equal(c.lines, []string{"a4", "a5"}) {
		t.Errorf("second batch: ID %q attempt %d lines %v", c.id, c.attempt, c.lines)
	}
}

// TestPartialDeadLettersRejected: the entries a sink rejects go to the
// dead-letter file with their reasons, the others count as sent, and the
// batch is acknowledged without a retry.
func TestPartialDeadLettersRejected(t *testing.T) {
	sp := setup(t, entries("e", 4, now), entries("f", 2, now))
	dir := t.TempDir()
	s := &flaky{answer: func(b *sinks.Batch) error {
		if string(b.Entries[0].Line) != "e0" {
			return nil
		}
		return sinks.Partial(errors.New("loki: status 400"), []sinks.Rejection{{Index: 3, Reason: "too_old"}, {Index: 1, Reason: "line_too_long"}})
	}}
	var accepted []string
	st := runUntil(t, options(sp, s, dir), func() bool { accepted = s.lines(); return len(accepted) == 2 })
	got := deadLetters(t, dir)
	if len(got) != 2 || !slices.Equal(got["too_old"], []string{"e3"}) || !slices.Equal(got["line_too_long"], []string{"e1"}) {
		t.Fatalf("dead letters %v", got)
	}
	if len(s.sends()) != 2 {
		t.Fatalf("%d sends: a partial acceptance must not be retried", len(s.sends()))
	}
	if st.DeadLettered.Load() != 2 || st.Sent.Load() != 2+2 || st.Partial.Load() != 1 || st.Batches.Load() != 2 ||
		st.Retries.Load() != 0 || st.Failures.Load() != 0 {
		t.Fatalf("stats dead %d sent %d partial %d batches %d retries %d failures %d", st.DeadLettered.Load(), st.Sent.Load(),
			st.Partial.Load(), st.Batches.Load(), st.Retries.Load(), st.Failures.Load())
	}
	if b, err := sp.Read("out", 10, 0); err != nil || len(b.Entries) != 0 {
		t.Fatalf("left in the queue: %d, %v", len(b.Entries), err)
	}
}

// TestPartialIndicesRefAgedBatch: rejection indices count in the batch
// the sink got, after entries past MaxAge and not selected were dropped.
func TestPartialIndicesRefAgedBatch(t *testing.T) {
	old := now.Add(-8 * 24 * time.Hour)
	batch := append(entries("old", 1, old), entries("skip", 1, now)...)
	batch = append(batch, entries("new", 2, now)...)
	sp := setup(t, batch)
	dir := t.TempDir()
	s := &flaky{answer: func(b *sinks.Batch) error {
		return sinks.Partial(errors.New("x"), []sinks.Rejection{{Index: 1, Reason: "invalid_labels"}})
	}}
	o := options(sp, s, dir)
	o.Select = func(e *sinks.Entry) bool { return !strings.HasPrefix(string(e.Line), "skip") }
	runUntil(t, o, func() bool { return len(s.sends()) == 1 && pending(sp) == 0 })
	if got := deadLetters(t, dir); len(got) != 1 || !slices.Equal(got["invalid_labels"], []string{"new1"}) {
		t.Fatalf("dead letters %v", got)
	}
	if got := s.sends()[0].lines; !slices.Equal(got, []string{"new0", "new1"}) {
		t.Fatalf("sink got %v", got)
	}
}

// TestPartialBreakingTheContract: rejections that name no entry of the
// batch, or one twice, leave unknown what was accepted: the whole batch is
// dead-lettered. A reason that is not a short word is written as "other".
func TestPartialBreakingTheContract(t *testing.T) {
	for _, tc := range []struct {
		name string
		rej  []sinks.Rejection
		want map[string][]string
	}{
		{"OutOfRange", []sinks.Rejection{{Index: 0, Reason: "too_old"}, {Index: 4, Reason: "too_old"}}, map[string][]string{"rejected": {"p0", "p1", "p2", "p3"}}},
		{"Negative", []sinks.Rejection{{Index: -1, Reason: "too_old"}}, map[string][]string{"rejected": {"p0", "p1", "p2", "p3"}}},
		{"Twice", []sinks.Rejection{{Index: 2, Reason: "a"}, {Index: 2, Reason: "b"}}, map[string][]string{"rejected": {"p0", "p1", "p2", "p3"}}},
		{"BadReason", []sinks.Rejection{{Index: 2, Reason: `stream {user="alice"}`}}, map[string][]string{"other": {"p2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := setup(t, entries("p", 4, now))
			dir := t.TempDir()
			s := &flaky{answer: func(b *sinks.Batch) error { return sinks.Partial(errors.New("x"), tc.rej) }}
			st := runUntil(t, options(sp, s, dir), func() bool { return len(s.sends()) == 1 && pending(sp) == 0 })
			got := deadLetters(t, dir)
			if !maps.EqualFunc(got, tc.want, slices.Equal) {
				t.Fatalf("dead letters %v, want %v", got, tc.want)
			}
			n := 0
			for _, lines := range got {
				n += len(lines)
			}
			if st.DeadLettered.Load() != uint64(n) {
				t.Fatalf("dead-lettered %d, want %d", st.DeadLettered.Load(), n)
			}
		})
	}
}

// throttler answers its first send with sinks.Throttled(after), then
// accepts.
func throttler(after time.Duration) *flaky {
	var n atomic.Int32
	return &flaky{answer: func(*sinks.Batch) error {
		if n.Add(1) == 1 {
			return sinks.Throttled(errors.New("loki: status 429"), after)
		}
		return nil
	}}
}

// gap is the time between the first two sends of s.
func gap(t *testing.T, s *flaky) time.Duration {
	t.Helper()
	calls := s.sends()
	if len(calls) < 2 {
		t.Fatalf("%d sends", len(calls))
	}
	return calls[1].at.Sub(calls[0].at)
}

// TestThrottledWaitsRetryAfter: a throttled send is retried after the
// wait the sink asked for, not after the (much shorter) backoff; the wait
// is counted.
func TestThrottledWaitsRetryAfter(t *testing.T) {
	sp := setup(t, entries("a", 2, now))
	s := throttler(300 * time.Millisecond)
	st := runUntil(t, options(sp, s, ""), func() bool { return len(s.lines()) == 2 })
	if g := gap(t, s); g < 300*time.Millisecond {
		t.Fatalf("retried after %s, asked to wait 300ms", g)
	}
	if st.Throttled.Load() != 1 || st.Retries.Load() != 1 || st.Failures.Load() != 1 {
		t.Fatalf("throttled %d retries %d failures %d", st.Throttled.Load(), st.Retries.Load(), st.Failures.Load())
	}
	if c := s.sends()[1]; c.attempt != 1 {
		t.Fatalf("retry has attempt %d", c.attempt)
	}
}

// TestThrottleCapped: a Retry-After longer than MaxThrottle waits
// MaxThrottle.
func TestThrottleCapped(t *testing.T) {
	sp := setup(t, entries("a", 2, now))
	s := throttler(time.Hour)
	o := options(sp, s, "")
	o.MaxThrottle = 100 * time.Millisecond
	runUntil(t, o, func() bool { return len(s.lines()) == 2 })
	if g := gap(t, s); g < 100*time.Millisecond || g > 5*time.Second {
		t.Fatalf("retried after %s, want the cap of 100ms", g)
	}
}

// TestBackoffLongerThanRetryAfter: when the backoff is longer than the
// wait the sink asked for, the backoff is waited.
func TestBackoffLongerThanRetryAfter(t *testing.T) {
	sp := setup(t, entries("a", 2, now))
	s := throttler(time.Nanosecond)
	o := options(sp, s, "")
	o.MinBackoff, o.MaxBackoff = 400*time.Millisecond, time.Second
	runUntil(t, o, func() bool { return len(s.lines()) == 2 })
	if g := gap(t, s); g < 200*time.Millisecond { // jitter spreads over [d/2, d)
		t.Fatalf("retried after %s, backoff 400ms", g)
	}
}

func TestDefaultMaxThrottle(t *testing.T) {
	o := Options{Queue: setup(t), Sink: &flaky{}, MaxAge: week}
	if err := o.check(); err != nil || o.MaxThrottle != 5*time.Minute {
		t.Fatalf("max throttle %s, %v", o.MaxThrottle, err)
	}
}

// TestMaxRetriesDeadLetters: a batch still failing after MaxRetries
// retries is dead-lettered (reason max_retries) and acknowledged.
func TestMaxRetriesDeadLetters(t *testing.T) {
	sp := setup(t, entries("r", 4, now), entries("s", 1, now))
	dir := t.TempDir()
	s := &flaky{fail: 3}
	o := options(sp, s, dir)
	o.MaxRetries = 2
	st := runUntil(t, o, func() bool { return len(s.lines()) == 1 })
	if got := deadLetters(t, dir); len(got) != 1 || !slices.Equal(got["max_retries"], []string{"r0", "r1", "r2", "r3"}) {
		t.Fatalf("dead letters %v", got)
	}
	if n := len(s.sends()); n != 4 || st.Retries.Load() != 2 || st.DeadLettered.Load() != 4 {
		t.Fatalf("%d sends, %d retries, %d dead-lettered; want 4, 2, 4", n, st.Retries.Load(), st.DeadLettered.Load())
	}
}

// TestMaxAgeRequired: retention is one required value; without it Run
// refuses to start.
func TestMaxAgeRequired(t *testing.T) {
	sp := setup(t, entries("a", 1, now))
	o := options(sp, &flaky{}, "")
	o.MaxAge = 0
	err := Run(context.Background(), o, &Stats{})
	if err == nil || !strings.Contains(err.Error(), "max age") {
		t.Fatalf("Run without MaxAge: %v", err)
	}
}

// TestDrainReturnsWhenEmpty: once Drain is closed, Run returns nil as soon
// as everything was delivered.
func TestDrainReturnsWhenEmpty(t *testing.T) {
	sp := setup(t, entries("a", 10, now))
	s := &flaky{}
	o := options(sp, s, "")
	drain := make(chan struct{})
	close(drain)
	o.Drain = drain
	if err := Run(context.Background(), o, &Stats{}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.lines()); n != 10 {
		t.Fatalf("delivered %d of 10 before returning", n)
	}
}

// idler counts Idle calls.
type idler struct {
	flaky
	idle atomic.Int32
}

func (i *idler) Idle(context.Context) error { i.idle.Add(1); return errors.New("housekeeping failed") }

// TestIdleWhileNothingPending: a sink's Idle runs while the queue is
// empty; its error is logged, not fatal.
func TestIdleWhileNothingPending(t *testing.T) {
	sp := setup(t)
	s := &idler{}
	runUntil(t, options(sp, s, ""), func() bool { return s.idle.Load() >= 3 })
}

func TestDeadLetterLineFormat(t *testing.T) {
	e := sinks.Entry{Time: now, Line: []byte(`a "b"`), Labels: []sinks.Label{{Name: "job", Value: "x"}}}
	got := string(appendDeadLetter([]byte("prev\n"), e, "too_old"))
	want := "prev\n" + `{"reason":"too_old",` + strings.TrimPrefix(string(sinks.AppendEncoded(nil, e, true)), "{")
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if filepath.Base(DeadLetterPath("d", "out", now)) != "deadletter-out-2026-11-20.ndjson" {
		t.Fatal("path")
	}
}
