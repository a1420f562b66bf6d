package tail

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/positions"
)

// Files next to a tracked file whose names start with its name (app.log.1,
// app.log-20261202 next to app.log) are where rotation puts it. When the
// globs do not match them (a glob like *access.log), the tailer still
// looks at them in two cases, reads such a sibling from where reading
// must resume to its end, and then lets it go (Done):
//
//   - a copytruncate copy: when a file is truncated, the sibling whose head
//     is the file's old head is its copy; it holds what the tailer had
//     not read yet (followCopy);
//   - at the first scan, a sibling with a checkpoint of its own (it was
//     being read when the tailer stopped) or a copy made while the tailer
//     was stopped, whose original's checkpoint is for its content
//     (resumeSibling).
//
// A copy that is compressed at once, or moved to another directory, cannot
// be recognised: what the original had not been read to is lost. At the
// first scan the tailer warns once when rotated siblings are not matched.

// rotatedHint is the advice given with the warning of rotated files the
// globs do not match.
const rotatedHint = "a rotated file outside the paths is read only where it can be followed (an uncompressed copy or " +
	"renamed file next to the original, see the README on rotation); match the rotated names too, excluding compressed ones"

// siblings returns the paths next to path whose names start with its
// name, that the globs do not match and that are not excluded. ls caches
// directory listings (nil: none).
func (t *Tailer) siblings(path string, ls map[string][]string) []string {
	dir, base := filepath.Split(path)
	names, ok := ls[dir]
	if !ok {
		ents, _ := os.ReadDir(filepath.Clean(dir)) // unreadable: no siblings
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if ls != nil {
			ls[dir] = names
		}
	}
	var out []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if n != base && strings.HasPrefix(n, base) && !t.excluded(p) && !t.matched(p) {
			out = append(out, p)
		}
	}
	return out
}

// matched reports whether a glob matches p.
func (t *Tailer) matched(p string) bool {
	for _, pat := range t.patterns {
		if ok, _ := filepath.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// isCopyName reports whether cp is named like a copy of orig: in the same
// directory, its name starting with orig's.
func isCopyName(orig, cp string) bool {
	od, ob := filepath.Split(orig)
	cd, cb := filepath.Split(cp)
	return od == cd && cb != ob && strings.HasPrefix(cb, ob)
}

// rotatedName reports whether name is base with a rotation suffix: ".",
// "-" or "_" and a digit (app.log.1, app.log-20261202.gz).
func rotatedName(base, name string) bool {
	rest, ok := strings.CutPrefix(name, base)
	return ok && len(rest) >= 2 && strings.ContainsRune(".-_", rune(rest[0])) && rest[1] >= '0' && rest[1] <= '9'
}

// sibling is an untracked file next to a tracked one, open.
type sibling struct {
	path  string
	fd    *os.File
	id    positions.ID
	size  int64
	mtime time.Time
}

// openSibling opens the regular, untracked file at p.
func (t *Tailer) openSibling(p string) (sibling, bool) {
	fd, err := openRegular(p)
	if err != nil {
		return sibling{}, false
	}
	fi, err := fd.Stat()
	var id positions.ID
	if err == nil {
		id, err = positions.Identify(fd)
	}
	if _, tracked := t.files[fileKey{id.Dev, id.Ino}]; err != nil || tracked {
		_ = fd.Close()
		return sibling{}, false
	}
	return sibling{path: p, fd: fd, id: id, size: fi.Size(), mtime: fi.ModTime()}, true
}

// follow tracks sibling s of a file as gone from off on, named name: it
// is read to its end and let go.
func (t *Tailer) follow(s sibling, name string, off int64) {
	f := t.track(s.path, s.fd, s.id)
	f.outside, f.gone, f.goneAt = true, true, t.now()
	t.startCopy(f, name, min(off, s.size))
	t.log.Info("reading a rotated file outside the paths to its end", zap.String(keyPath, s.path),
		zap.Int64(keyOffset, f.off))
}

// followCopy follows the copy of a, truncated after being read to end,
// when it lies next to a outside the globs: the sibling with a's old
// head (the newest, if several). It reports whether there was one.
func (t *Tailer) followCopy(a *file, end int64) bool {
	if a.id.FPLen != positions.FingerprintBytes {
		return false
	}
	var best sibling
	for _, p := range t.siblings(a.path, nil) {
		s, ok := t.openSibling(p)
		switch {
		case !ok:
		case s.id.FPLen != positions.FingerprintBytes || s.id.Fingerprint != a.id.Fingerprint || best.fd != nil && !s.mtime.After(best.mtime):
			_ = s.fd.Close()
		default:
			if best.fd != nil {
				_ = best.fd.Close()
			}
			best = s
		}
	}
	if best.fd == nil {
		return false
	}
	t.follow(best, a.name, end)
	return true
}

// firstSiblings looks at the siblings of the files found by the first
// scan: it warns (once) of rotated names the globs do not match and
// resumes what was left unread in them.
func (t *Tailer) firstSiblings() {
	ls := map[string][]string{}
	var tracked []*file // t.files grows meanwhile
	for _, f := range t.files {
		if !f.gone {
			tracked = append(tracked, f)
		}
	}
	for _, a := range tracked {
		for _, p := range t.siblings(a.path, ls) {
			if !t.warned && rotatedName(filepath.Base(a.path), filepath.Base(p)) {
				t.warned = true
				t.log.Warn("rotated files are not matched by the paths", zap.String(keyPath, a.path),
					zap.String(keyRotated, p), zap.String(keyHint, rotatedHint))
			}
			t.resumeSibling(a, p)
		}
	}
}

// resumeSibling follows the sibling p of a from its own checkpoint, or,
// when it is a copy of a made while the tailer was stopped, from a's old
// checkpoint (see resumeCopy); either way a was rotated while the tailer
// was stopped. Other siblings are left alone.
func (t *Tailer) resumeSibling(a *file, p string) {
	if t.o.Lookup == nil {
		return
	}
	s, ok := t.openSibling(p)
	if !ok {
		return
	}
	if off, ok := t.o.Lookup(s.id, s.fd); ok && off >= 0 && off <= s.size {
		t.follow(s, s.path, off)
		t.rotatedWhileStopped(a)
		return
	}
	held := a.id.FPLen == s.id.FPLen && a.id.Fingerprint == s.id.Fingerprint
	if s.id.FPLen == positions.FingerprintBytes && !held {
		old := positions.ID{Dev: a.id.Dev, Ino: a.id.Ino, Fingerprint: s.id.Fingerprint, FPLen: s.id.FPLen}
		if off, ok := t.o.Lookup(old, nil); ok && off >= 0 {
			t.follow(s, a.name, off)
			t.forget(a.path, a.name, old, off)
			t.rotatedWhileStopped(a)
			return
		}
	}
	_ = s.fd.Close()
}
