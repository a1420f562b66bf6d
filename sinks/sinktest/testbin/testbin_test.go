package testbin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestBuildCached builds a tiny command twice at once and again: one
// build, the others wait for it or find it.
func TestBuildCached(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	src := t.TempDir()
	write(t, filepath.Join(src, "go.mod"), "module example.com/hello\n\ngo 1.22\n")
	write(t, filepath.Join(src, "main.go"), "package main\n\nfunc main() { println(\"hello\") }\n")
	s := Spec{Name: "hello", Version: "v1", Cmd: "example.com/hello"}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "build-stale"), 0o755)

	var mu sync.Mutex
	var logs []string
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logs = append(logs, fmt.Sprintf(format, args...))
	}
	var wg sync.WaitGroup
	paths := make([]string, 2)
	for i := range paths {
		wg.Go(func() {
			p, err := buildCached(context.Background(), logf, s, src, dir)
			if err != nil {
				t.Errorf("build: %v", err)
			}
			paths[i] = p
		})
	}
	wg.Wait()
	if out, err := exec.Command(paths[0]).CombinedOutput(); err != nil || string(out) != "hello\n" {
		t.Errorf("built binary: %q %v", out, err)
	}
	if got := strings.Count(strings.Join(logs, "\n"), "testbin: built hello"); got != 1 {
		t.Errorf("%d builds, want 1: %q", got, logs)
	}
	if paths[0] != filepath.Join(dir, "hello") || paths[1] != paths[0] {
		t.Errorf("paths %q", paths)
	}
	if _, err := os.Stat(filepath.Join(dir, "build-stale")); !os.IsNotExist(err) {
		t.Errorf("stale build directory kept: %v", err)
	}
	logs = nil
	if _, err := buildCached(context.Background(), logf, s, src, dir); err != nil || logs != nil {
		t.Errorf("cached build: %v, logs %q", err, logs)
	}
}

// TestCacheDir pins the cache directory scheme: changing it would
// rebuild every cached server.
func TestCacheDir(t *testing.T) {
	src := t.TempDir()
	write(t, filepath.Join(src, "go.sum"), "x\n")
	got, err := cacheDir(Spec{Name: "loki", Version: "v3.7.8"}, src)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := os.UserCacheDir()
	// sha256("x\n") = 73cb3858a687...
	if want := filepath.Join(base, "tarn", "loki-v3.7.8-73cb3858a687"); got != want {
		t.Errorf("cache dir %s, want %s", got, want)
	}
}

func TestTail(t *testing.T) {
	if got := Tail([]byte("a\nb\nc\n"), 2); got != "b\nc" {
		t.Errorf("Tail: %q", got)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
