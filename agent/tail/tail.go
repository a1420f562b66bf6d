// Package tail reads lines from files that grow and rotate, and from streams.
//
// A Tailer follows the files matching a set of glob patterns. Files are
// tracked by their open descriptor and known by device and inode, so a file
// renamed by log rotation is read to its end exactly once, under whatever
// name it has now; its chunks keep the name it was first tailed under.
// Copytruncate rotation is recognised by the fingerprint of the file's
// first bytes (positions.FingerprintBytes), so the copy is not read a
// second time, and a copy the globs do not match is followed to read what
// the original had not (see copies.go). Lines are handed out in chunks
// (one per read) whose lines are views into a buffer owned by the chunk;
// nothing is allocated per line.
//
// Nothing this package logs contains line content.
package tail

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/positions"
)

// Chunk is a run of complete lines read from one file or stream, in order.
type Chunk struct {
	// Path is the path the file was read under ("-" for a stream).
	Path string
	// Name is the name for the lines' labels: the path under which the
	// file was first tailed (a copytruncate copy takes its original's),
	// which a rename does not change ("-" for a stream).
	Name string
	// ID is the file's identity when the chunk was read (zero for streams).
	ID positions.ID
	// Lines are the lines without their "\n" (a trailing "\r" is removed
	// too). They are views into a buffer owned by the chunk, which the
	// tailer never touches after sending; each line's capacity ends with
	// the line, so appending to one never overwrites the next.
	Lines [][]byte
	// Ends are the file offsets just after each line's newline (for
	// streams, byte counts), so a reader that must re-read from a line
	// (a container log's partial line) knows where it began: line i
	// begins at Ends[i-1], the first at Start.
	Ends []int64
	// Start is the offset where the first line begins.
	Start int64
	// End is the file offset just after the last byte consumed for these
	// lines (including cut-off excess and newlines). For streams it is the
	// total number of bytes consumed so far. End never includes a held
	// partial line.
	End int64
	// Cut is how many of Lines were cut at MaxLineBytes.
	Cut int
	// Cuts are the indexes in Lines of the lines cut at MaxLineBytes, in
	// ascending order (len(Cuts) == Cut), so a reader joining lines (a
	// container log's partial records) knows which of them lost their
	// end. It is nil when no line was cut.
	Cuts []int
	// Done reports that the file is gone or rotated away and fully read,
	// or (without Lines) that a truncated file's old content was taken
	// over by its copy; no further chunks come for this ID. A Done chunk
	// may have no Lines. A chunk without Lines that is not Done
	// checkpoints where a file starts (a copytruncate copy).
	Done bool
}

// Options configures a Tailer. Zero fields take defaults.
type Options struct {
	// Paths are glob patterns (filepath.Match syntax, which may contain *
	// in directory parts); they are re-evaluated continuously.
	Paths []string
	// Exclude are glob patterns matched against the base name; matching
	// files are skipped.
	Exclude []string
	// StartAtEnd starts a file without a stored position that exists at
	// the first scan at its end. Files appearing later always start at 0.
	StartAtEnd bool
	// MaxLineBytes cuts longer lines to at most this many bytes (default
	// 256 KiB), dropping the word at the cut (detect.CutEnd) so no
	// identifier stays in half; the rest up to the newline is discarded
	// and counted in Chunk.Cut (the lines' indexes in Chunk.Cuts) and
	// Stats.Cut.
	MaxLineBytes int
	// ChunkBytes is the size of one read (default 256 KiB). A chunk holds
	// the complete lines of one read plus a carried-over partial line.
	ChunkBytes int
	// Poll is the interval for re-evaluating globs and checking files for
	// growth (default 250ms). fsnotify events wake the loop earlier.
	Poll time.Duration
	// RotateWait is how long a rotated-away or deleted file is kept open
	// after EOF for late writes before it is closed and reported Done
	// (default 1s).
	RotateWait time.Duration
	// NoNotify disables fsnotify: polling only.
	NoNotify bool
	// Once reads every matching file to EOF once (a final line without a
	// newline included), then Run returns nil. No Done chunks are sent in
	// this mode (the files are not gone, the caller keeps their
	// positions), except for the old content a copy took over.
	Once bool
	// Lookup returns the stored checkpoint of a file; nil means none. f
	// may be nil: then only a checkpoint of exactly id matches (the
	// tailer asks whether a file's inode was checkpointed holding the
	// content of its copy). It is called from Run's goroutine only.
	Lookup func(id positions.ID, f *os.File) (offset int64, ok bool)
	// Logger receives the tailer's own logs (never line content); nil
	// means zap.NewNop().
	Logger *zap.Logger
}

const (
	defaultLineBytes  = 256 << 10
	defaultChunkBytes = 256 << 10
	defaultPoll       = 250 * time.Millisecond
	defaultRotateWait = time.Second
	// defaultCopyWait is how long a file whose head equals a live file's
	// head waits for that file to be truncated (copytruncate) before it
	// is taken to be a plain copy and read from its end.
	defaultCopyWait = 30 * time.Second
	// memoTTL is how long the fingerprint of a truncated file is kept to
	// recognise its copy.
	memoTTL = 5 * time.Minute
	// burst is how many reads of one file happen before the others get
	// their turn.
	burst = 16
)

// Log keys.
const (
	keyPath    = "path"
	keyOffset  = "offset"
	keyCopyOf  = "copy_of"
	keyDir     = "dir"
	keyReason  = "reason"
	keyRotated = "rotated"
	keyHint    = "hint"
)

// msgSkipped is the log message of a matched path that is not read.
const msgSkipped = "path skipped"

// ErrRunning is returned by Run when the Tailer is already running.
var ErrRunning = errors.New("tail: tailer is already running")

func (o *Options) defaults() {
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = defaultLineBytes
	}
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = defaultChunkBytes
	}
	if o.Poll <= 0 {
		o.Poll = defaultPoll
	}
	if o.RotateWait <= 0 {
		o.RotateWait = defaultRotateWait
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
}

// Stats are counters of a tailer; safe for concurrent reads.
type Stats struct {
	// Lines, Bytes and Cut count lines sent, bytes consumed and lines cut.
	// Rotations counts files found renamed or gone; Truncations counts
	// files found truncated.
	Lines, Bytes, Cut, Rotations, Truncations atomic.Uint64
	// OpenFiles is the number of files held open.
	OpenFiles atomic.Int64
}

// count adds a chunk's lines to the counters.
func (s *Stats) count(c *Chunk) {
	s.Lines.Add(uint64(len(c.Lines)))
	s.Cut.Add(uint64(c.Cut))
}

// Tailer follows the files matching a set of glob patterns. Its methods
// may be called concurrently, but only one Run may be active at a time.
type Tailer struct {
	o       Options
	log     *zap.Logger
	stats   Stats
	running atomic.Bool
	now     func() time.Time
	// copyWait is defaultCopyWait; tests shorten it.
	copyWait time.Duration

	// patterns are o.Paths cleaned, to match single paths against.
	patterns []string

	// State owned by Run's goroutine.
	files   map[fileKey]*file
	logged  map[fileKey]bool // inodes whose open failure was logged
	skipped map[string]bool  // matched paths logged as not read
	warned  bool             // rotated names outside the globs were warned of
	marks   []*Chunk         // chunks to send before the next read (copies.go)
	memo    []truncation
	rbuf    []byte
	hbuf    []byte // the head of a file, to check its fingerprint
	w       *fsnotify.Watcher
	watched map[string]bool
}

// New returns a Tailer for o. It validates the glob patterns; the error
// names the bad pattern.
func New(o Options) (*Tailer, error) {
	o.defaults()
	var errs []error
	for _, p := range o.Paths {
		if _, err := filepath.Match(p, ""); err != nil {
			errs = append(errs, fmt.Errorf("tail: path pattern %q: %w", p, err))
		}
	}
	for _, p := range o.Exclude {
		if _, err := filepath.Match(p, ""); err != nil {
			errs = append(errs, fmt.Errorf("tail: exclude pattern %q: %w", p, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	t := &Tailer{o: o, log: o.Logger, now: time.Now, copyWait: defaultCopyWait}
	for _, p := range o.Paths {
		t.patterns = append(t.patterns, filepath.Clean(p))
	}
	return t, nil
}

// Stats returns the tailer's counters.
func (t *Tailer) Stats() *Stats { return &t.stats }

// Run follows the files until ctx ends (or, with Once, until every file is
// read) and sends their lines on out. Sending blocks: a caller that does
// not receive holds the tailer back. Run closes nothing it did not open
// (out stays open) and returns nil when ctx ends; errors on single files
// are logged and skipped.
func (t *Tailer) Run(ctx context.Context, out chan<- *Chunk) error {
	if !t.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer t.running.Store(false)
	t.files, t.logged, t.memo = map[fileKey]*file{}, map[fileKey]bool{}, nil
	t.skipped, t.warned, t.marks = map[string]bool{}, false, nil
	t.rbuf = make([]byte, t.o.ChunkBytes)
	t.hbuf = make([]byte, positions.FingerprintBytes)
	defer t.closeAll()
	if t.o.Once {
		return t.once(ctx, out)
	}
	t.startWatcher()
	defer t.stopWatcher()
	tick := time.NewTicker(t.o.Poll)
	defer tick.Stop()
	scan, first := true, true
	for {
		if scan {
			t.scan(first)
			first = false
		}
		if err := t.round(ctx, out); err != nil {
			return nil // ctx ended
		}
		var ok bool
		if scan, ok = t.wait(ctx, tick.C); !ok {
			return nil
		}
	}
}

// once reads every matching file to its end, including a final line
// without a newline.
func (t *Tailer) once(ctx context.Context, out chan<- *Chunk) error {
	t.scan(true)
	if err := t.readAll(ctx, out); err != nil {
		return nil
	}
	for _, f := range t.files {
		if c := f.sp.flush(); c != nil {
			if err := t.send(ctx, out, f, c); err != nil {
				return nil
			}
		}
	}
	return nil
}

// round reads every file to its end, then closes the files that are gone
// and quiet.
func (t *Tailer) round(ctx context.Context, out chan<- *Chunk) error {
	if err := t.readAll(ctx, out); err != nil {
		return err
	}
	now := t.now()
	for _, f := range t.files {
		if f.finished(now, t.o.RotateWait) {
			if err := t.finish(ctx, out, f); err != nil {
				return err
			}
		}
	}
	t.pruneMemo(now)
	return nil
}

// readAll reads the files in turns until none has more data; after the
// first turn only the files that had more are visited.
func (t *Tailer) readAll(ctx context.Context, out chan<- *Chunk) error {
	if err := t.sendMarks(ctx, out); err != nil {
		return err
	}
	busy := slices.Collect(maps.Values(t.files))
	for len(busy) > 0 {
		still := busy[:0]
		for _, f := range busy {
			more, err := t.drain(ctx, out, f)
			if err != nil {
				return err
			}
			if more {
				still = append(still, f)
			}
		}
		busy = still
	}
	return nil
}

// send hands a chunk of f to the caller.
func (t *Tailer) send(ctx context.Context, out chan<- *Chunk, f *file, c *Chunk) error {
	c.Path, c.Name, c.ID = f.path, f.name, f.id
	t.stats.count(c)
	select {
	case out <- c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait blocks until the poll tick (scan is true) or an fsnotify event
// (scan is true when files were created, removed or renamed). ok is false
// when ctx ended.
func (t *Tailer) wait(ctx context.Context, tick <-chan time.Time) (scan, ok bool) {
	var events <-chan fsnotify.Event
	var errs <-chan error
	if t.w != nil {
		events, errs = t.w.Events, t.w.Errors
	}
	select {
	case <-ctx.Done():
		return false, false
	case <-tick:
		return true, true
	case ev, open := <-events:
		if !open {
			t.stopWatcher()
			return true, true
		}
		return t.drainEvents(ev), true
	case err, open := <-errs:
		if !open {
			t.stopWatcher()
		} else {
			// An overflow or a watch error: the scan and the poll
			// tick catch up.
			t.log.Debug("fsnotify error, polling", zap.Error(err))
		}
		return true, true
	}
}

// drainEvents takes the events already queued after ev and reports whether
// any of them asks for a glob scan.
func (t *Tailer) drainEvents(ev fsnotify.Event) bool {
	scan := false
	for range 1024 {
		if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			scan = true
			// A watched directory that went lost its watch; forget it
			// so that it is watched again if it comes back.
			delete(t.watched, ev.Name)
		}
		select {
		case next, open := <-t.w.Events:
			if !open {
				return true
			}
			ev = next
		default:
			return scan
		}
	}
	return true // more events than looked at: scan to be safe
}

// closeAll closes every file still open.
func (t *Tailer) closeAll() {
	for k, f := range t.files {
		t.close(f)
		delete(t.files, k)
	}
}
