package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

const sampleLog = "../../testdata/sample/access.log"

// TestTooOldWarning: on the bundled sample (older than 7 days) filter and
// aggregate say once that every record was dropped as too old, with the
// hint; with --now inside the sample they say nothing of it.
func TestTooOldWarning(t *testing.T) {
	key := newKeyFile(t)
	n := countLines(readFile(t, sampleLog))
	for _, cmd := range []string{"filter", "aggregate"} {
		r := mustTarn(t, "", cmd, "--key-file", key, "--input", sampleLog, "--now", "2030-01-01T00:00:00Z")
		if c := strings.Count(r.stderr, "dropped as too old"); c != 1 {
			t.Errorf("%s: the warning appears %d times:\n%s", cmd, c, r.stderr)
		}
		for _, want := range []string{"all " + strconv.Itoa(n) + " records", "max_age 7d", "--now", "raise max_age"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: warning lacks %q:\n%s", cmd, want, r.stderr)
			}
		}
		if r := mustTarn(t, "", cmd, "--key-file", key, "--input", sampleLog, "--now", "2026-11-21T00:00:00Z"); strings.Contains(r.stderr, "too old") {
			t.Errorf("%s with --now: %s", cmd, r.stderr)
		}
	}
	// Some of the lines: "k of n".
	in := readFile(t, sampleLog) + `203.0.113.9 - - [01/Jan/2030:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"` + "\n"
	r := mustTarn(t, in, "filter", "--key-file", key, "--now", "2030-01-01T00:00:01Z")
	if !strings.Contains(r.stderr, strconv.Itoa(n)+" of "+strconv.Itoa(n+1)+" records dropped as too old") || countLines(r.stdout) != 1 {
		t.Errorf("partly old: stdout %q, stderr:\n%s", r.stdout, r.stderr)
	}
}

// TestSummaryLine: a job over a regular file ends with one line saying
// lines in and out and the drops by reason; a stream (a pipe) does not.
func TestSummaryLine(t *testing.T) {
	key := newKeyFile(t)
	r := mustTarn(t, "", "filter", "--key-file", key, "--input", sampleLog, "--now", "2026-11-21T00:00:00Z",
		"--rules", writeFile(t, t.TempDir(), "r.yaml", "extends: [builtin:default]\ndrop_records:\n  - {field: status, equals: [\"303\"]}\n"))
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	last := lines[len(lines)-1]
	n := countLines(readFile(t, sampleLog))
	kept := countLines(r.stdout)
	for _, want := range []string{"tarn: " + strconv.Itoa(n) + " lines in", strconv.Itoa(kept) + " out", "too_old 0", "rule " + strconv.Itoa(n-kept), "unparsed 0"} {
		if !strings.Contains(last, want) {
			t.Errorf("summary %q lacks %q", last, want)
		}
	}
	if kept == n || kept == 0 {
		t.Fatalf("the drop rule dropped %d of %d lines; the test needs some", n-kept, n)
	}
	if r := mustTarn(t, readFile(t, sampleLog), "filter", "--key-file", key); strings.Contains(r.stderr, "lines in") {
		t.Errorf("summary on a stream: %q", r.stderr)
	}
	if r := mustTarn(t, "", "aggregate", "--key-file", key, "--input", sampleLog, "--now", "2026-11-21T00:00:00Z"); !strings.Contains(r.stderr, strconv.Itoa(n)+" lines in") {
		t.Errorf("aggregate: no summary in %q", r.stderr)
	}
}

// TestProgressBarOnTerminal runs filter with stderr on a pseudo-terminal:
// the bar (percent, bytes, lines/s) is drawn there, and not when stderr is
// no terminal.
func TestProgressBarOnTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&screen, ptmx); close(done) }()

	dir := t.TempDir()
	big := filepath.Join(dir, "big.log")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	line := `203.0.113.7 - bob [20/Nov/2026:13:55:36 +0100] "GET /a?email=bob@example.com HTTP/1.1" 200 512 "-" "curl/8.0"` + "\n"
	for range 200000 {
		f.WriteString(line)
	}
	f.Close()
	out, err := os.Create(filepath.Join(dir, "out.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	code := run([]string{"filter", "--key-file", newKeyFile(t), "--input", big, "--now", "2026-11-21T00:00:00Z", "-j", "1"}, strings.NewReader(""), out, tty)
	tty.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	s := screen.String()
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, s)
	}
	for _, want := range []string{"%", "lines/s", "MB", "200000 lines in"} {
		if !strings.Contains(s, want) {
			t.Errorf("terminal lacks %q:\n%q", want, s)
		}
	}
	r := mustTarn(t, "", "filter", "--key-file", newKeyFile(t), "--input", big, "--now", "2026-11-21T00:00:00Z", "-o", filepath.Join(dir, "out2.log"))
	if strings.Contains(r.stderr, "%") || strings.Contains(r.stderr, "lines/s") {
		t.Errorf("bar drawn on a non-terminal: %q", r.stderr)
	}
}
