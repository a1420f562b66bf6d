package tail

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestSkippedPathsLoggedOnce matches a FIFO, a directory, a symlink loop
// and a dangling symlink: each is logged once with its path and a reason
// however often the globs are evaluated, and the regular files are read.
func TestSkippedPathsLoggedOnce(t *testing.T) {
	dir := t.TempDir()
	fifo, sub, loop, dangling := filepath.Join(dir, "f.log"), filepath.Join(dir, "d.log"), filepath.Join(dir, "loop.log"), filepath.Join(dir, "gone.log")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Base(loop), loop); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.DebugLevel)
	h := start(t, Options{Paths: []string{filepath.Join(dir, "*.log")}, Logger: zap.New(core)})
	// Every new file is found by a later evaluation of the globs.
	for i := range 3 {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("ok%d.log", i)), fmt.Sprintf("ok %d\n", i))
		waitFor(t, "a new file's line", func() bool { return h.hasLine(fmt.Sprintf("ok %d", i)) })
	}
	h.stop(t)
	skipped := logs.FilterMessage("path skipped")
	for _, p := range []string{fifo, sub, loop, dangling} {
		got := skipped.FilterField(zap.String(keyPath, p)).All()
		if len(got) != 1 {
			t.Errorf("%s logged %d times, want once", p, len(got))
			continue
		}
		if r, _ := got[0].ContextMap()[keyReason].(string); r == "" {
			t.Errorf("%s logged without a reason: %v", p, got[0].ContextMap())
		}
	}
	if n := skipped.Len(); n != 4 {
		t.Errorf("%d paths logged as skipped, want 4", n)
	}
}
