package file

import (
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/positions"
)

// keyPath is the log key of a file's path.
const keyPath = "path"

// cleanup enforces inputs[].cleanup: it deletes the input's rotated source
// files whose last write is older than max_age, and returns how many it
// deleted. Only regular files matching the input's paths are considered
// (never anything outside its globs, never symlinks), the most recently
// written match of each directory is the live log and is kept, and a file
// the input tails must have been read and committed to its end. Files the
// input excludes (compressed rotations such as *.gz) are never read, so
// for them age alone decides. Each deletion (or, in dry_run, each would-be
// deletion) is logged.
func cleanup(s *Settings, cp inputs.Positions, now time.Time, log *zap.Logger) int {
	cutoff := now.Add(-time.Duration(s.Cleanup.MaxAge))
	files := matches(s.Paths)
	live := newestPerDir(files)
	n := 0
	for p, fi := range files {
		if live[p] || !fi.ModTime().Before(cutoff) {
			continue
		}
		if !excluded(s.Exclude, p) && !fullyRead(p, fi, cp) {
			continue
		}
		if s.Cleanup.DryRun {
			log.Info("cleanup (dry run): would delete rotated log", zap.String(keyPath, p))
			continue
		}
		if err := os.Remove(p); err != nil {
			log.Error("cleanup: delete failed", zap.String(keyPath, p), zap.Error(err))
			continue
		}
		log.Info("cleanup: deleted rotated log", zap.String(keyPath, p), zap.Time("modified", fi.ModTime()))
		n++
	}
	return n
}

// matches returns the regular files matching any of the patterns.
func matches(patterns []string) map[string]os.FileInfo {
	out := map[string]os.FileInfo{}
	for _, pat := range patterns {
		ms, _ := filepath.Glob(pat)
		for _, p := range ms {
			if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
				out[p] = fi
			}
		}
	}
	return out
}

// newestPerDir marks the most recently written file of each directory.
func newestPerDir(files map[string]os.FileInfo) map[string]bool {
	best := map[string]string{}
	for p, fi := range files {
		d := filepath.Dir(p)
		if b, ok := best[d]; !ok || fi.ModTime().After(files[b].ModTime()) {
			best[d] = p
		}
	}
	live := map[string]bool{}
	for _, p := range best {
		live[p] = true
	}
	return live
}

func excluded(patterns []string, path string) bool {
	for _, pat := range patterns {
		if ok, _ := filepath.Match(pat, filepath.Base(path)); ok {
			return true
		}
	}
	return false
}

// fullyRead reports whether the committed position of the file reaches its
// size.
func fullyRead(path string, fi os.FileInfo, cp inputs.Positions) bool {
	off, ok := committed(path, cp)
	return ok && off >= fi.Size()
}

// committed returns the committed offset of the file now at path.
func committed(path string, cp inputs.Positions) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	id, err := positions.Identify(f)
	if err != nil {
		return 0, false
	}
	return cp.Lookup(id, f)
}
