package testbin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"syscall"
	"time"
)

// cacheDir returns the cache directory for the binary built from src: the
// hash of go.sum in its name changes whenever the pinned dependencies do.
func cacheDir(s Spec, src string) (string, error) {
	sum, err := os.ReadFile(filepath.Join(src, "go.sum"))
	if err != nil {
		return "", err
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(sum)
	name := s.Name + "-" + s.Version + "-" + hex.EncodeToString(h[:])[:12]
	return filepath.Join(base, "tarn", name), nil
}

// buildCached returns the binary in dir, building it under an exclusive
// file lock if it is not there yet.
func buildCached(ctx context.Context, logf func(string, ...any), s Spec, src, dir string) (string, error) {
	bin := filepath.Join(dir, path.Base(s.Cmd))
	if isExecutable(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := lockDir(logf, s, dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	if isExecutable(bin) { // built by another process while we waited
		return bin, nil
	}
	removeStale(dir)
	return bin, build(ctx, logf, s, src, bin)
}

// lockDir takes an exclusive flock on dir/.lock, waiting for other
// processes building the same binary; the returned func releases it.
func lockDir(logf func(string, ...any), s Spec, dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	err = syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		logf("testbin: waiting for another process building %s in %s", s.Name, dir)
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

// build runs go build for the command into a temporary directory next to
// bin and renames the result into place, so bin never exists half-written.
func build(ctx context.Context, logf func(string, ...any), s Spec, src, bin string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(bin), "build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, filepath.Base(bin))
	logf("testbin: building %s %s into %s (takes several minutes the first time)", s.Name, s.Version, bin)
	begin := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, s.Cmd)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	cmd.SysProcAttr = ProcAttr()
	cmd.Cancel = func() error { return KillGroup(cmd.Process) }
	cmd.WaitDelay = 10 * time.Second
	output, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (stopped before the test deadline; rerun with a longer -timeout, the go build cache keeps the progress)", err)
		}
		return fmt.Errorf("go build %s in %s: %w\n%s", s.Cmd, src, err, Tail(output, 30))
	}
	if err := os.Rename(out, bin); err != nil {
		return err
	}
	logf("testbin: built %s in %s", s.Name, time.Since(begin).Round(time.Second))
	return nil
}

// isExecutable reports whether path is a regular file with an execute bit.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
