package tail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestCopyTruncateRestartNoDuplicates restarts the tailer (a new Tailer
// on the same checkpoints) around a copytruncate rotation whose copy
// matches the glob: every line is committed exactly once over all runs.
func TestCopyTruncateRestartNoDuplicates(t *testing.T) {
	t.Run("restart after the copy was recognised", func(t *testing.T) {
		dir := t.TempDir()
		path, cp := filepath.Join(dir, "app.log"), filepath.Join(dir, "app.log.1")
		o := Options{Paths: []string{filepath.Join(dir, "app.log*")}}
		c := newCkpt(t)
		writeNumberedRange(t, path, 0, 200)
		r := c.run(t, o, nil)
		waitFor(t, "first lines", func() bool { return c.seen(199) })
		copyTruncate(t, path, cp)
		writeNumberedRange(t, path, 200, 210)
		waitFor(t, "lines after the truncation", func() bool { return c.seen(209) })
		r.stop(t)
		writeNumberedRange(t, path, 210, 220)
		o.Once = true
		c.run(t, o, nil).wait(t)
		checkExactlyOnce(t, c.all(), 220)
	})
	t.Run("restart while the copy is being read", func(t *testing.T) {
		dir := t.TempDir()
		path, cp := filepath.Join(dir, "app.log"), filepath.Join(dir, "app.log.1")
		o := Options{Paths: []string{filepath.Join(dir, "app.log*")}, Once: true, ChunkBytes: 4096}
		c := newCkpt(t)
		writeNumberedRange(t, path, 0, 200)
		c.run(t, o, nil).wait(t)
		// While the agent is down: more lines, then the rotation.
		writeNumberedRange(t, path, 200, 1200)
		copyTruncate(t, path, cp)
		writeNumberedRange(t, path, 1200, 1300)
		// The second run stops after its first chunk of the copy
		// that holds lines.
		c.run(t, o, func(ch *Chunk) bool { return ch.Path == cp && len(ch.Lines) > 0 }).wait(t)
		c.run(t, o, nil).wait(t)
		checkExactlyOnce(t, c.all(), 1300)
	})
}

// TestCopyTruncateCopyOutsideGlob rotates with copytruncate under a glob
// that does not match the copy's name (the `*access.log` style, the copy
// being access.log.1) while the tailer has not read the last lines: they
// are read from the copy, under the original's name, and the copy is let
// go afterwards.
func TestCopyTruncateCopyOutsideGlob(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	c := newCkpt(t)
	r := c.run(t, Options{Paths: []string{filepath.Join(dir, "*access.log")}, ChunkBytes: 1024}, nil)
	const gens, k = 4, 400
	next := 0
	for g := range gens {
		writeNumberedRange(t, path, next, next+20)
		next += 20
		waitFor(t, "first KiB read", func() bool { return c.seen(next - 1) })
		// The tailer is held in its send: it reads at most two more
		// chunks (2 KiB) of the 24 KiB written before the rotation.
		r.hold.Lock()
		writeNumberedRange(t, path, next, next+k)
		next += k
		copyTruncate(t, path, filepath.Join(dir, fmt.Sprintf("access.log.%d", g+1)))
		writeNumberedRange(t, path, next, next+5)
		next += 5
		r.hold.Unlock()
		waitFor(t, "truncation seen", func() bool { return r.tl.Stats().Truncations.Load() == uint64(g+1) })
	}
	waitFor(t, "every line", func() bool { return c.seen(next-1) && len(dones(c.all())) == gens })
	waitFor(t, "copies let go", func() bool { return r.tl.Stats().OpenFiles.Load() == 1 })
	r.stop(t)
	checkExactlyOnce(t, c.all(), next)
	for _, ch := range c.all() {
		if ch.Name != path {
			t.Fatalf("chunk of %s named %q, want %q", ch.Path, ch.Name, path)
		}
	}
}

// dones returns the Done chunks of chunks.
func dones(chunks []*Chunk) []*Chunk {
	var out []*Chunk
	for _, c := range chunks {
		if c.Done {
			out = append(out, c)
		}
	}
	return out
}

// TestRotatedNamesOutsideGlobWarned warns once at start-up when a file's
// rotated siblings (X.1, X-DATE) are not matched, and not for siblings
// that are matched or excluded.
func TestRotatedNamesOutsideGlobWarned(t *testing.T) {
	const msg = "rotated files are not matched by the paths"
	cases := []struct {
		name    string
		paths   []string
		exclude []string
		files   []string
		warn    bool
	}{
		{"copy not matched", []string{"*access.log"}, nil, []string{"access.log", "access.log.1", "other_access.log", "other_access.log-20261202"}, true},
		{"date suffix not matched", []string{"*.log"}, nil, []string{"app.log", "app.log-20261202.gz"}, true},
		{"matched", []string{"access.log*"}, []string{"*.gz"}, []string{"access.log", "access.log.1", "access.log.2.gz"}, false},
		{"excluded", []string{"*access.log"}, []string{"*.gz"}, []string{"access.log", "access.log.2.gz"}, false},
		{"not a rotated name", []string{"*.log"}, nil, []string{"app.log", "app.log.bak", "app.logger"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				writeFile(t, filepath.Join(dir, f), "x\n")
			}
			core, logs := observer.New(zap.DebugLevel)
			var paths []string
			for _, p := range tc.paths {
				paths = append(paths, filepath.Join(dir, p))
			}
			h := start(t, Options{Paths: paths, Exclude: tc.exclude, Once: true, Logger: zap.New(core)})
			h.wait(t)
			got := logs.FilterMessage(msg).All()
			if !tc.warn {
				if len(got) != 0 {
					t.Fatalf("warned: %v", got[0].ContextMap())
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d warnings, want 1", len(got))
			}
			m := got[0].ContextMap()
			if rot, _ := m["rotated"].(string); !strings.HasPrefix(filepath.Base(rot), filepath.Base(m["path"].(string))) {
				t.Errorf("warning fields %v", m)
			}
		})
	}
}

// TestRotationWhileStoppedOutsideGlob rotates a file while the tailer is
// stopped, with lines it had not read, under a glob that does not match
// the rotated name: the next run reads them from the rotated file, and
// the new file from its start although it starts files at their end.
func TestRotationWhileStoppedOutsideGlob(t *testing.T) {
	for _, copytruncate := range []bool{false, true} {
		t.Run(map[bool]string{false: "rename", true: "copytruncate"}[copytruncate], func(t *testing.T) {
			dir := t.TempDir()
			path, rotated := filepath.Join(dir, "access.log"), filepath.Join(dir, "access.log.1")
			o := Options{Paths: []string{filepath.Join(dir, "*access.log")}, Once: true, StartAtEnd: true}
			c := newCkpt(t)
			writeNumberedRange(t, path, 0, 100)
			o.StartAtEnd = false // the very first start reads what is there
			c.run(t, o, nil).wait(t)
			o.StartAtEnd = true
			writeNumberedRange(t, path, 100, 150)
			if copytruncate {
				copyTruncate(t, path, rotated)
			} else if err := os.Rename(path, rotated); err != nil {
				t.Fatal(err)
			}
			writeNumberedRange(t, path, 150, 160)
			c.run(t, o, nil).wait(t)
			checkExactlyOnce(t, c.all(), 160)
			for _, ch := range c.all() {
				if copytruncate && ch.Name != path {
					t.Fatalf("chunk of %s named %q, want %q", ch.Path, ch.Name, path)
				}
			}
			// A third run reads nothing again.
			n := len(c.all())
			c.run(t, o, nil).wait(t)
			checkExactlyOnce(t, c.all(), 160)
			for _, ch := range c.all()[n:] {
				if len(ch.Lines) > 0 {
					t.Fatalf("third run read %d lines of %s", len(ch.Lines), ch.Path)
				}
			}
		})
	}
}
