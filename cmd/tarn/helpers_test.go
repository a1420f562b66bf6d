package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is what one run of the tarn command produced.
type result struct {
	code           int
	stdout, stderr string
}

// tarn runs the command line args through run with stdin as standard
// input and returns the exit code and both output streams.
func tarn(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	return tarnIO(t, strings.NewReader(stdin), args...)
}

// tarnIO is tarn with an arbitrary reader as standard input.
func tarnIO(t testing.TB, stdin io.Reader, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, stdin, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// mustTarn runs tarn and fails the test unless it exits 0.
func mustTarn(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	r := tarn(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("tarn %q: exit %d, stderr:\n%s", args, r.code, r.stderr)
	}
	return r
}

// writeFile writes content to name inside dir and returns the path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// readFile returns the content of path.
func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newKeyFile writes a fresh key made by `tarn keygen` into a temporary
// directory and returns its path.
func newKeyFile(t testing.TB) string {
	t.Helper()
	r := mustTarn(t, "", "keygen")
	return writeFile(t, t.TempDir(), "key", r.stdout)
}

// splitLines splits s after every '\n', keeping the terminators, so a
// last line without newline stays recognizable.
func splitLines(s string) []string {
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// countLines counts lines as a reader would: every '\n' ends one, and a
// non-empty rest is one more.
func countLines(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}
