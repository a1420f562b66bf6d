package tail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// openAppend opens path for appending, creating it.
func openAppend(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRenameRotation writes numbered lines while rotating the file by
// rename every k lines; every line must arrive exactly once, in order per
// file.
func TestRenameRotation(t *testing.T) {
	cases := []struct {
		name string
		glob string
		// waitOpen makes the writer wait, before renaming a file out of
		// the glob, until the tailer has opened it (a file that is never
		// seen under a matching name cannot be read).
		waitOpen bool
	}{
		{name: "renamed out of the glob", glob: "app.log", waitOpen: true},
		{name: "renamed within the glob", glob: "app.log*"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.log")
			h := start(t, Options{Paths: []string{filepath.Join(dir, tc.glob)}})
			const n, k = 3000, 200
			w := openAppend(t, path)
			rotations := 0
			for i := range n {
				writeNumbered(t, w, i)
				if i%k != k-1 || i == n-1 {
					continue
				}
				if tc.waitOpen {
					waitFor(t, "file opened", func() bool { return h.seen(i - k + 1) })
				}
				w.Close()
				if err := os.Rename(path, fmt.Sprintf("%s.%d", path, rotations)); err != nil {
					t.Fatal(err)
				}
				rotations++
				w = openAppend(t, path)
			}
			w.Close()
			waitFor(t, "all lines", func() bool { return h.count() >= n })
			if tc.waitOpen {
				waitFor(t, "Done chunks", func() bool { return len(h.dones()) >= rotations })
			}
			h.stop(t)
			checkExactlyOnce(t, h.all(), n)
			if tc.waitOpen && len(h.dones()) != rotations {
				t.Errorf("%d Done chunks, want %d", len(h.dones()), rotations)
			}
			if !tc.waitOpen && len(h.dones()) != 0 {
				t.Errorf("%d Done chunks for files still matching", len(h.dones()))
			}
			if r := h.tl.Stats().Rotations.Load(); tc.waitOpen && r != uint64(rotations) {
				t.Errorf("rotations = %d, want >= %d", r, rotations)
			}
		})
	}
}

// TestCopyTruncate rotates by copying the file and truncating it while a
// writer appends numbered lines. The writer pauses during copy and
// truncate (lines written in between are lost by any tailer: that is the
// copytruncate race) and until the tailer saw the truncation, so that each
// truncation is counted. Every line must arrive exactly once.
func TestCopyTruncate(t *testing.T) {
	cases := []struct {
		name     string
		glob     string
		copyName string
		// catchUp waits, before the copy, until the tailer read every
		// line: a copy outside the glob is never read, so what the
		// tailer had not read when the file was truncated is lost.
		catchUp bool
	}{
		{name: "copy matches the glob", glob: "app.log*", copyName: "app.log.%d"},
		{name: "copy outside the glob", glob: "app.log", copyName: "app.old.%d", catchUp: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.log")
			h := start(t, Options{Paths: []string{filepath.Join(dir, tc.glob)}})
			const gens, k = 10, 200
			w := openAppend(t, path)
			defer w.Close()
			next := 0
			for g := range gens {
				first := next
				for range k {
					writeNumbered(t, w, next)
					next++
				}
				// The tailer must know the file's head: it read past
				// the first FingerprintBytes (20 lines of 61 bytes).
				waitFor(t, "first KiB read", func() bool { return h.seen(first + 20) })
				if tc.catchUp {
					waitFor(t, "all read", func() bool { return h.seen(next - 1) })
				}
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(dir, fmt.Sprintf(tc.copyName, g)), string(data))
				if err := w.Truncate(0); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "truncation seen", func() bool { return h.tl.Stats().Truncations.Load() == uint64(g+1) })
			}
			for range k {
				writeNumbered(t, w, next)
				next++
			}
			waitFor(t, "all lines", func() bool { return h.count() >= next })
			h.stop(t)
			checkExactlyOnce(t, h.all(), next)
			if tr := h.tl.Stats().Truncations.Load(); tr != gens {
				t.Errorf("truncations = %d, want %d", tr, gens)
			}
		})
	}
}

// TestPlainCopyNotReread copies a live file that is never truncated: the
// copy's content is the original's, so only what is later appended to the
// copy is read from it.
func TestPlainCopyNotReread(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	w := openAppend(t, path)
	defer w.Close()
	core, logs := observer.New(zap.DebugLevel)
	h := start(t, Options{Paths: []string{filepath.Join(dir, "app.log*")}, Logger: zap.New(core)},
		func(tl *Tailer) { tl.copyWait = 50 * time.Millisecond })
	const n = 100
	for i := range n {
		writeNumbered(t, w, i)
	}
	waitFor(t, "lines read", func() bool { return h.seen(n - 1) })
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := path + ".bak"
	writeFile(t, cp, string(data))
	waitFor(t, "copy settled", func() bool {
		return logs.FilterMessage("copy of a live file, reading from its end").Len() == 1
	})
	appendFile(t, cp, numbered(n))
	waitFor(t, "line appended to the copy", func() bool { return h.seen(n) })
	writeNumbered(t, w, n+1)
	waitFor(t, "line appended to the original", func() bool { return h.seen(n + 1) })
	h.stop(t)
	checkExactlyOnce(t, h.all(), n+2)
	for _, c := range h.all() {
		if c.Path == cp && len(c.Lines) > 0 && !strings.HasPrefix(string(c.Lines[0]), fmt.Sprintf("line %06d", n)) {
			t.Errorf("copy chunk starts with %q", c.Lines[0])
		}
	}
}

// TestLateWriteToRotatedFile writes to a file after it was renamed out of
// the glob (as a writer does until it reopens): the tailer keeps reading
// it for RotateWait and only then reports it Done.
func TestLateWriteToRotatedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	w := openAppend(t, path)
	defer w.Close()
	// RotateWait bounds how late the write below may come; generous so a
	// slow machine does not fail the test.
	h := start(t, Options{Paths: []string{path}, RotateWait: 2 * time.Second})
	writeNumbered(t, w, 0)
	waitFor(t, "line 0", func() bool { return h.seen(0) })
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "rotation seen", func() bool { return h.tl.Stats().Rotations.Load() == 1 })
	writeNumbered(t, w, 1)
	if _, err := w.WriteString("final"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Done chunk", func() bool { return len(h.dones()) == 1 })
	all := h.all()
	last := all[len(all)-1]
	if !last.Done || len(last.Lines) != 1 || string(last.Lines[0]) != "final" || last.Path != path {
		t.Fatalf("last chunk: done %v lines %q path %s", last.Done, last.Lines, last.Path)
	}
	if !h.seen(1) {
		t.Error("late line lost")
	}
	if fi, err := os.Stat(path + ".1"); err != nil || last.End != fi.Size() {
		t.Errorf("End = %d, file %v (%v)", last.End, fi, err)
	}
}
