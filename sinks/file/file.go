// Package file is the sink that writes anonymized entries to rotated local
// files, optionally as lz4 frames, and deletes its own files once they are
// older than the retention period (invariant 4).
//
// Files are named <sink>-<UTC start time>.log (".log.lz4" compressed), mode
// 0600 in a 0700 directory. Send returns after the batch is written and
// fsynced, so the agent may advance the spool cursor.
package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pierrec/lz4/v4"

	"github.com/tarn-project/tarn/sinks"
)

// Options of a file sink.
type Options struct {
	// Dir is the output directory.
	Dir string
	// NDJSON writes time, labels and line objects instead of bare lines.
	NDJSON bool
	// LZ4 compresses each file as an lz4 frame.
	LZ4 bool
	// MaxBytes starts a new file once this many (uncompressed) bytes are
	// written (default 128 MiB).
	MaxBytes int64
	// MaxAge starts a new file after this long (default 1h).
	MaxAge time.Duration
	// Retention deletes the sink's files whose last write is older than
	// this (required: retention.max_age, or aggregates_max_age for a sink
	// of aggregates).
	Retention time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Sink writes rotated files. It is not safe for concurrent use; the
// delivery loop of the sink is its only caller.
type Sink struct {
	name    string
	o       Options
	f       *os.File
	lz      *lz4.Writer
	w       io.Writer
	written int64
	opened  time.Time
	buf     []byte
	synced  int64 // size of the current file after its last synced batch
	closed  bool
	// lastIdle is when Idle last did its housekeeping.
	lastIdle time.Time
}

var _ sinks.Sink = (*Sink)(nil)

// New creates the directory (0700) and deletes expired files.
func New(name string, o Options) (*Sink, error) {
	if o.Dir == "" {
		return nil, errors.New("file: no directory")
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 128 << 20
	}
	if o.MaxAge <= 0 {
		o.MaxAge = time.Hour
	}
	if o.Retention <= 0 {
		return nil, errors.New("file: no retention")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	if err := os.Chmod(o.Dir, 0o700); err != nil { // anonymized, but still nobody else's
		return nil, fmt.Errorf("file: %w", err)
	}
	s := &Sink{name: name, o: o}
	if _, err := s.Expire(); err != nil {
		return nil, err
	}
	if err := s.repairTorn(); err != nil {
		return nil, err
	}
	return s, nil
}

// repairTorn truncates the sink's newest plain file back to its last
// newline: a process killed while writing a batch (SIGKILL, power loss)
// can leave part of a line, and that batch, never acknowledged, is sent
// again whole to a new file. (An lz4 file keeps its whole blocks; the
// reader stops at the cut frame.)
func (s *Sink) repairTorn() error {
	files, err := s.Files()
	if err != nil || len(files) == 0 {
		return err
	}
	last := files[len(files)-1]
	if strings.HasSuffix(last, ".lz4") {
		return nil
	}
	f, err := os.OpenFile(last, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	defer f.Close()
	keep, err := lastNewlineEnd(f)
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	if fi, err := f.Stat(); err != nil || fi.Size() == keep {
		return err
	}
	if err := f.Truncate(keep); err != nil {
		return fmt.Errorf("file: repair torn line of %s: %w", last, err)
	}
	return f.Sync()
}

// lastNewlineEnd returns the offset just past the last '\n' of f (0 when
// there is none).
func lastNewlineEnd(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	for end := fi.Size(); end > 0; {
		start := max(0, end-int64(len(buf)))
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// Send appends the entries to the current file, rotating first when it is
// full or old, and fsyncs. The batch is written whole or not at all: on
// any error the file is truncated back to its size before the batch (an
// lz4 file is then closed, a valid prefix of its frame, and the retry
// starts a new one). Write errors are retryable.
func (s *Sink) Send(_ context.Context, b *sinks.Batch) error {
	if s.closed {
		return sinks.Permanent(errors.New("file: send after close"))
	}
	if err := s.rotateIfDue(); err != nil {
		return err
	}
	s.buf = s.buf[:0]
	for _, e := range b.Entries {
		s.buf = sinks.AppendEncoded(s.buf, e, s.o.NDJSON)
	}
	if err := s.write(); err != nil {
		return s.undo(err)
	}
	s.written += int64(len(s.buf))
	return nil
}

// write writes s.buf to the current file and syncs it, and records the
// file's new size.
func (s *Sink) write() error {
	if _, err := s.w.Write(s.buf); err != nil {
		return fmt.Errorf("file: write %s: %w", s.f.Name(), err)
	}
	if s.lz != nil {
		if err := s.lz.Flush(); err != nil {
			return fmt.Errorf("file: write %s: %w", s.f.Name(), err)
		}
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("file: sync %s: %w", s.f.Name(), err)
	}
	fi, err := s.f.Stat()
	if err != nil {
		return fmt.Errorf("file: stat %s: %w", s.f.Name(), err)
	}
	s.synced = fi.Size()
	return nil
}

// undo truncates the current file back to its last synced size after a
// failed write, so no partial line stays, and returns err (with the
// truncation's error, if any).
func (s *Sink) undo(err error) error {
	terr := s.f.Truncate(s.synced)
	if terr == nil {
		terr = s.f.Sync()
	}
	if s.lz != nil || terr != nil { // the writer's state is lost: start a new file
		s.f.Close()
		s.f, s.lz, s.w = nil, nil, nil
	}
	if terr != nil {
		return fmt.Errorf("%w (and truncating back: %v)", err, terr)
	}
	return err
}

// rotateIfDue opens a file if none is open, or a new one when the current
// is full or older than MaxAge.
func (s *Sink) rotateIfDue() error {
	now := s.o.Now()
	if s.f != nil && s.written < s.o.MaxBytes && now.Sub(s.opened) < s.o.MaxAge {
		return nil
	}
	if err := s.closeFile(); err != nil {
		return err
	}
	if _, err := s.Expire(); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s.log", s.name, now.UTC().Format("20060102T150405.000000000Z"))
	if s.o.LZ4 {
		name += ".lz4"
	}
	f, err := os.OpenFile(filepath.Join(s.o.Dir, name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("file: %w", err)
	}
	s.f, s.w, s.written, s.opened, s.synced = f, f, 0, now, fi.Size()
	if s.o.LZ4 {
		s.lz = lz4.NewWriter(f)
		s.w = s.lz
	}
	return nil
}

// closeFile finishes the current file (the lz4 frame's end mark included).
func (s *Sink) closeFile() error {
	if s.f == nil {
		return nil
	}
	var err error
	if s.lz != nil {
		err = s.lz.Close()
	}
	err = errors.Join(err, s.f.Sync(), s.f.Close())
	s.f, s.lz, s.w = nil, nil, nil
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	return nil
}

// Expire deletes the sink's own files last written before now minus the
// retention period, never the open one, and returns how many it deleted.
func (s *Sink) Expire() (int, error) {
	entries, err := os.ReadDir(s.o.Dir)
	if err != nil {
		return 0, fmt.Errorf("file: %w", err)
	}
	cutoff := s.o.Now().Add(-s.o.Retention)
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), s.name+"-") || !strings.Contains(e.Name(), ".log") {
			continue
		}
		p := filepath.Join(s.o.Dir, e.Name())
		fi, err := e.Info()
		if err != nil || (s.f != nil && p == s.f.Name()) || !fi.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(p); err != nil {
			return n, fmt.Errorf("file: %w", err)
		}
		n++
	}
	return n, nil
}

// Idle closes the current file once it is older than MaxAge and deletes
// expired files, at most once a minute; the delivery loop calls it when
// there is nothing to send, so retention holds without traffic.
func (s *Sink) Idle(context.Context) error {
	now := s.o.Now()
	if d := now.Sub(s.lastIdle); d >= 0 && d < time.Minute {
		return nil
	}
	s.lastIdle = now
	if s.f != nil && now.Sub(s.opened) >= s.o.MaxAge {
		if err := s.closeFile(); err != nil {
			return err
		}
	}
	_, err := s.Expire()
	return err
}

// Files lists the sink's files, oldest first.
func (s *Sink) Files() ([]string, error) {
	m, err := filepath.Glob(filepath.Join(s.o.Dir, s.name+"-*.log*"))
	sort.Strings(m)
	return m, err
}

// Close finishes the current file; it is safe to call twice.
func (s *Sink) Close(context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	return s.closeFile()
}
