package sinks

import (
	"context"
	"errors"
	"time"
)

// Sink ships batches of anonymized entries to one destination.
//
// The agent's delivery loop for the sink is its only caller: Send and Close
// are never called concurrently with each other. Send returns nil only when
// the batch is durably accepted (written and flushed, or acknowledged by
// the server); the queue cursor advances after that. Retries live in the
// delivery loop, not in sinks: a sink returns an error and says with it
// what the loop should do (see Permanent, Partial and Throttled); any
// other error retries the whole batch. Close flushes and releases
// resources and is safe to call twice.
type Sink interface {
	Send(ctx context.Context, b *Batch) error
	Close(ctx context.Context) error
}

// Batch is one Send's worth of entries with its identity.
type Batch struct {
	// ID identifies the batch across retries and restarts: the queue
	// position of its first entry, the same string whenever a batch
	// starting there is sent. A batch read again after a crash starts with
	// the same entries and may hold more after them, never others; so a
	// sink that names what it writes after ID (an object key) overwrites
	// instead of duplicating.
	ID string
	// Attempt is 0 for the first send of the batch in this process and
	// counts the retries after it. Attempt 0 does not prove a first send:
	// an earlier process may have sent the batch and stopped before its
	// acknowledgment.
	Attempt int
	// Entries are the entries to ship, oldest first. Sinks must not
	// modify them or keep them after Send returns.
	Entries []Entry
}

// Retry reports whether this Send repeats one of the same batch that
// failed in this process.
func (b *Batch) Retry() bool { return b.Attempt > 0 }

// permanent marks an error that retrying will not fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as not retryable: the delivery loop moves the batch
// to the dead-letter file instead of retrying. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err (or an error it wraps) was marked with
// Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Rejection is one entry of a batch that the destination refused for
// good.
type Rejection struct {
	// Index is the entry's index in Batch.Entries.
	Index int
	// Reason is a short, fixed word for metrics (line_too_long, too_old,
	// invalid_labels, ...), never content.
	Reason string
}

// PartialError says the destination accepted every entry of the batch
// except those listed, which it refused for good: the delivery loop
// dead-letters these and acknowledges the batch.
type PartialError struct {
	// Rejected are the refused entries, each index at most once.
	Rejected []Rejection
	// Err is the destination's error, for the log.
	Err error
}

func (p *PartialError) Error() string { return "partially rejected: " + p.Err.Error() }
func (p *PartialError) Unwrap() error { return p.Err }

// Partial returns a *PartialError: the entries in rejected were refused
// for good, all others accepted. With no rejections it returns nil.
func Partial(err error, rejected []Rejection) error {
	if len(rejected) == 0 {
		return nil
	}
	return &PartialError{Rejected: rejected, Err: err}
}

// AsPartial returns the *PartialError in err's chain, if any.
func AsPartial(err error) (*PartialError, bool) {
	var p *PartialError
	ok := errors.As(err, &p)
	return p, ok
}

// throttled marks a retryable error with the wait the destination asked
// for.
type throttled struct {
	err   error
	after time.Duration
}

func (t throttled) Error() string { return t.err.Error() }
func (t throttled) Unwrap() error { return t.err }

// Throttled marks err as the destination asking to wait at least after
// before the next attempt (HTTP 429 or 503 with Retry-After): the delivery
// loop waits that long, or its own backoff if longer. Throttled(nil, d) is
// nil.
func Throttled(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return throttled{err, after}
}

// RetryAfter returns the wait a Throttled error in err's chain asks for.
func RetryAfter(err error) (time.Duration, bool) {
	var t throttled
	if errors.As(err, &t) {
		return t.after, true
	}
	return 0, false
}

// Reporter is implemented by sinks that count outcomes the delivery loop
// cannot see: entries the destination rejected or that the sink dropped
// because the destination would reject them, and labels it moved to
// structured metadata. The agent's metrics collector calls Report,
// possibly concurrently with Send.
type Reporter interface {
	Report() Report
}

// Report is a snapshot of a sink's own counters.
type Report struct {
	// Rejected counts entries by reason, e.g. "line_too_long", "too_old".
	Rejected map[string]uint64
	// LabelsDemoted counts label names moved from stream labels to
	// structured metadata by a cardinality guard.
	LabelsDemoted uint64
	// Objects counts the objects or files the sink wrote (an overwrite
	// counts again).
	Objects uint64
	// WrittenBytes counts the bytes the sink wrote or uploaded (after
	// compression).
	WrittenBytes uint64
	// Deleted counts the objects or files the sink deleted for being past
	// its retention.
	Deleted uint64
}

// Add returns the sum of two reports.
func (r Report) Add(o Report) Report {
	out := Report{Rejected: map[string]uint64{}, LabelsDemoted: r.LabelsDemoted + o.LabelsDemoted,
		Objects: r.Objects + o.Objects, WrittenBytes: r.WrittenBytes + o.WrittenBytes, Deleted: r.Deleted + o.Deleted}
	for _, m := range []map[string]uint64{r.Rejected, o.Rejected} {
		for k, v := range m {
			out.Rejected[k] += v
		}
	}
	return out
}
