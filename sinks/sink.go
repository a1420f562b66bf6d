package sinks

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Sink ships batches of anonymized entries to one destination.
//
// The agent's delivery loop for the sink is its only caller: Send and Close
// are never called concurrently with each other. Send returns only when
// the batch is durably accepted (written and flushed, or acknowledged by
// the server); the spool cursor advances after that. Retries live in the
// delivery loop, not in sinks: a sink returns errors, wrapping with
// Permanent those that a retry cannot fix. Close flushes and releases
// resources and is safe to call twice.
type Sink interface {
	Send(ctx context.Context, entries []Entry) error
	Close(ctx context.Context) error
}

// Config is what every sink is built from: its name, its type and the
// type's own options, already validated by the agent's configuration.
type Config struct {
	// Name identifies the sink in metrics and spool cursors.
	Name string
	// Type selects the registered factory, e.g. "stdout".
	Type string
	// Options are the type's own settings (a struct the factory knows).
	Options any
}

// Factory builds a sink from its configuration.
type Factory func(c Config) (Sink, error)

var (
	mu        sync.RWMutex
	factories = map[string]Factory{}
)

// Register makes a sink type available; sink packages call it from init.
// Registering a type twice panics (a programming error).
func Register(typ string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[typ]; dup {
		panic("sinks: type registered twice: " + typ)
	}
	factories[typ] = f
}

// New builds a sink of a registered type.
func New(c Config) (Sink, error) {
	mu.RLock()
	f, ok := factories[c.Type]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("sinks: unknown type %q (have %v)", c.Type, Types())
	}
	return f(c)
}

// Types lists the registered sink types.
func Types() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(factories))
	for t := range factories {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

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
}
