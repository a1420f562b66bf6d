// Package inputs is the contract between tarn's agent and its inputs, the
// sources of raw lines: a file tailer, standard input, Loki's push API.
//
// An input is one package under agent/inputs/<type> that owns its
// settings (the keys of its inputs[] entry besides the common ones),
// registers a Factory under its type in init, and is linked into the
// binary by one blank import in agent/inputs/all. The agent decodes the
// common keys (name, type, format, labels, tenant, ...), hands every other
// key to the type's Settings, builds the input with New and runs it.
//
// An input reads and hands its lines to Host.Ingest in batches. Ingest is
// synchronous: it runs the rules over the batch, spools the anonymized
// entries and returns only when they are durable, so an input commits
// what it read (a tailer's position, a push request's 204) after Ingest
// returned nil, never before. Inputs never see anonymized entries and
// the rules never see an input's I/O.
package inputs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/positions"
	"github.com/tarn-project/tarn/agent/tail"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/sinks"
)

// Input is one running source. The agent calls Run once, from its own
// goroutine.
type Input interface {
	// Run reads until ctx ends (or, in run-once mode, until the source's
	// end), handing batches to h, and returns nil then; an error ends the
	// agent's generation.
	Run(ctx context.Context, h Host) error
}

// Host is the agent's side of an input. Its methods are called from the
// input's goroutines; Ingest calls of one input are serialized by the
// caller (one goroutine ingests, or a lock).
type Host interface {
	// Ingest runs the rules over b's lines and spools the entries, and
	// returns nil once they are durable. With b.Wait it waits while the
	// spool is full (the input pauses; nothing is dropped) until ctx ends;
	// without, it returns an error wrapping ErrFull at once. The batch's
	// buffers may be reused after Ingest returned.
	Ingest(ctx context.Context, b *Batch) error
}

// ErrFull is wrapped by the error of an Ingest without Wait that found
// the spool full.
var ErrFull = fmt.Errorf("inputs: spool full")

// ErrTooLarge is wrapped by the error of an Ingest without Wait whose
// batch is larger than the whole spool (spool.max_bytes): nothing of it
// was kept, and a retry cannot succeed, so a push input answers that
// the request is too large rather than asking to retry (a retry of half
// a stored batch would duplicate that half).
var ErrTooLarge = fmt.Errorf("inputs: batch larger than the spool")

// Batch is a run of lines of one source.
type Batch struct {
	// Source is the file the lines were read from, whose path decides the
	// file labels (filename; namespace, pod and container of kubelet's
	// pod logs) and the select entry; "-" for a stream, "" for lines that
	// bring their own labels (Record.Labels).
	Source string
	// Lines are lines read now, each one record in the input's format.
	Lines [][]byte
	// Records are lines with what their source said of them (a container
	// runtime's time and stream, a push sender's labels). A batch holds
	// Lines or Records.
	Records []Record
	// Cut counts the lines the input cut (at max_line_bytes, or a joined
	// line that lost a piece), for the line_truncated counter.
	Cut int
	// Wait says to wait while the spool is full (see Host.Ingest).
	Wait bool
	// Kept is set by Ingest: how many of the lines and records became
	// entries; the rules dropped the others (past retention, a drop
	// rule). An input that reports drops to its sender (OTLP's partial
	// success) reads it.
	Kept int
}

// Reset empties b for reuse, keeping its buffers.
func (b *Batch) Reset() {
	clear(b.Records)
	*b = Batch{Lines: b.Lines[:0], Records: b.Records[:0]}
}

// Record is one line with what its source said of it.
type Record struct {
	// Line is the raw line.
	Line []byte
	// Time is when the line was written, by its source's clock (a
	// container runtime, a push sender); zero for now. The entry keeps it,
	// and the line is dropped when it is past retention.
	Time time.Time
	// Stream is the container stream the line was written to; it becomes
	// the stream label of a container input's entries.
	Stream format.Stream
	// Labels are stream labels the source sent (raw: the rules anonymize
	// them like the values of keys of the same names).
	Labels []sinks.Label
	// Metadata is structured metadata the source sent (raw, anonymized
	// the same way).
	Metadata []sinks.Label
	// Tenant is the tenant of the entry when no rule sets one (a push
	// sender's X-Scope-OrgID); "" for the input's tenant.
	Tenant string
}

// Settings are one input type's own keys of an inputs[] entry, decoded
// strictly: a key of another type is an error.
type Settings interface {
	// Validate checks the settings and returns every problem at once, each
	// a *strictyaml.FieldError whose path is relative to the entry.
	Validate() error
}

// Env is what the agent hands every input it builds besides its settings.
type Env struct {
	// Name is the input's name.
	Name string
	// Format is the format of the input's lines (its format key, or the
	// rules'); Container is CRI or Docker when the lines are a container
	// runtime's records, whose messages are in Format, else Text.
	Format, Container format.Format
	// MaxLineBytes is the rules' max_line_bytes.
	MaxLineBytes int
	// Once is run-once mode: read to the end, then return.
	Once bool
	// Poll is the polling interval of file inputs (0: their default).
	Poll time.Duration
	// Housekeeping is how often inputs do their periodic work (cleanup).
	Housekeeping time.Duration
	// Now is the agent's clock.
	Now func() time.Time
	// Stdin is the agent's standard input.
	Stdin io.Reader
	// Positions are the saved read positions of file inputs.
	Positions Positions
	// DataDir is the agent's data directory, where an input keeps state of
	// its own (a journald input's cursor), written durably.
	DataDir string
	// Registry takes the input's own metrics (registered once per agent:
	// an input is built again at every reload).
	Registry *prometheus.Registry
	// Logger is the input's logger, tagged with its name.
	Logger *zap.Logger
}

// Positions are the read positions of the agent's files, shared by its
// inputs and saved by the agent. Commit only what Ingest made durable.
type Positions interface {
	// Lookup is tail.Options.Lookup: the committed offset of a file.
	Lookup(id positions.ID, f *os.File) (int64, bool)
	// Name is the name for the labels of c's lines: the name the file was
	// first tailed under.
	Name(c *tail.Chunk) string
	// Get returns the stored position of the file id (or of its inode with
	// a shorter fingerprint).
	Get(id positions.ID) (positions.Position, bool)
	// Commit records that everything of the file before end is durable;
	// skip is positions.Position.Skip; a done file is forgotten.
	Commit(path string, id positions.ID, end, skip int64, done bool)
}

// Factory makes the inputs of one type.
type Factory struct {
	// Settings returns new settings holding the type's defaults.
	Settings func() Settings
	// New builds an input from validated settings; it binds what must be
	// bound at start (a listening address), so a taken port fails the
	// start, but reads nothing before Run.
	New func(s Settings, env Env) (Input, error)
	// Files says the input's batches name files (Batch.Source): select
	// entries and namespace_tenants apply to it.
	Files bool
}

var registry = sinks.Registry[Factory]{Kind: "inputs"}

// Register makes an input type available; input packages call it from
// init. Registering a type twice panics.
func Register(typ string, f Factory) { registry.Register(typ, f) }

// Lookup returns the factory of a registered input type.
func Lookup(typ string) (Factory, bool) { return registry.Lookup(typ) }

// Types lists the registered input types.
func Types() []string { return registry.Types() }

// CounterVec returns the counter of opts in reg, registering it on first
// use, so that an input built again at a reload counts on.
func CounterVec(reg *prometheus.Registry, opts prometheus.CounterOpts, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(opts, labels)
	var are prometheus.AlreadyRegisteredError
	if err := reg.Register(c); errors.As(err, &are) {
		return are.ExistingCollector.(*prometheus.CounterVec)
	} else if err != nil {
		panic(err)
	}
	return c
}
