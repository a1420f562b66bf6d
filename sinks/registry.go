package sinks

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Settings are one sink type's own keys of a sinks[] entry. The agent
// decodes the common keys (name, type, entries, backup) itself and every
// other key of the entry strictly into the Settings of the entry's type,
// so a key of another type is an error.
type Settings interface {
	// Validate checks the settings and compiles what they need (parses
	// URLs, reads CA files); it returns every problem at once, each a
	// *strictyaml.FieldError whose path is relative to the entry ("url",
	// "tls.ca_file").
	Validate() error
}

// PathResolver is implemented by Settings that hold file paths; the agent
// calls ResolvePaths after decoding, so relative paths are relative to the
// configuration file.
type PathResolver interface {
	ResolvePaths(abs func(string) string)
}

// Warner is implemented by Settings that can be valid and still worth a
// warning at start-up (a plain-text password, say). path is the entry's
// configuration path, e.g. "sinks[1]".
type Warner interface {
	Warnings(path string) []string
}

// Tuner is implemented by Settings that tune their delivery loop.
type Tuner interface {
	Tuning() Tuning
}

// Tuning is what a sink type may set of its delivery loop; zero fields
// keep the loop's defaults.
type Tuning struct {
	// BatchEntries and BatchBytes bound one batch.
	BatchEntries, BatchBytes int
	// BatchWait is how long a batch that is not full waits for more.
	BatchWait time.Duration
	// MinBackoff and MaxBackoff bound the wait between retries.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetries, if positive, dead-letters a batch after this many retries.
	MaxRetries int
}

// Env is what the agent hands every sink it builds besides its settings.
type Env struct {
	// Name is the sink's name (metrics, spool cursor, file names).
	Name string
	// Retention is how long the sink and its store may keep what it
	// writes: retention.max_age, backup_max_age for a backup sink,
	// aggregates_max_age for a sink of aggregates. Always positive.
	Retention time.Duration
	// Node is this machine's name, for names a fleet writes side by side.
	Node string
	// Version is tarn's version, for user agents.
	Version string
	// Now is the clock of ages and rotations.
	Now func() time.Time
	// Stdout is the agent's standard output.
	Stdout io.Writer
	// Logger is the sink's logger, tagged with its component and name.
	Logger *zap.Logger
}

// Factory makes the sinks of one type.
type Factory struct {
	// Settings returns new settings holding the type's defaults, as a
	// pointer the agent decodes the entry's keys into.
	Settings func() Settings
	// New builds a sink from validated settings (of the type Settings
	// returns).
	New func(s Settings, env Env) (Sink, error)
}

// Registry holds the factories of one kind of component by type name:
// the sinks here, the inputs in package agent/inputs. The zero value is
// empty and ready; it is safe for concurrent use.
type Registry[F any] struct {
	// Kind names the components in panics and errors, e.g. "sinks".
	Kind      string
	mu        sync.RWMutex
	factories map[string]F
}

// Register makes a type available; component packages call it from init.
// Registering a type twice panics (a programming error).
func (r *Registry[F]) Register(typ string, f F) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.factories[typ]; dup {
		panic(r.Kind + ": type registered twice: " + typ)
	}
	if r.factories == nil {
		r.factories = map[string]F{}
	}
	r.factories[typ] = f
}

// Lookup returns the factory of a registered type.
func (r *Registry[F]) Lookup(typ string) (F, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.factories[typ]
	return f, ok
}

// Types lists the registered types, sorted.
func (r *Registry[F]) Types() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.factories))
	for t := range r.factories {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

var registry = Registry[Factory]{Kind: "sinks"}

// Register makes a sink type available; sink packages call it from init.
func Register(typ string, f Factory) { registry.Register(typ, f) }

// Lookup returns the factory of a registered sink type.
func Lookup(typ string) (Factory, bool) { return registry.Lookup(typ) }

// Types lists the registered sink types.
func Types() []string { return registry.Types() }

// New builds a sink of a registered type from its settings.
func New(typ string, s Settings, env Env) (Sink, error) {
	f, ok := Lookup(typ)
	if !ok {
		return nil, fmt.Errorf("sinks: unknown type %q (have %v)", typ, Types())
	}
	return f.New(s, env)
}
