// Package delivery moves anonymized entries from the queue (queue.Queue,
// the spool) to one sink: read a batch, drop what is past retention, send,
// and acknowledge only after the sink answered for every entry. Retries
// live here, not in the sinks (DESIGN.md, convention 2), and the sink says
// through its contract (sinks.Sink) what an error means:
//
//   - nil: the batch is accepted and acknowledged.
//   - a *sinks.PartialError: the sink accepted all entries but the ones it
//     lists; those go to the dead-letter file with their reason, and the
//     batch is acknowledged.
//   - sinks.Permanent: the whole batch goes to the dead-letter file, and
//     delivery goes on.
//   - anything else is retried with exponential backoff and jitter until it
//     is delivered, the context ends or MaxRetries is reached (then the
//     batch is dead-lettered). A sinks.Throttled error makes the loop wait
//     at least the time the destination asked for, at most MaxThrottle
//     (default 5 minutes: a longer or bogus Retry-After does not stall the
//     sink for longer than that between attempts).
//
// The sink gets a sinks.Batch: its ID is the queue batch's, the position
// of its first entry, the same after a restart; Attempt counts the retries
// of the batch in this process. Entries past MaxAge are dropped before the
// first attempt, so a batch sent again after a restart may lack entries at
// its front that aged out meanwhile; it never holds others.
//
// Dead-letter files hold anonymized entries, so retention applies to them
// too (DESIGN.md, invariant 4). Keep it simple: there is one file per sink
// and UTC day of the injected clock, deadletter-<sink>-YYYY-MM-DD.ndjson,
// appended to during that day only, and PurgeDeadLetters (called by the
// agent's housekeeping) deletes a file once its day ended max_age ago. So
// like a file sink's output, a dead-letter file is deleted at most max_age
// after its last write (plus the housekeeping interval). Each line is an
// entry in the NDJSON form of sinks.AppendEncoded with a "reason" member
// in front: the sink's reason for a rejected entry (line_too_long,
// too_old, ...), "rejected" for a batch rejected as a whole, "max_retries"
// for one given up on.
package delivery

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/queue"
	"github.com/tarn-project/tarn/sinks"
)

// DefaultMaxThrottle is the default of Options.MaxThrottle.
const DefaultMaxThrottle = 5 * time.Minute

// Options configure one delivery loop.
type Options struct {
	// Name is the sink's name, its queue cursor.
	Name string
	// Queue is where entries come from.
	Queue queue.Queue
	// Sink is where they go.
	Sink sinks.Sink
	// BatchEntries and BatchBytes bound one batch (default 1000, 1 MiB).
	BatchEntries, BatchBytes int
	// Poll is how long to wait when the queue has nothing (default 200ms).
	Poll time.Duration
	// BatchWait is how long a batch that is not full may wait for more
	// entries before it is sent (default 0: send at once).
	BatchWait time.Duration
	// MinBackoff and MaxBackoff bound the wait between retries (default
	// 100ms and 30s).
	MinBackoff, MaxBackoff time.Duration
	// MaxThrottle caps the wait a throttled destination may ask for
	// (sinks.Throttled, HTTP Retry-After); default DefaultMaxThrottle.
	MaxThrottle time.Duration
	// MaxRetries, if positive, moves a batch to the dead-letter file after
	// this many failed retries (throttled ones too); 0 retries until it is
	// delivered.
	MaxRetries int
	// MaxAge is the retention period, required: entries older than this
	// are dropped instead of sent.
	MaxAge time.Duration
	// Select, if set, picks the entries this sink gets; the others are
	// acknowledged without sending (another sink takes them).
	Select func(e *sinks.Entry) bool
	// DeadLetterDir is the directory of the dead-letter files: rejected
	// entries are appended, as NDJSON of anonymized entries (0600), to
	// DeadLetterPath(DeadLetterDir, Name, Now()), a file per UTC day that
	// PurgeDeadLetters deletes past retention.
	DeadLetterDir string
	// Now is the clock of ages, dead-letter days and BatchWait (default
	// time.Now).
	Now func() time.Time
	// Drain, once closed, makes Run return nil as soon as the queue has
	// nothing more for the sink (graceful shutdown, run-once mode).
	Drain <-chan struct{}
	// Observe, if set, is called after every send with its duration and
	// result (for latency metrics).
	Observe func(elapsed time.Duration, err error)
	// Logger receives failed sends (rate-limited), recoveries, dead-letter
	// batches and housekeeping errors (default: none).
	Logger *zap.Logger

	failures *failureLog
}

// Stats count what a loop did; read them with the atomic loads.
type Stats struct {
	// Sent entries and batches accepted by the sink (a partially accepted
	// batch counts, with the entries accepted of it).
	Sent, Batches atomic.Uint64
	// Retries of failed sends.
	Retries atomic.Uint64
	// Throttled counts the retries the sink asked to delay
	// (sinks.Throttled); they are counted in Retries too.
	Throttled atomic.Uint64
	// Partial counts batches the sink accepted but for some entries.
	Partial atomic.Uint64
	// DeadLettered entries: rejected permanently, alone or with their
	// batch, or given up on after MaxRetries.
	DeadLettered atomic.Uint64
	// TooOld entries dropped for age before sending.
	TooOld atomic.Uint64
	// Failures counts failed sends, retryable or permanent.
	Failures atomic.Uint64
	// FailingSince is the Unix time in nanoseconds of the first failed send
	// since the last accepted one; 0 while the sink works.
	FailingSince atomic.Int64
}

// Idler is implemented by sinks that do housekeeping while there is
// nothing to send (closing files past their age, deleting expired ones).
// The delivery loop calls Idle from the goroutine that calls Send, so it
// is never concurrent with Send or Close.
type Idler interface {
	Idle(ctx context.Context) error
}

// check reports options Run cannot work with and sets the defaults.
func (o *Options) check() error {
	if o.Queue == nil || o.Sink == nil {
		return fmt.Errorf("delivery %s: no queue or no sink", o.Name)
	}
	if o.MaxAge <= 0 {
		return fmt.Errorf("delivery %s: max age must be positive, got %s", o.Name, o.MaxAge)
	}
	if o.BatchEntries <= 0 {
		o.BatchEntries = 1000
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 1 << 20
	}
	if o.Poll <= 0 {
		o.Poll = 200 * time.Millisecond
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 100 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(30*time.Second, o.MinBackoff)
	}
	if o.MaxThrottle <= 0 {
		o.MaxThrottle = DefaultMaxThrottle
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	o.failures = newFailureLog(o.Logger, o.Now)
	return nil
}

// Run delivers until ctx ends and returns ctx's error, or the first error
// of the queue or the dead-letter file (which it cannot get past). It
// returns an error at once when MaxAge is not positive.
func Run(ctx context.Context, o Options, st *Stats) error {
	if err := o.check(); err != nil {
		return err
	}
	for {
		b, err := o.Queue.Read(o.Name, o.BatchEntries, o.BatchBytes)
		if err != nil {
			return fmt.Errorf("delivery %s: %w", o.Name, err)
		}
		if len(b.Entries) == 0 {
			if draining(o.Drain) {
				return nil
			}
			if err := idle(ctx, &o); err != nil {
				return err
			}
			continue
		}
		if b, err = fill(ctx, &o, b); err != nil {
			return err
		}
		if err := deliver(ctx, &o, b, st); err != nil {
			return err
		}
		if err := o.Queue.Ack(b); err != nil {
			return fmt.Errorf("delivery %s: %w", o.Name, err)
		}
	}
}

// deliver sends one batch until the sink answered for every entry:
// accepted it, or rejected it as a whole or in part.
func deliver(ctx context.Context, o *Options, qb *queue.Batch, st *Stats) error {
	entries := fresh(selected(qb.Entries, o.Select), o.Now().Add(-o.MaxAge), st)
	if len(entries) == 0 {
		return nil
	}
	b := &sinks.Batch{ID: qb.ID, Entries: entries}
	backoff := o.MinBackoff
	for ; ; b.Attempt++ {
		err := send(ctx, o, b, st)
		if err == nil {
			o.failures.succeeded()
			st.Sent.Add(uint64(len(entries)))
			st.Batches.Add(1)
			return nil
		}
		if p, ok := sinks.AsPartial(err); ok {
			o.failures.succeeded()
			return partial(o, b, p, st)
		}
		switch {
		case sinks.IsPermanent(err):
			o.failures.failed(err, b.Attempt+1, 0, len(entries))
			return deadLetterAll(o, entries, reasonRejected, st, err)
		case o.MaxRetries > 0 && b.Attempt >= o.MaxRetries && ctx.Err() == nil:
			o.failures.failed(err, b.Attempt+1, 0, len(entries))
			return deadLetterAll(o, entries, reasonMaxRetries, st, fmt.Errorf("after %d retries (max_retries): %w", b.Attempt, err))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := retryWait(o, err, backoff, st)
		o.failures.failed(err, b.Attempt+1, wait, len(entries))
		st.Retries.Add(1)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		backoff = min(2*backoff, o.MaxBackoff)
	}
}

// retryWait is the wait before the next attempt: the jittered backoff, or
// what a throttled sink asked for when that is longer, capped at
// MaxThrottle.
func retryWait(o *Options, err error, backoff time.Duration, st *Stats) time.Duration {
	wait := jitter(backoff)
	if after, ok := sinks.RetryAfter(err); ok {
		st.Throttled.Add(1)
		wait = max(wait, min(after, o.MaxThrottle))
	}
	return wait
}

// send calls the sink once and records the outcome; a partial acceptance
// is not a failure.
func send(ctx context.Context, o *Options, b *sinks.Batch, st *Stats) error {
	start := time.Now()
	err := o.Sink.Send(ctx, b)
	if o.Observe != nil {
		o.Observe(time.Since(start), err)
	}
	if _, ok := sinks.AsPartial(err); err == nil || ok {
		st.FailingSince.Store(0)
		return err
	}
	st.Failures.Add(1)
	st.FailingSince.CompareAndSwap(0, o.Now().UnixNano())
	return err
}

// fill lets a batch that is not full wait up to BatchWait for more
// entries (re-reading from the unmoved cursor), unless draining. The wait
// is measured on the injected clock; it also ends once the polls alone
// have slept BatchWait, so a clock that stands still (in tests) cannot
// hold a batch forever.
func fill(ctx context.Context, o *Options, b *queue.Batch) (*queue.Batch, error) {
	deadline := o.Now().Add(o.BatchWait)
	var slept time.Duration
	for !b.Full && !draining(o.Drain) {
		left := min(deadline.Sub(o.Now()), o.BatchWait-slept)
		if left <= 0 {
			return b, nil
		}
		step := min(left, o.Poll)
		if err := sleep(ctx, step); err != nil {
			return nil, err
		}
		slept += step
		nb, err := o.Queue.Read(o.Name, o.BatchEntries, o.BatchBytes)
		if err != nil {
			return nil, fmt.Errorf("delivery %s: %w", o.Name, err)
		}
		b = nb
	}
	return b, nil
}

// idle lets the sink do its housekeeping, then waits one poll interval
// (or until draining starts).
func idle(ctx context.Context, o *Options) error {
	if i, ok := o.Sink.(Idler); ok {
		if err := i.Idle(ctx); err != nil && ctx.Err() == nil {
			o.Logger.Error("sink housekeeping failed", zap.String("sink", o.Name), zap.Error(err))
		}
	}
	t := time.NewTimer(o.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-o.Drain:
		return nil
	case <-t.C:
		return nil
	}
}

func draining(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// fresh returns the entries not older than cutoff: entries itself when
// none is, else a new slice; dropped entries are counted.
func fresh(entries []sinks.Entry, cutoff time.Time, st *Stats) []sinks.Entry {
	if !anyOld(entries, cutoff) {
		return entries
	}
	keep := make([]sinks.Entry, 0, len(entries))
	for _, e := range entries {
		if e.Time.Before(cutoff) {
			st.TooOld.Add(1)
			continue
		}
		keep = append(keep, e)
	}
	return keep
}

// selected returns the entries sel picks (all when sel is nil).
func selected(entries []sinks.Entry, sel func(*sinks.Entry) bool) []sinks.Entry {
	if sel == nil {
		return entries
	}
	keep := make([]sinks.Entry, 0, len(entries))
	for i := range entries {
		if sel(&entries[i]) {
			keep = append(keep, entries[i])
		}
	}
	return keep
}

func anyOld(entries []sinks.Entry, cutoff time.Time) bool {
	for _, e := range entries {
		if e.Time.Before(cutoff) {
			return true
		}
	}
	return false
}

// jitter spreads a wait over [d/2, d).
func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
