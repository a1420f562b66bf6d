package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tarn-project/tarn/rules/pseudo"
)

// TestKeygenOutput: -o creates the key with mode 0600 whatever the
// umask, refuses to overwrite, and --force replaces it (mode 0600 again).
func TestKeygenOutput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key")
	old := syscall.Umask(0) // a shell redirect would make the file 0666
	r := mustTarn(t, "", "keygen", "-o", p)
	syscall.Umask(old)
	if r.stdout != "" {
		t.Fatalf("key printed to stdout with -o: %q", r.stdout)
	}
	first := readFile(t, p)
	if _, err := pseudo.LoadKeyFile(p); err != nil {
		t.Fatal(err)
	}
	mode := func() os.FileMode {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if m := mode(); m != 0o600 {
		t.Fatalf("mode %04o, want 0600", m)
	}
	r = tarn(t, "", "keygen", "-o", p)
	if r.code != 2 || !strings.Contains(r.stderr, "--force") || readFile(t, p) != first {
		t.Fatalf("second keygen -o: exit %d, stderr %q; the key must stay", r.code, r.stderr)
	}
	os.Chmod(p, 0o644)
	mustTarn(t, "", "keygen", "-o", p, "--force")
	if readFile(t, p) == first || mode() != 0o600 {
		t.Fatalf("--force: key unchanged or mode %04o", mode())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".key.tmp-*")); len(leftovers) > 0 {
		t.Fatalf("temp files left: %v", leftovers)
	}
}

// TestKeyFileModeWarning: a key file group or others can read is warned
// about by filter, aggregate, pseudonym and run (--check and at start).
func TestKeyFileModeWarning(t *testing.T) {
	key := newKeyFile(t) // 0600
	in := "203.0.113.7 - - [20/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"\n"
	now := "--now=2026-11-20T14:00:00Z"
	if r := mustTarn(t, in, "filter", "--key-file", key, now); strings.Contains(r.stderr, "warning") {
		t.Fatalf("warning for a 0600 key: %q", r.stderr)
	}
	os.Chmod(key, 0o644)
	for _, args := range [][]string{
		{"filter", "--key-file", key, now},
		{"aggregate", "--key-file", key, now},
		{"pseudonym", "--key-file", key, "x"},
	} {
		r := mustTarn(t, in, args...)
		if !strings.Contains(r.stderr, "warning: key file "+key+" has mode 0644") {
			t.Errorf("tarn %q: no mode warning in %q", args, r.stderr)
		}
	}
	dir := t.TempDir()
	cfg := writeFile(t, dir, "tarn.yaml", "data_dir: data\nkey_file: "+key+"\nrules: builtin:default\ninputs:\n  - {name: app, type: stdin, format: combined}\nsinks:\n  - {name: out, type: stdout}\nserver: {listen: \"\"}\n")
	if r := mustTarn(t, "", "run", "--config", cfg, "--check"); !strings.Contains(r.stderr, "has mode 0644") {
		t.Errorf("run --check: no mode warning in %q", r.stderr)
	}
	r := mustTarn(t, in, "run", "--config", cfg, now)
	if !strings.Contains(r.stderr, `"level":"warn"`) || !strings.Contains(r.stderr, "has mode 0644") {
		t.Errorf("run: no mode warning in the log:\n%s", r.stderr)
	}
}
