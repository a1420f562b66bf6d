package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// quickstart returns the bundled quickstart configuration, rewritten to
// keep its data in a temporary directory.
func quickstart(t *testing.T) (cfg, data string) {
	t.Helper()
	body := readFile(t, filepath.Join("..", "..", "packaging", "examples", "quickstart.yaml"))
	sample, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	data = t.TempDir()
	body = strings.ReplaceAll(body, "../../testdata/sample", sample)
	body = strings.ReplaceAll(body, "../../tarn-data", data)
	body = strings.Replace(body, "listen: 127.0.0.1:9464", `listen: ""`, 1)
	return writeFile(t, t.TempDir(), "tarn.yaml", body), data
}

func TestRunOnceQuickstart(t *testing.T) {
	cfg, data := quickstart(t)
	r := mustTarn(t, "", "run", "--config", cfg, "--once", "--now", "2026-11-20T14:00:00Z")
	files, _ := filepath.Glob(filepath.Join(data, "out", "local-*.log"))
	if len(files) != 1 {
		t.Fatalf("output files %v; log:\n%s", files, r.stderr)
	}
	out := readFile(t, files[0])
	if got, want := countLines(out), countLines(readFile(t, "../../testdata/sample/access.log")); got != want {
		t.Fatalf("%d lines delivered, want %d", got, want)
	}
	if strings.Contains(out, "alice") || strings.Contains(out, "203.0.113.77") || strings.Contains(out, "9f8e7d6c5b4a") {
		t.Fatalf("raw data in output:\n%s", out)
	}
	if !strings.Contains(r.stderr, `"component":"agent"`) {
		t.Fatalf("no JSON log on stderr:\n%s", r.stderr)
	}
	// A second run continues from the positions: nothing new is delivered.
	mustTarn(t, "", "run", "--config", cfg, "--once", "--now", "2026-11-20T14:00:00Z")
	if again := sinkLines(t, filepath.Join(data, "out"), "local"); len(again) != countLines(out) {
		t.Fatalf("second run delivered again: %d lines", len(again))
	}
}

func TestRunStdinToStdout(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "tarn.yaml", "data_dir: data\nrules: builtin:default\ninputs:\n  - {name: app, type: stdin, format: combined}\nsinks:\n  - {name: out, type: stdout}\nserver: {listen: \"\"}\n")
	in := `203.0.113.7 - bob [20/Nov/2026:13:55:36 +0100] "GET / HTTP/1.1" 200 5 "-" "curl/8.0"` + "\n"
	r := mustTarn(t, in, "run", "--config", cfg, "--now", "2026-11-20T14:00:00Z")
	if !strings.HasPrefix(r.stdout, "203.0.113.0 - ") || strings.Contains(r.stdout, "bob") {
		t.Fatalf("stdout = %q", r.stdout)
	}
}

func TestRunCheckAndConfigErrors(t *testing.T) {
	cfg, _ := quickstart(t)
	if r := mustTarn(t, "", "run", "--config", cfg, "--check"); !strings.Contains(r.stdout, "ok") {
		t.Fatalf("--check: %q", r.stdout)
	}
	bad := writeFile(t, t.TempDir(), "bad.yaml", "data_dir: d\nrules: builtin:default\ninputs:\n  - {name: a, type: stdin}\nsinks:\n  - {name: s, type: stdout, format: xml}\n")
	r := tarn(t, "", "run", "--config", bad)
	if r.code != 2 || !strings.Contains(r.stderr, "bad.yaml:6: sinks[0].format") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	open := writeFile(t, t.TempDir(), "open.yaml", "data_dir: d\nrules: builtin:default\ninputs:\n  - {name: rx, type: loki_push, listen: \"0.0.0.0:3500\"}\nsinks:\n  - {name: s, type: stdout}\n")
	if r := mustTarn(t, "", "run", "--config", open, "--check"); !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "inputs[0]") {
		t.Fatalf("--check of a push input open to any host without a token: no warning in %q", r.stderr)
	}
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	if r := tarn(t, "", "run", "--config", missing); r.code != 2 || !strings.Contains(r.stderr, "nope.yaml") {
		t.Fatalf("missing file: exit %d, %q", r.code, r.stderr)
	}
	os.Remove(missing)
}

// TestStartClock: --now of `tarn run` is parsed as in filter and
// aggregate (same error), and the clock then advances from it.
func TestStartClock(t *testing.T) {
	_, want := parseNow("yesterday")
	if _, err := startClock("yesterday"); want == nil || err == nil || err.Error() != want.Error() || !errors.Is(err, errUsage) {
		t.Fatalf("startClock error %v, parseNow error %v", err, want)
	}
	if r := tarn(t, "", "run", "--config", "x.yaml", "--now", "yesterday"); r.code != 2 || !strings.Contains(r.stderr, want.Error()) {
		t.Fatalf("run --now yesterday: exit %d, stderr %q", r.code, r.stderr)
	}
	at := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)
	clock, err := startClock(at.Format(time.RFC3339))
	if err != nil {
		t.Fatal(err)
	}
	first := clock()
	if first.Before(at) || first.Sub(at) > time.Minute {
		t.Fatalf("clock starts at %v, want %v", first, at)
	}
	time.Sleep(5 * time.Millisecond)
	if second := clock(); !second.After(first) {
		t.Fatalf("clock stands still at %v", second)
	}
	wall, err := startClock("")
	if err != nil || wall().Sub(time.Now()).Abs() > time.Minute {
		t.Fatalf("no --now: %v, %v", wall(), err)
	}
}
