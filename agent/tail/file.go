package tail

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/cespare/xxhash/v2"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/positions"
)

// fileKey is a file's device and inode.
type fileKey struct{ dev, ino uint64 }

// file is one tracked file, open until it is gone and read to its end.
type file struct {
	path string // where it was last seen
	name string // the name for its chunks (Chunk.Name)
	fd   *os.File
	key  fileKey
	id   positions.ID
	off  int64 // the next byte to read
	sp   splitter

	// decided is set once the start offset is known. A file appearing
	// after the first scan is decided when it first holds data, so that
	// a copy being written is recognised by its head.
	decided bool
	// copyOf is the live file this one's head equals, while its start
	// waits for that file to be truncated (copytruncate).
	copyOf   *file
	copySize int64     // size when last seen while waiting
	copyAt   time.Time // when copySize last changed

	outside  bool      // a sibling outside the globs, followed to its end (follow.go)
	gone     bool      // no glob match refers to this inode any more
	goneAt   time.Time // when it went
	lastData time.Time // when data was last read
	eof      bool      // the last read reached the end
	readErr  bool      // a read error was logged

	// rotated is set at the first scan for a file whose rotated sibling
	// holds a checkpoint: it was rotated while the tailer was stopped, so
	// it starts at 0 even with StartAtEnd (atEnd: it was started there).
	rotated, atEnd bool
}

// finished reports whether f is gone, read to its end and quiet for wait.
func (f *file) finished(now time.Time, wait time.Duration) bool {
	if !f.gone || (f.decided && !f.eof) {
		return false
	}
	since := f.goneAt
	if f.lastData.After(since) {
		since = f.lastData
	}
	return now.Sub(since) >= wait
}

// open starts tracking the file at path, its start not yet decided. It
// returns nil when the file cannot be opened or is tracked already.
func (t *Tailer) open(path string, key fileKey) *file {
	fd, err := openRegular(path)
	if err != nil {
		t.openFailed(key, path, err)
		return nil
	}
	id, err := positions.Identify(fd)
	if err != nil {
		_ = fd.Close()
		t.openFailed(key, path, err)
		return nil
	}
	k := fileKey{id.Dev, id.Ino}
	if _, ok := t.files[k]; ok { // the path was replaced by a tracked file
		_ = fd.Close()
		return nil
	}
	return t.track(path, fd, id)
}

// track adds an open file to the tracked ones, named by its path.
func (t *Tailer) track(path string, fd *os.File, id positions.ID) *file {
	f := &file{path: path, name: path, fd: fd, key: fileKey{id.Dev, id.Ino}, id: id,
		sp: splitter{max: t.o.MaxLineBytes}, lastData: t.now()}
	t.files[f.key] = f
	t.stats.OpenFiles.Add(1)
	t.log.Debug("file opened", zap.String(keyPath, path))
	return f
}

// openRegular opens path for reading if it is a regular file; a FIFO is
// opened without blocking and refused.
func openRegular(path string) (*os.File, error) {
	fd, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := fd.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New(modeName(fi.Mode()))
	}
	if err != nil {
		_ = fd.Close()
		return nil, err
	}
	return fd, nil
}

// openFailed logs a file that cannot be opened, once per inode.
func (t *Tailer) openFailed(key fileKey, path string, err error) {
	if t.logged[key] {
		return
	}
	t.logged[key] = true
	t.log.Warn(msgSkipped, zap.String(keyPath, path), zap.String(keyReason, reason(err)))
}

// fileSize returns f's size, 0 when it cannot be found out.
func fileSize(f *file) int64 {
	fi, err := f.fd.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}

// decideFirst decides the start of the files found at the first scan:
// first those with a stored position; then a copy of one of these (its
// head equals theirs) waits for its truncation like a copy appearing
// later, and a copy made while the tailer was stopped starts where its
// original's checkpoint is (resumeCopy); the others start at their end
// (StartAtEnd) or 0.
func (t *Tailer) decideFirst(opened []*file) {
	var rest []*file
	for _, f := range opened {
		if off, ok := t.lookup(f, fileSize(f)); ok {
			t.start(f, off)
		} else {
			rest = append(rest, f)
		}
	}
	for _, f := range rest {
		if a := t.liveCopy(f); a != nil {
			t.waitOn(f, a, fileSize(f))
		}
	}
	for _, f := range rest {
		if f.decided || f.copyOf != nil {
			continue
		}
		n := fileSize(f)
		switch {
		case t.resumeCopy(f, n):
		case t.o.StartAtEnd && !f.rotated:
			t.start(f, n)
			f.atEnd = true
		default:
			t.start(f, 0)
		}
	}
}

// lookup asks Lookup for f's stored offset, accepted when within size.
func (t *Tailer) lookup(f *file, size int64) (int64, bool) {
	if t.o.Lookup == nil {
		return 0, false
	}
	off, ok := t.o.Lookup(f.id, f.fd)
	return off, ok && off >= 0 && off <= size
}

// start makes f read from off.
func (t *Tailer) start(f *file, off int64) {
	f.decided, f.copyOf, f.off = true, nil, off
	f.sp.reset(off)
}

// decide picks the start of a file that appeared after the first scan,
// once it holds data: its stored position, else the offset remembered for
// a truncated file it is the copy of, else (when its head equals that of a
// live file) it waits for that file's truncation, else where the
// checkpoint of its original is (resumeCopy), else 0.
func (t *Tailer) decide(f *file, size int64) {
	if size == 0 {
		return
	}
	t.identify(f)
	if off, ok := t.lookup(f, size); ok {
		t.start(f, off)
		return
	}
	if f.id.FPLen == positions.FingerprintBytes {
		if m, ok := t.takeMemo(f.id.Fingerprint); ok {
			t.log.Info("copy of a truncated file, skipping what was read", zap.String(keyPath, f.path), zap.Int64(keyOffset, min(m.off, size)))
			t.startCopy(f, m.name, min(m.off, size))
			t.forget(m.path, m.name, m.old, m.off)
			return
		}
		if a := t.liveCopy(f); a != nil {
			t.waitOn(f, a, size)
			return
		}
		if t.resumeCopy(f, size) {
			return
		}
	}
	t.start(f, 0)
}

// headChanged reports whether the first bytes of f no longer hash to its
// fingerprint: the file was truncated and has grown past the old offset
// again between two looks (copytruncate followed by fast writes), which a
// size comparison alone cannot see.
func (t *Tailer) headChanged(f *file) bool {
	n := f.id.FPLen
	if n == 0 {
		return false
	}
	got, err := f.fd.ReadAt(t.hbuf[:n], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	return got < n || xxhash.Sum64(t.hbuf[:n]) != f.id.Fingerprint
}

// identify refreshes f's ID (its fingerprint grows with a short file).
func (t *Tailer) identify(f *file) {
	if id, err := positions.Identify(f.fd); err == nil {
		f.id = id
	}
}

// drain reads f from its offset until its end or burst reads, sending a
// chunk per read. more reports that f may hold more data right now.
func (t *Tailer) drain(ctx context.Context, out chan<- *Chunk, f *file) (more bool, err error) {
	fi, err := f.fd.Stat()
	if err != nil {
		t.readFailed(f, err)
		return false, nil
	}
	size := fi.Size()
	switch {
	case f.copyOf != nil:
		t.checkCopy(f, size)
	case !f.decided:
		t.decide(f, size)
	case size < f.off || t.headChanged(f):
		if f.outside { // rewritten: no longer what was followed
			return false, t.finish(ctx, out, f)
		}
		t.truncated(f)
	}
	if err := t.sendMarks(ctx, out); err != nil {
		return false, err
	}
	if !f.decided {
		return false, nil
	}
	for range burst {
		n, err := f.fd.ReadAt(t.rbuf, f.off)
		if n > 0 {
			if err := t.consume(ctx, out, f, t.rbuf[:n]); err != nil {
				return false, err
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.readFailed(f, err)
			}
			f.eof = true
			return false, nil
		}
	}
	return true, nil
}

// consume passes bytes read from f at its offset to its splitter and sends
// the complete lines.
func (t *Tailer) consume(ctx context.Context, out chan<- *Chunk, f *file, data []byte) error {
	f.off += int64(len(data))
	f.eof, f.readErr, f.lastData = false, false, t.now()
	t.stats.Bytes.Add(uint64(len(data)))
	if f.id.FPLen < positions.FingerprintBytes && f.off > int64(f.id.FPLen) {
		t.identify(f)
	}
	c := f.sp.feed(data)
	if c == nil {
		return nil
	}
	return t.send(ctx, out, f, c)
}

// readFailed logs a failing file once until it reads again.
func (t *Tailer) readFailed(f *file, err error) {
	if !f.readErr {
		f.readErr = true
		t.log.Warn("cannot read file", zap.String(keyPath, f.path), zap.Error(err))
	}
}

// truncated handles a file found shorter than what was read or holding
// new content (copytruncate): its copy (a file waiting on it, a tracked
// file with its old head, or one next to it outside the globs) starts
// where it had been read to and takes over its checkpoint, else the head
// is remembered for a copy appearing later; the file itself is read again
// from 0.
func (t *Tailer) truncated(f *file) {
	t.stats.Truncations.Add(1)
	end, old := f.sp.end, f.id
	t.log.Info("file truncated, reading from the start", zap.String(keyPath, f.path), zap.Int64(keyOffset, end))
	switch {
	case t.settleCopies(f, end) || t.adoptCopy(f, end) || t.followCopy(f, end):
		t.forget(f.path, f.name, old, end)
	case old.FPLen == positions.FingerprintBytes:
		t.memo = append(t.memo, truncation{fp: old.Fingerprint, off: end, at: t.now(), old: old, path: f.path, name: f.name})
	}
	t.start(f, 0)
	f.eof = false
	t.identify(f)
}

// finish sends the final line of a gone file with Done and closes it.
func (t *Tailer) finish(ctx context.Context, out chan<- *Chunk, f *file) error {
	c := f.sp.flush()
	if c == nil {
		c = &Chunk{Start: f.sp.end, End: f.sp.end}
	}
	c.Done = true
	if err := t.send(ctx, out, f, c); err != nil {
		return err
	}
	t.log.Debug("file done", zap.String(keyPath, f.path), zap.Int64(keyOffset, c.End))
	t.settleCopies(f, c.End)
	t.close(f)
	delete(t.files, f.key)
	return nil
}

// close closes f's descriptor.
func (t *Tailer) close(f *file) {
	if err := f.fd.Close(); err != nil {
		t.log.Debug("close failed", zap.String(keyPath, f.path), zap.Error(err))
	}
	t.stats.OpenFiles.Add(-1)
}
