package tail

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// scan evaluates the globs: tracked files found under a new name follow it,
// tracked files no longer found are marked gone, and new files are opened.
func (t *Tailer) scan(first bool) {
	if t.w != nil {
		t.rewatch()
	}
	matches := t.glob()
	now := t.now()
	for k, f := range t.files {
		p, ok := matches[k]
		switch {
		case ok && (f.gone || p != f.path):
			if !f.gone {
				t.stats.Rotations.Add(1)
			}
			t.log.Debug("file renamed", zap.String(keyPath, p))
			f.path, f.gone = p, false
		case !ok && !f.gone:
			t.stats.Rotations.Add(1)
			t.log.Debug("file rotated away or deleted", zap.String(keyPath, f.path))
			f.gone, f.goneAt = true, now
		}
	}
	var opened []*file
	for k, p := range matches {
		if _, ok := t.files[k]; !ok {
			if f := t.open(p, k); f != nil {
				opened = append(opened, f)
			}
		}
	}
	if first {
		t.decideFirst(opened)
		t.firstSiblings()
		for _, f := range t.files {
			f.atEnd = false // reading begins
		}
	}
	for k := range t.logged {
		if _, ok := matches[k]; !ok {
			delete(t.logged, k)
		}
	}
}

// glob returns the regular files matching the patterns and not excluded,
// by inode (the first path found for an inode wins). Matched paths that
// are not regular files are logged once (skip).
func (t *Tailer) glob() map[fileKey]string {
	matches := map[fileKey]string{}
	skipped := map[string]bool{}
	for _, pattern := range t.o.Paths {
		paths, _ := filepath.Glob(pattern) // patterns are valid (New)
		for _, p := range paths {
			if t.excluded(p) {
				continue
			}
			fi, err := os.Stat(p)
			if err != nil {
				if _, lerr := os.Lstat(p); lerr == nil || !errors.Is(err, fs.ErrNotExist) {
					t.skip(p, reason(err), skipped) // not merely gone since
				}
				continue
			}
			if !fi.Mode().IsRegular() {
				t.skip(p, modeName(fi.Mode()), skipped)
				continue
			}
			st, ok := fi.Sys().(*syscall.Stat_t)
			if !ok {
				continue
			}
			k := fileKey{uint64(st.Dev), st.Ino}
			if _, dup := matches[k]; !dup {
				matches[k] = p
			}
		}
	}
	for p := range t.skipped {
		if !skipped[p] {
			delete(t.skipped, p) // fine again or gone: logged again if it comes back
		}
	}
	return matches
}

// skip logs that matched path p is not read, once while it stays so, and
// adds it to now.
func (t *Tailer) skip(p, why string, now map[string]bool) {
	now[p] = true
	if t.skipped[p] {
		return
	}
	t.skipped[p] = true
	t.log.Warn(msgSkipped, zap.String(keyPath, p), zap.String(keyReason, why))
}

// reason is the cause of err without the path it names.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// modeName names a file type that is not read.
func modeName(m fs.FileMode) string {
	switch t := m.Type(); {
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeDevice != 0:
		return "a device"
	default:
		return "not a regular file (" + m.String() + ")"
	}
}

// excluded reports whether p's base name matches an Exclude pattern.
func (t *Tailer) excluded(p string) bool {
	base := filepath.Base(p)
	for _, x := range t.o.Exclude {
		if ok, _ := filepath.Match(x, base); ok {
			return true
		}
	}
	return false
}

// startWatcher starts fsnotify unless disabled; without it the tailer
// polls.
func (t *Tailer) startWatcher() {
	t.watched = map[string]bool{}
	if t.o.NoNotify {
		return
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		t.log.Warn("fsnotify unavailable, polling only", zap.Error(err))
		return
	}
	t.w = w
}

// stopWatcher closes the watcher; the tailer polls from then on.
func (t *Tailer) stopWatcher() {
	if t.w != nil {
		_ = t.w.Close()
		t.w = nil
	}
}

// rewatch watches the directories the globs can match in, adding those
// that appeared and dropping those that went.
func (t *Tailer) rewatch() {
	want := map[string]bool{}
	for _, p := range t.o.Paths {
		watchDirs(filepath.Dir(p), want)
	}
	for d := range want {
		if !t.watched[d] {
			if err := t.w.Add(d); err != nil {
				t.log.Debug("cannot watch directory", zap.String(keyDir, d), zap.Error(err))
				continue
			}
			t.watched[d] = true
		}
	}
	for d := range t.watched {
		if !want[d] {
			_ = t.w.Remove(d) // fails when the directory is gone; fine
			delete(t.watched, d)
		}
	}
}

// watchDirs adds to want every existing directory on the way to dir, a
// directory pattern: each level that matches, and where the literal part
// does not exist yet, its nearest existing ancestor (to see it appear).
func watchDirs(dir string, want map[string]bool) {
	dir = filepath.Clean(dir)
	lit, rest := splitLiteral(dir)
	if !isDir(lit) {
		for a := filepath.Dir(lit); ; a = filepath.Dir(a) {
			if isDir(a) {
				want[a] = true
				return
			}
			if a == filepath.Dir(a) {
				return
			}
		}
	}
	want[lit] = true
	prefix := lit
	for _, part := range rest {
		prefix = filepath.Join(prefix, part)
		matches, _ := filepath.Glob(prefix)
		for _, m := range matches {
			if isDir(m) {
				want[m] = true
			}
		}
	}
}

// splitLiteral splits a cleaned directory pattern into its leading part
// without glob characters and the remaining path elements.
func splitLiteral(dir string) (lit string, rest []string) {
	parts := strings.Split(dir, string(filepath.Separator))
	i := 0
	for i < len(parts) && !strings.ContainsAny(parts[i], `*?[\`) {
		i++
	}
	lit = strings.Join(parts[:i], string(filepath.Separator))
	switch {
	case lit == "" && strings.HasPrefix(dir, string(filepath.Separator)):
		lit = string(filepath.Separator)
	case lit == "":
		lit = "."
	}
	return lit, parts[i:]
}

// isDir reports whether p is an existing directory.
func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
