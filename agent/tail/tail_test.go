package tail

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tarn-project/tarn/agent/positions"
	"github.com/tarn-project/tarn/rules/detect"
)

func TestNewRejectsBadPatterns(t *testing.T) {
	for _, o := range []Options{
		{Paths: []string{"/logs/[a.log"}},
		{Paths: []string{"/logs/*.log"}, Exclude: []string{"[a"}},
	} {
		_, err := New(o)
		if err == nil {
			t.Fatalf("New(%v) accepted a bad pattern", o)
		}
		bad := append(o.Paths[:0:0], o.Exclude...)
		if len(o.Exclude) == 0 {
			bad = o.Paths
		}
		if !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("error %q does not name the pattern %q", err, bad[0])
		}
	}
	if _, err := New(Options{Paths: []string{"/logs/*/app-?.log"}}); err != nil {
		t.Fatalf("good pattern rejected: %v", err)
	}
}

func TestAppendsPartialLinesCRLFAndEmptyLines(t *testing.T) {
	for _, noNotify := range []bool{false, true} {
		t.Run(map[bool]string{false: "notify", true: "polling only"}[noNotify], func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.log")
			writeFile(t, path, "")
			h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}, NoNotify: noNotify})
			waitFor(t, "file opened", func() bool { return h.tl.Stats().OpenFiles.Load() == 1 })
			appendFile(t, path, "first\nsec")
			h.waitLines(t, "first")
			appendFile(t, path, "ond\r\n\n")
			h.waitLines(t, "first", "second", "")
			appendFile(t, path, "\r\nthi")
			appendFile(t, path, "rd")
			appendFile(t, path, "\n")
			h.waitLines(t, "first", "second", "", "", "third")
			all := h.all()
			if end := all[len(all)-1].End; end != int64(len("first\nsecond\r\n\n\r\nthird\n")) {
				t.Errorf("End = %d", end)
			}
			if st := h.tl.Stats(); st.Lines.Load() != 5 || st.Bytes.Load() != uint64(len("first\nsecond\r\n\n\r\nthird\n")) {
				t.Errorf("stats: lines %d bytes %d", st.Lines.Load(), st.Bytes.Load())
			}
			for _, c := range all {
				if c.Path != path || c.ID.Ino == 0 {
					t.Errorf("chunk path %q id %+v", c.Path, c.ID)
				}
			}
		})
	}
}

// TestNotifyWakes runs with a poll interval of an hour: only fsnotify
// events can make the tailer see growth, new files and new directories.
func TestNotifyWakes(t *testing.T) {
	if w, err := fsnotify.NewWatcher(); err != nil {
		t.Skipf("fsnotify unavailable: %v", err)
	} else {
		w.Close()
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.log"), "")
	h := start(t, Options{Paths: []string{filepath.Join(dir, "a.log"), filepath.Join(dir, "sub", "*", "*.log")}, Poll: time.Hour})
	waitFor(t, "file opened", func() bool { return h.tl.Stats().OpenFiles.Load() == 1 })
	appendFile(t, filepath.Join(dir, "a.log"), "a1\n")
	h.waitLines(t, "a1")
	if err := os.MkdirAll(filepath.Join(dir, "sub", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sub", "x", "b.log"), "b1\n")
	h.waitLines(t, "a1", "b1")
	appendFile(t, filepath.Join(dir, "sub", "x", "b.log"), "b2\n")
	h.waitLines(t, "a1", "b1", "b2")
}

func TestNewDirectoryAppearsLater(t *testing.T) {
	for _, noNotify := range []bool{false, true} {
		t.Run(map[bool]string{false: "notify", true: "polling only"}[noNotify], func(t *testing.T) {
			dir := t.TempDir()
			h := start(t, Options{Paths: []string{filepath.Join(dir, "pods", "*", "c", "*.log")}, NoNotify: noNotify})
			sub := filepath.Join(dir, "pods", "p1", "c")
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(sub, "0.log"), "hello\n")
			h.waitLines(t, "hello")
			appendFile(t, filepath.Join(sub, "0.log"), "again\n")
			h.waitLines(t, "hello", "again")
		})
	}
}

func TestExclude(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.log"), "keep\n")
	writeFile(t, filepath.Join(dir, "a.log.1.gz"), "gz\n")
	writeFile(t, filepath.Join(dir, "skip-me.log"), "skip\n")
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*")}, Exclude: []string{"*.gz", "skip-*"}, Once: true})
	h.wait(t)
	if got := h.lines(); len(got) != 1 || got[0] != "keep" {
		t.Fatalf("lines = %q", got)
	}
}

func TestOnce(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	writeFile(t, a, "1\n2\r\n3")
	writeFile(t, b, "x\n")
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}, Once: true})
	h.wait(t) // returns by itself
	if got := strings.Join(h.linesOf(a), ","); got != "1,2,3" {
		t.Errorf("a: %s", got)
	}
	if got := strings.Join(h.linesOf(b), ","); got != "x" {
		t.Errorf("b: %s", got)
	}
	var end int64
	for _, c := range h.all() {
		if c.Done {
			t.Errorf("Done chunk in Once mode for %s", c.Path)
		}
		if c.Path == a {
			end = max(end, c.End)
		}
	}
	if end != 6 {
		t.Errorf("a read up to %d, want 6 (the whole file)", end)
	}
	if n := h.tl.Stats().OpenFiles.Load(); n != 0 {
		t.Errorf("%d files left open", n)
	}
}

func TestDeletedFileIsDone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.log")
	writeFile(t, path, "one\ntwo\npartial")
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}})
	h.waitLines(t, "one", "two")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Done chunk", func() bool { return len(h.dones()) == 1 })
	d := h.dones()[0]
	if len(d.Lines) != 1 || string(d.Lines[0]) != "partial" || d.End != 15 || d.Path != path {
		t.Errorf("Done chunk: lines %q end %d path %s", d.Lines, d.End, d.Path)
	}
	waitFor(t, "file closed", func() bool { return h.tl.Stats().OpenFiles.Load() == 0 })
	if r := h.tl.Stats().Rotations.Load(); r != 1 {
		t.Errorf("rotations = %d", r)
	}
}

// lookupMap is a checkpoint store as the agent keeps it: by ID, matched
// with ID.Same.
func lookupMap(stored map[positions.ID]int64) func(positions.ID, *os.File) (int64, bool) {
	return func(id positions.ID, f *os.File) (int64, bool) {
		for sid, off := range stored {
			if sid.Same(id, f) {
				return off, true
			}
		}
		return 0, false
	}
}

// identify returns the ID of the file at path.
func identify(t *testing.T, path string) positions.ID {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, err := positions.Identify(f)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestLookupOffsetsAndInodeReuse(t *testing.T) {
	dir := t.TempDir()
	kept, reused, short := filepath.Join(dir, "kept.log"), filepath.Join(dir, "reused.log"), filepath.Join(dir, "short.log")
	writeFile(t, kept, "k1\nk2\nk3\n")
	writeFile(t, reused, "old1\nold2\n")
	writeFile(t, short, "s1\n")
	stored := map[positions.ID]int64{identify(t, kept): 3, identify(t, reused): 5, identify(t, short): 100}
	// Same inode, new content: what a reused inode looks like.
	f, err := os.OpenFile(reused, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("new1\nnew2\nnew3\n"), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}, Lookup: lookupMap(stored)})
	waitFor(t, "last lines", func() bool { return h.hasLine("k3") && h.hasLine("new3") && h.hasLine("s1") })
	if got := strings.Join(h.linesOf(kept), ","); got != "k2,k3" {
		t.Errorf("stored offset not honoured: %s", got)
	}
	if got := strings.Join(h.linesOf(reused), ","); got != "new1,new2,new3" {
		t.Errorf("reused inode not read from 0: %s", got)
	}
	if got := strings.Join(h.linesOf(short), ","); got != "s1" {
		t.Errorf("offset beyond the end not ignored: %s", got)
	}
}

func TestStartAtEndOnlyAtFirstScan(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	writeFile(t, a, "old\n")
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}, StartAtEnd: true})
	waitFor(t, "first scan", func() bool { return h.tl.Stats().OpenFiles.Load() == 1 })
	appendFile(t, a, "new\n")
	writeFile(t, b, "b1\nb2\n")
	waitFor(t, "lines", func() bool { return h.count() >= 3 })
	if got := strings.Join(sorted(h.lines()), ","); got != "b1,b2,new" {
		t.Errorf("lines = %s", got)
	}
}

func TestMaxLineCutAcrossReads(t *testing.T) {
	// Words of 7 letters: the cut at 1000 bytes drops the word it falls
	// in (detect.CutEnd), keeping what comes before.
	long := make([]byte, 1<<20)
	for i := range long {
		long[i] = 'a' + byte(i%26)
		if i%8 == 7 {
			long[i] = ' '
		}
	}
	kept := long[:detect.CutEnd(long[:1000], long[1000])]
	content := string(long) + "\nnext\nlast\n"
	check := func(t *testing.T, chunks []*Chunk, cutStat uint64) {
		t.Helper()
		var lines [][]byte
		cut := 0
		for _, c := range chunks {
			lines = append(lines, c.Lines...)
			cut += c.Cut
		}
		if len(lines) != 3 || !bytes.Equal(lines[0], kept) || len(kept) == 0 || string(lines[1]) != "next" || string(lines[2]) != "last" {
			t.Fatalf("got %d lines (first %d bytes)", len(lines), len(lines[0]))
		}
		if cut != 1 || cutStat != 1 {
			t.Errorf("cut = %d, stats %d", cut, cutStat)
		}
		if end := chunks[len(chunks)-1].End; end != int64(len(content)) {
			t.Errorf("End = %d, want %d", end, len(content))
		}
	}
	t.Run("file written in pieces", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "a.log")
		writeFile(t, path, "")
		h := start(t, Options{Paths: []string{path}, MaxLineBytes: 1000, ChunkBytes: 4096})
		waitFor(t, "file opened", func() bool { return h.tl.Stats().OpenFiles.Load() == 1 })
		for i := 0; i < len(content); i += 100 << 10 {
			appendFile(t, path, content[i:min(i+100<<10, len(content))])
		}
		waitFor(t, "lines", func() bool { return h.count() >= 3 })
		check(t, h.all(), h.tl.Stats().Cut.Load())
	})
	t.Run("once", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "a.log")
		writeFile(t, path, content)
		h := start(t, Options{Paths: []string{path}, MaxLineBytes: 1000, ChunkBytes: 4096, Once: true})
		h.wait(t)
		check(t, h.all(), h.tl.Stats().Cut.Load())
	})
	t.Run("stream", func(t *testing.T) {
		st := new(Stats)
		out := make(chan *Chunk, 1000)
		err := ReadStream(context.Background(), strings.NewReader(content), Options{MaxLineBytes: 1000, ChunkBytes: 4096}, st, out)
		if err != nil {
			t.Fatal(err)
		}
		close(out)
		var chunks []*Chunk
		for c := range out {
			chunks = append(chunks, c)
		}
		check(t, chunks, st.Cut.Load())
	})
}

func TestRunTwice(t *testing.T) {
	dir := t.TempDir()
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}})
	waitFor(t, "running", func() bool { return h.tl.running.Load() })
	if err := h.tl.Run(context.Background(), make(chan *Chunk)); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Run: %v", err)
	}
}

func TestUnreadableFileSkipped(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "secret.log"), "s\n")
	if err := os.Chmod(filepath.Join(dir, "secret.log"), 0); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "ok.log"), "ok\n")
	core, logs := observer.New(zap.DebugLevel)
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}, Once: true, Logger: zap.New(core)})
	h.wait(t)
	if got := h.lines(); len(got) != 1 || got[0] != "ok" {
		t.Fatalf("lines = %q", got)
	}
	got := logs.FilterMessage(msgSkipped).FilterField(zap.String(keyPath, filepath.Join(dir, "secret.log"))).All()
	if len(got) != 1 || got[0].ContextMap()[keyReason] == "" {
		t.Fatalf("unreadable file logged %d times: %v", len(got), logs.All())
	}
}

// TestTruncatedAndRegrownBetweenLooks: a file truncated and written past
// its old offset before the tailer looks again is recognised by its head
// and read from the start.
func TestTruncatedAndRegrownBetweenLooks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	writeFile(t, path, "old-1\nold-2\n")
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}, NoNotify: true, Poll: 300 * time.Millisecond})
	h.waitLines(t, "old-1", "old-2")
	writeFile(t, path, "new-1 is longer\nnew-2\n")
	h.waitLines(t, "old-1", "old-2", "new-1 is longer", "new-2")
	if n := h.tl.Stats().Truncations.Load(); n != 1 {
		t.Errorf("truncations = %d, want 1", n)
	}
}

func TestSkipsDirectoriesAndFIFOs(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "d.log"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "f.log"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	writeFile(t, filepath.Join(dir, "ok.log"), "ok\n")
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}, Once: true})
	h.wait(t) // opening the FIFO would block forever
	if got := h.lines(); len(got) != 1 || got[0] != "ok" {
		t.Fatalf("lines = %q", got)
	}
}
