package lokitest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Version is the Loki release that Binary builds (pinned by
// testdata/loki/go.mod).
const Version = "v3.7.8"

// BinaryEnv names the environment variable that, when set, holds the path
// of an existing Loki binary to use instead of building one.
const BinaryEnv = "TARN_LOKI_BIN"

const (
	mainModule = "github.com/tarn-project/tarn"
	lokiCmd    = "github.com/grafana/loki/v3/cmd/loki"
)

// binary remembers, for the whole test binary, where Loki is or why it
// is not available, so the lookup (and a build) happens once.
var binary struct {
	mu   sync.Mutex
	done bool
	path string
	skip string // reason to skip tests needing Loki
	fail string // a misconfiguration that should fail them
}

// Binary returns the path of a Loki binary, building and caching it the
// first time (which takes several minutes; CI builds it before the tests
// with `go run ./sinks/loki/lokitest/lokibuild`). It skips the test in
// -short mode and if the binary cannot be built, and fails it if
// TARN_LOKI_BIN names no file.
func Binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("real-Loki test skipped in -short mode")
	}
	binary.mu.Lock()
	defer binary.mu.Unlock()
	if !binary.done {
		binary.path, binary.skip, binary.fail = locate(t)
		binary.done = true
	}
	switch {
	case binary.fail != "":
		t.Fatalf("%s", binary.fail)
	case binary.skip != "":
		t.Skipf("%s", binary.skip)
	}
	return binary.path
}

// locate finds or builds the binary; it returns its path or a reason to
// skip or fail.
func locate(t testing.TB) (path, skip, fail string) {
	t.Helper()
	if p := os.Getenv(BinaryEnv); p != "" {
		if !isExecutable(p) {
			return "", "", fmt.Sprintf("%s=%s is not an executable file", BinaryEnv, p)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", "", fmt.Sprintf("%s: %v", BinaryEnv, err)
		}
		return abs, "", ""
	}
	ctx, cancel := buildContext(t)
	defer cancel()
	path, err := Build(ctx, t.Logf)
	if err != nil {
		return "", "loki test binary cannot be built: " + err.Error(), ""
	}
	return path, "", ""
}

// Build returns the path of the cached Loki binary, building it first if
// it is not there (under a file lock, so concurrent builds wait for one).
// logf receives progress lines. It is what Binary uses, callable outside a
// test (lokibuild) so that CI builds Loki before the tests run.
func Build(ctx context.Context, logf func(format string, args ...any)) (string, error) {
	src, err := sourceDir()
	if err != nil {
		return "", err
	}
	dir, err := cacheDir(src)
	if err != nil {
		return "", err
	}
	return buildCached(ctx, logf, src, dir)
}

// sourceDir walks up from the working directory to tarn's module root and
// returns its testdata/loki directory.
func sourceDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isMainModule(filepath.Join(dir, "go.mod")) {
			return filepath.Join(dir, "testdata", "loki"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s above the working directory", mainModule)
		}
		dir = parent
	}
}

// isMainModule reports whether the go.mod file at path declares tarn's
// module.
func isMainModule(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == mainModule
		}
	}
	return false
}

// cacheDir returns the cache directory for the Loki built from src: the
// hash of go.sum in its name changes whenever the pinned dependencies do.
func cacheDir(src string) (string, error) {
	sum, err := os.ReadFile(filepath.Join(src, "go.sum"))
	if err != nil {
		return "", err
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(sum)
	name := "loki-" + Version + "-" + hex.EncodeToString(h[:])[:12]
	return filepath.Join(base, "tarn", name), nil
}

// buildCached returns dir/loki, building it under an exclusive file lock
// if it is not there yet.
func buildCached(ctx context.Context, logf func(string, ...any), src, dir string) (string, error) {
	bin := filepath.Join(dir, "loki")
	if isExecutable(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := lockDir(logf, dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	if isExecutable(bin) { // built by another process while we waited
		return bin, nil
	}
	removeStale(dir)
	return bin, build(ctx, logf, src, bin)
}

// lockDir takes an exclusive flock on dir/.lock, waiting for other
// processes building the same binary; the returned func releases it.
func lockDir(logf func(string, ...any), dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	err = syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		logf("lokitest: waiting for another process building Loki in %s", dir)
		err = flockRetry(fd)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return func() {
		syscall.Flock(fd, syscall.LOCK_UN)
		f.Close()
	}, nil
}

// removeStale removes temporary build directories that builds killed
// before their cleanup left behind; only the lock holder builds, so while
// holding the lock every one of them is stale.
func removeStale(dir string) {
	stale, _ := filepath.Glob(filepath.Join(dir, "build-*"))
	for _, d := range stale {
		os.RemoveAll(d)
	}
}

// flockRetry blocks on the lock, retrying when a signal interrupts it.
func flockRetry(fd int) error {
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// build runs go build for Loki into a temporary directory next to bin and
// renames the result into place, so bin never exists half-written.
func build(ctx context.Context, logf func(string, ...any), src, bin string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(bin), "build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "loki")
	logf("lokitest: building Loki %s into %s (takes several minutes the first time)", Version, bin)
	begin := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, lokiCmd)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	cmd.SysProcAttr = buildProcAttr()
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	output, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (stopped before the test deadline; rerun with a longer -timeout, the go build cache keeps the progress)", err)
		}
		return fmt.Errorf("go build %s in %s: %w\n%s", lokiCmd, src, err, tail(output, 30))
	}
	if err := os.Rename(out, bin); err != nil {
		return err
	}
	logf("lokitest: built Loki in %s", time.Since(begin).Round(time.Second))
	return nil
}

// buildContext ends the build a minute before the test binary's deadline,
// so a slow first build skips the test instead of panicking the binary.
func buildContext(t testing.TB) (context.Context, context.CancelFunc) {
	d, ok := t.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return context.WithCancel(context.Background())
	}
	deadline, ok := d.Deadline()
	if !ok {
		return context.WithCancel(context.Background())
	}
	return context.WithDeadline(context.Background(), deadline.Add(-time.Minute))
}

// isExecutable reports whether path is a regular file with an execute bit.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// tail returns the last n lines of b.
func tail(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
