package tail

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/positions"
)

// Copytruncate rotation copies a log to a new file and truncates the
// original. The copy holds what was already read from the original, so it
// must start where the original had been read to. The copy is recognised by
// its head (the fingerprint of its first positions.FingerprintBytes bytes):
//
//   - found after the truncation: the truncated file's fingerprint and
//     offset are remembered for memoTTL (a truncation);
//   - found before the truncation: its head equals a live file's head; it
//     waits (unread) until that file is truncated, closed, or copyWait
//     passes without the copy growing (then it is a plain copy, whose
//     content the live file reads itself, and it starts at its end);
//   - next to the original (same directory, its name starting with the
//     original's) but not matched by the globs: it is followed from the
//     original's offset to its end, then let go (follow.go);
//   - made while the tailer was stopped: the checkpoint of the original's
//     inode is for the copy's content (resumeCopy).
//
// A copy's start is checkpointed at once (a chunk without lines, sent
// before anything else is read), and the original's checkpoint of its old
// content is forgotten (a Done chunk for that ID), so after a restart the
// copy resumes from its own checkpoint. A copy's chunks carry its
// original's name. Files shorter than FingerprintBytes cannot be told
// apart and are read from 0.

// truncation remembers a truncated file's head and how far it was read.
type truncation struct {
	fp   uint64
	off  int64
	at   time.Time
	old  positions.ID // the file's ID before the truncation
	path string       // where it was then
	name string       // its Chunk.Name
}

// takeMemo returns and forgets the truncation remembered for a truncated
// file with fingerprint fp.
func (t *Tailer) takeMemo(fp uint64) (truncation, bool) {
	for i, m := range t.memo {
		if m.fp == fp {
			t.memo = append(t.memo[:i], t.memo[i+1:]...)
			return m, true
		}
	}
	return truncation{}, false
}

// pruneMemo forgets truncations older than memoTTL.
func (t *Tailer) pruneMemo(now time.Time) {
	kept := t.memo[:0]
	for _, m := range t.memo {
		if now.Sub(m.at) < memoTTL {
			kept = append(kept, m)
		}
	}
	clear(t.memo[len(kept):])
	t.memo = kept
}

// liveCopy returns the tracked, decided file whose (full) head f's head
// equals, or nil.
func (t *Tailer) liveCopy(f *file) *file {
	if f.id.FPLen != positions.FingerprintBytes {
		return nil
	}
	for _, a := range t.files {
		if a != f && a.decided && a.id.FPLen == positions.FingerprintBytes && a.id.Fingerprint == f.id.Fingerprint {
			return a
		}
	}
	return nil
}

// waitOn makes f, whose head equals live file a's, wait for a's
// truncation (with Once, which does not wait, it is a plain copy and
// starts at its end).
func (t *Tailer) waitOn(f, a *file, size int64) {
	if t.o.Once {
		t.start(f, size)
		return
	}
	f.copyOf, f.copySize, f.copyAt = a, size, t.now()
	t.log.Debug("file looks like a copy, waiting", zap.String(keyPath, f.path), zap.String(keyCopyOf, a.path))
}

// checkCopy decides the start of f, which waits on the live file it looks
// like a copy of: when that file's head changed, it was truncated; when f
// stopped growing for copyWait, f is a plain copy and starts at its end.
func (t *Tailer) checkCopy(f *file, size int64) {
	a := f.copyOf
	if id, err := positions.Identify(a.fd); err != nil || id.FPLen != positions.FingerprintBytes || id.Fingerprint != f.id.Fingerprint {
		t.truncated(a) // settles f
		return
	}
	now := t.now()
	if size != f.copySize {
		f.copySize, f.copyAt = size, now
		return
	}
	if now.Sub(f.copyAt) >= t.copyWait {
		t.log.Info("copy of a live file, reading from its end", zap.String(keyPath, f.path), zap.String(keyCopyOf, a.path))
		t.start(f, size)
		t.mark(f)
	}
}

// settleCopies starts the files waiting on a (which was truncated or
// closed after being read up to end) at end. It reports whether there were
// any.
func (t *Tailer) settleCopies(a *file, end int64) bool {
	found := false
	for _, f := range t.files {
		if f.copyOf != a {
			continue
		}
		found = true
		t.startCopyAt(f, a, end)
	}
	return found
}

// startCopyAt starts f, a copy of a, at end (what was read of a), or at
// its size when it is shorter.
func (t *Tailer) startCopyAt(f, a *file, end int64) {
	off := min(end, fileSize(f))
	t.log.Info("copy of a truncated file, skipping what was read", zap.String(keyPath, f.path), zap.Int64(keyOffset, off))
	t.startCopy(f, a.name, off)
}

// adoptCopy starts a tracked file not decided yet whose head is a's head
// before its truncation (a copy seen by a scan before its first read) at
// end, like a copy waiting on a. It reports whether there was one.
func (t *Tailer) adoptCopy(a *file, end int64) bool {
	if a.id.FPLen != positions.FingerprintBytes {
		return false
	}
	found := false
	for _, f := range t.files {
		if f == a || f.decided || f.copyOf != nil {
			continue
		}
		if t.identify(f); f.id.FPLen == positions.FingerprintBytes && f.id.Fingerprint == a.id.Fingerprint {
			found = true
			t.startCopyAt(f, a, end)
		}
	}
	return found
}

// resumeCopy starts f where the checkpoint of its original left off when
// f is a copy made while the tailer was stopped: a tracked file that f's
// name continues in the same directory (app.log for app.log.1) holds
// other content now, and its inode's checkpoint is for f's content. The
// original's old checkpoint is forgotten; f's carries it on.
func (t *Tailer) resumeCopy(f *file, size int64) bool {
	a, old, off, ok := t.checkpointedOriginal(f)
	if !ok {
		return false
	}
	off = min(off, size)
	t.log.Info("copy of a file truncated while stopped, skipping what was read", zap.String(keyPath, f.path),
		zap.String(keyCopyOf, a.path), zap.Int64(keyOffset, off))
	t.startCopy(f, a.name, off)
	t.forget(a.path, a.name, old, off)
	t.rotatedWhileStopped(a)
	return true
}

// rotatedWhileStopped notes that, at the first scan, a's rotated file was
// found holding a checkpoint (its own or a's old one): what a holds now
// was written since, so a starts at 0 even with StartAtEnd (nothing is
// read before the first scan ends).
func (t *Tailer) rotatedWhileStopped(a *file) {
	a.rotated = true
	if a.atEnd {
		t.start(a, 0)
		a.atEnd = false
	}
}

// checkpointedOriginal finds the original of f among the tracked files
// by its checkpoint (see resumeCopy): the original, the ID of its old
// content and the offset stored for it.
func (t *Tailer) checkpointedOriginal(f *file) (a *file, old positions.ID, off int64, ok bool) {
	if t.o.Lookup == nil || f.id.FPLen != positions.FingerprintBytes {
		return nil, old, 0, false
	}
	for _, a := range t.files {
		if a == f || !isCopyName(a.path, f.path) || a.id.FPLen == f.id.FPLen && a.id.Fingerprint == f.id.Fingerprint {
			continue
		}
		old := positions.ID{Dev: a.id.Dev, Ino: a.id.Ino, Fingerprint: f.id.Fingerprint, FPLen: f.id.FPLen}
		// No file to compare a shorter fingerprint with: only a
		// checkpoint of this exact content matches.
		if off, ok := t.o.Lookup(old, nil); ok && off >= 0 {
			return a, old, off, true
		}
	}
	return nil, old, 0, false
}

// startCopy starts copy f at off under its original's name and
// checkpoints that start.
func (t *Tailer) startCopy(f *file, name string, off int64) {
	t.start(f, off)
	f.name = name
	t.mark(f)
}

// mark queues a chunk without lines that checkpoints f's start.
func (t *Tailer) mark(f *file) {
	t.marks = append(t.marks, &Chunk{Path: f.path, Name: f.name, ID: f.id, Start: f.off, End: f.off})
}

// forget queues a Done chunk for the old content (ID old) of a truncated
// file, whose copy took over: its checkpoint is dropped after the copy's.
func (t *Tailer) forget(path, name string, old positions.ID, off int64) {
	t.marks = append(t.marks, &Chunk{Path: path, Name: name, ID: old, Start: off, End: off, Done: true})
}

// sendMarks sends the queued marks, in order, before any further read.
func (t *Tailer) sendMarks(ctx context.Context, out chan<- *Chunk) error {
	for len(t.marks) > 0 {
		c := t.marks[0]
		select {
		case out <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
		t.marks[0] = nil
		t.marks = t.marks[1:]
	}
	t.marks = nil
	return nil
}
