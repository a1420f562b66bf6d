package tail

import (
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
//     content the live file reads itself, and it starts at its end).
//
// Files shorter than FingerprintBytes cannot be told apart and are read
// from 0.

// truncation remembers a truncated file's head and how far it was read.
type truncation struct {
	fp  uint64
	off int64
	at  time.Time
}

// takeMemo returns and forgets the offset remembered for a truncated file
// with fingerprint fp.
func (t *Tailer) takeMemo(fp uint64) (int64, bool) {
	for i, m := range t.memo {
		if m.fp == fp {
			t.memo = append(t.memo[:i], t.memo[i+1:]...)
			return m.off, true
		}
	}
	return 0, false
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

// liveCopy returns the tracked file whose (full) head f's head equals, or
// nil.
func (t *Tailer) liveCopy(f *file) *file {
	for _, a := range t.files {
		if a != f && a.decided && a.id.FPLen == positions.FingerprintBytes && a.id.Fingerprint == f.id.Fingerprint {
			return a
		}
	}
	return nil
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
		off := end
		if fi, err := f.fd.Stat(); err == nil {
			off = min(off, fi.Size())
		}
		t.log.Info("copy of a truncated file, skipping what was read", zap.String(keyPath, f.path), zap.Int64(keyOffset, off))
		t.start(f, off)
	}
	return found
}
