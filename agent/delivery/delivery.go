// Package delivery moves anonymized entries from the spool to one sink:
// read a batch, drop what is past retention, send, and acknowledge only
// after the sink accepted it. Retries live here, not in the sinks
// (DESIGN.md, convention 2): retryable errors back off exponentially with
// jitter until the context ends; errors marked sinks.Permanent move the
// batch to a dead-letter file and delivery goes on.
//
// Dead-letter files hold anonymized entries, so retention applies to them
// too (DESIGN.md, invariant 4). Keep it simple: there is one file per sink
// and UTC day of the injected clock, deadletter-<sink>-YYYY-MM-DD.ndjson,
// appended to during that day only, and PurgeDeadLetters (called by the
// agent's housekeeping) deletes a file once its day ended max_age ago. So
// like a file sink's output, a dead-letter file is deleted at most max_age
// after its last write (plus the housekeeping interval).
package delivery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/sinks"
)

// Options configure one delivery loop.
type Options struct {
	// Name is the sink's name, its spool cursor.
	Name string
	// Spool is where entries come from.
	Spool *spool.Spool
	// Sink is where they go.
	Sink sinks.Sink
	// BatchEntries and BatchBytes bound one batch (default 1000, 1 MiB).
	BatchEntries, BatchBytes int
	// Poll is how long to wait when the spool has nothing (default 200ms).
	Poll time.Duration
	// BatchWait is how long a batch that is not full may wait for more
	// entries before it is sent (default 0: send at once).
	BatchWait time.Duration
	// MinBackoff and MaxBackoff bound the wait between retries (default
	// 100ms and 30s).
	MinBackoff, MaxBackoff time.Duration
	// MaxRetries, if positive, moves a batch to the dead-letter file after
	// this many failed retries; 0 retries until it is delivered.
	MaxRetries int
	// MaxAge drops entries older than this instead of sending them
	// (default 168h).
	MaxAge time.Duration
	// Select, if set, picks the entries this sink gets; the others are
	// acknowledged without sending (another sink takes them).
	Select func(e *sinks.Entry) bool
	// DeadLetterDir is the directory of the dead-letter files: a
	// permanently rejected batch is appended, as NDJSON of anonymized
	// entries (0600), to DeadLetterPath(DeadLetterDir, Name, Now()), a
	// file per UTC day that PurgeDeadLetters deletes past retention.
	DeadLetterDir string
	// Now is the clock of ages, dead-letter days and BatchWait (default
	// time.Now).
	Now func() time.Time
	// Drain, once closed, makes Run return nil as soon as the spool has
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
	// Sent entries and batches acknowledged by the sink.
	Sent, Batches atomic.Uint64
	// Retries of failed sends.
	Retries atomic.Uint64
	// DeadLettered entries, rejected permanently.
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

func (o *Options) defaults() {
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
	if o.MaxAge <= 0 {
		o.MaxAge = 168 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	o.failures = newFailureLog(o.Logger, o.Now)
}

// Run delivers until ctx ends and returns ctx's error, or the first error
// of the spool or the dead-letter file (which it cannot get past).
func Run(ctx context.Context, o Options, st *Stats) error {
	o.defaults()
	for {
		b, err := o.Spool.Read(o.Name, o.BatchEntries, o.BatchBytes)
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
		if err := o.Spool.Ack(b); err != nil {
			return fmt.Errorf("delivery %s: %w", o.Name, err)
		}
	}
}

// deliver sends one batch until it is accepted or permanently rejected.
func deliver(ctx context.Context, o *Options, b *spool.Batch, st *Stats) error {
	entries := fresh(selected(b.Entries, o.Select), o.Now().Add(-o.MaxAge), st)
	if len(entries) == 0 {
		return nil
	}
	backoff := o.MinBackoff
	for try := 0; ; try++ {
		err := send(ctx, o, entries, st)
		switch {
		case err == nil:
			o.failures.succeeded()
			st.Sent.Add(uint64(len(entries)))
			st.Batches.Add(1)
			return nil
		case sinks.IsPermanent(err):
			o.failures.failed(err, try+1, 0, len(entries))
			return deadLetter(o, entries, st, err)
		case o.MaxRetries > 0 && try >= o.MaxRetries && ctx.Err() == nil:
			o.failures.failed(err, try+1, 0, len(entries))
			return deadLetter(o, entries, st, fmt.Errorf("after %d retries (max_retries): %w", try, err))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := jitter(backoff)
		o.failures.failed(err, try+1, wait, len(entries))
		st.Retries.Add(1)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		backoff = min(2*backoff, o.MaxBackoff)
	}
}

// send calls the sink once and records the outcome.
func send(ctx context.Context, o *Options, entries []sinks.Entry, st *Stats) error {
	start := time.Now()
	err := o.Sink.Send(ctx, entries)
	if o.Observe != nil {
		o.Observe(time.Since(start), err)
	}
	if err == nil {
		st.FailingSince.Store(0)
		return nil
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
func fill(ctx context.Context, o *Options, b *spool.Batch) (*spool.Batch, error) {
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
		nb, err := o.Spool.Read(o.Name, o.BatchEntries, o.BatchBytes)
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

// deadLetter appends permanently rejected entries (anonymized) to the
// dead-letter file of the current day and logs it (count, reason, file).
func deadLetter(o *Options, entries []sinks.Entry, st *Stats, reason error) error {
	if o.DeadLetterDir == "" {
		return errors.New("delivery: a batch was rejected permanently and no dead-letter directory is configured")
	}
	path := DeadLetterPath(o.DeadLetterDir, o.Name, o.Now())
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("delivery: dead letter: %w", err)
	}
	var buf []byte
	for _, e := range entries {
		buf = sinks.AppendEncoded(buf, e, true)
	}
	_, err = f.Write(buf)
	err = errors.Join(err, f.Sync(), f.Close())
	if err != nil {
		return fmt.Errorf("delivery: dead letter: %w", err)
	}
	st.DeadLettered.Add(uint64(len(entries)))
	o.Logger.Error("batch dead-lettered", zap.Int("entries", len(entries)), zap.NamedError("reason", reason), zap.String("file", path))
	return nil
}

const deadLetterPrefix, deadLetterExt = "deadletter-", ".ndjson"

// DeadLetterPath is the dead-letter file of sink in dir for the UTC day
// of t: dir/deadletter-<sink>-YYYY-MM-DD.ndjson.
func DeadLetterPath(dir, sink string, t time.Time) string {
	return filepath.Join(dir, deadLetterPrefix+sink+"-"+t.UTC().Format(time.DateOnly)+deadLetterExt)
}

// PurgeDeadLetters deletes the dead-letter files of every sink in dir
// whose UTC day ended maxAge or longer before now, and returns how many
// it deleted. A dead-letter file without a day in its name (one
// deadletter-<sink>.ndjson per sink, written by versions before the daily
// files) is deleted by its modification time instead. A missing dir is
// not an error.
func PurgeDeadLetters(dir string, now time.Time, maxAge time.Duration) (int, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("delivery: dead letters: %w", err)
	}
	n := 0
	var errs []error
	for _, de := range des {
		name := de.Name()
		if !de.Type().IsRegular() || !strings.HasPrefix(name, deadLetterPrefix) || !strings.HasSuffix(name, deadLetterExt) {
			continue
		}
		end, ok := deadLetterDayEnd(name)
		if !ok {
			fi, err := de.Info()
			if err != nil {
				if !errors.Is(err, os.ErrNotExist) {
					errs = append(errs, err)
				}
				continue
			}
			end = fi.ModTime()
		}
		if now.Before(end.Add(maxAge)) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		n++
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("delivery: dead letters: %w", err)
	}
	return n, nil
}

// deadLetterDayEnd is the end of the UTC day in the name of a daily
// dead-letter file.
func deadLetterDayEnd(name string) (time.Time, bool) {
	stem := strings.TrimSuffix(strings.TrimPrefix(name, deadLetterPrefix), deadLetterExt)
	n := len(time.DateOnly)
	if len(stem) < n+2 || stem[len(stem)-n-1] != '-' {
		return time.Time{}, false
	}
	day, err := time.Parse(time.DateOnly, stem[len(stem)-n:])
	if err != nil {
		return time.Time{}, false
	}
	return day.AddDate(0, 0, 1), true
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
