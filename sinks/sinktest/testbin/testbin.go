// Package testbin builds the real servers that tarn's integration tests
// run against (Loki, SeaweedFS) from the Go module proxy, caches them
// outside the repository and helps running them.
//
// Each server is built from a separate Go module in tarn's testdata
// directory (kept apart so the server's dependencies never reach tarn's
// go.mod) into
//
//	$(os.UserCacheDir)/tarn/<name>-<version>-<sha256 of go.sum>/<command>
//
// under a file lock, so concurrent test binaries (go test ./...) wait for
// one build. The first build takes minutes; CI builds every server before
// the tests with a small command per harness that calls Binary.Build.
package testbin

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const mainModule = "github.com/tarn-project/tarn"

// Spec names a command to build and where its module lives.
type Spec struct {
	// Name prefixes the cache directory and names the server in messages,
	// e.g. "loki".
	Name string
	// Version is the server's pinned version, part of the cache directory
	// name; it must match the module's go.mod.
	Version string
	// Cmd is the package path of the command to build, e.g.
	// "github.com/grafana/loki/v3/cmd/loki"; its last element names the
	// binary.
	Cmd string
	// Dir is the module's directory under tarn's testdata, e.g. "loki".
	Dir string
	// Env names the environment variable that, when set, holds the path of
	// an existing binary to use instead of building one.
	Env string
}

// Binary finds or builds the binary of a Spec once per test binary. Create
// it with New, typically as a package variable of a harness.
type Binary struct {
	spec Spec

	mu   sync.Mutex
	done bool
	path string
	skip string // reason to skip tests needing the binary
	fail string // a misconfiguration that should fail them
}

// New returns a Binary for s.
func New(s Spec) *Binary {
	return &Binary{spec: s}
}

// Path returns the path of the binary, building and caching it the first
// time. It skips the test in -short mode and if the binary cannot be
// built, and fails it if the Spec's environment variable names no
// executable file.
func (b *Binary) Path(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("test needing the real %s skipped in -short mode", b.spec.Name)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.done {
		b.path, b.skip, b.fail = b.locate(t)
		b.done = true
	}
	switch {
	case b.fail != "":
		t.Fatalf("%s", b.fail)
	case b.skip != "":
		t.Skipf("%s", b.skip)
	}
	return b.path
}

// locate finds or builds the binary; it returns its path or a reason to
// skip or fail.
func (b *Binary) locate(t testing.TB) (path, skip, fail string) {
	t.Helper()
	if p := os.Getenv(b.spec.Env); p != "" {
		if !isExecutable(p) {
			return "", "", fmt.Sprintf("%s=%s is not an executable file", b.spec.Env, p)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", "", fmt.Sprintf("%s: %v", b.spec.Env, err)
		}
		return abs, "", ""
	}
	ctx, cancel := buildContext(t)
	defer cancel()
	path, err := b.Build(ctx, t.Logf)
	if err != nil {
		return "", b.spec.Name + " test binary cannot be built: " + err.Error(), ""
	}
	return path, "", ""
}

// Build returns the path of the cached binary, building it first if it is
// not there (under a file lock, so concurrent builds wait for one). logf
// receives progress lines. It ignores the Spec's environment variable and
// is callable outside a test, so that CI builds the binary before the
// tests run.
func (b *Binary) Build(ctx context.Context, logf func(format string, args ...any)) (string, error) {
	src, err := sourceDir(b.spec.Dir)
	if err != nil {
		return "", err
	}
	dir, err := cacheDir(b.spec, src)
	if err != nil {
		return "", err
	}
	return buildCached(ctx, logf, b.spec, src, dir)
}

// sourceDir walks up from the working directory to tarn's module root and
// returns its testdata/<dir> directory.
func sourceDir(dir string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isMainModule(filepath.Join(wd, "go.mod")) {
			return filepath.Join(wd, "testdata", dir), nil
		}
		parent := filepath.Dir(wd)
		if parent == wd {
			return "", fmt.Errorf("no go.mod of module %s above the working directory", mainModule)
		}
		wd = parent
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
