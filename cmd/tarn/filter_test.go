package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tarn-project/tarn/benchmarks/corpus"
)

// now is the processing time of the filter tests: the sample lines are
// dated 20 Nov 2026.
const now = "2026-11-20T14:00:00Z"

// sampleInput mixes the formats tarn detects per line: combined (with
// CRLF), JSON, logfmt, free text, a combined record older than the 7-day
// retention (to be dropped) and a last line without newline.
const sampleInput = "203.0.113.7 - alice [20/Nov/2026:13:55:36 +0100] \"GET /x?email=bob@example.com HTTP/1.1\" 200 2 \"-\" \"-\"\r\n" +
	`{"time":"2026-11-20T13:00:00Z","client_ip":"198.51.100.23","email":"carol@example.org","msg":"hi"}` + "\n" +
	`level=info ip=192.0.2.44 user=dave msg="mail eve@example.net"` + "\n" +
	"some text from 2001:db8:1234:5678::1 by frank@example.com\n" +
	"198.51.100.99 - - [01/Nov/2026:13:55:36 +0100] \"GET /old-record HTTP/1.1\" 200 2 \"-\" \"-\"\n" +
	"last 192.0.2.99"

// sampleIPs are the client addresses of sampleInput and their truncated
// forms under builtin:default.
var sampleIPs = map[string]string{
	"203.0.113.7":            "203.0.113.0",
	"198.51.100.23":          "198.51.100.0",
	"192.0.2.44":             "192.0.2.0",
	"2001:db8:1234:5678::1":  "2001:db8:1234::",
	"192.0.2.99":             "192.0.2.0",
	"198.51.100.99 - - [01/": "", // the dropped record
}

// emailRE matches anything that still looks like an e-mail address.
var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

func TestFilterDefaultRules(t *testing.T) {
	key := newKeyFile(t)
	r := mustTarn(t, sampleInput, "filter", "--key-file", key, "--now", now)
	// sampleInput has one record older than max_age: its drop is the one
	// thing said on stderr.
	if want := "tarn: warning: 1 of 6 records dropped as too old"; !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr with --key-file should only say %q, got %q", want, r.stderr)
	}
	out := r.stdout
	for ip, trunc := range sampleIPs {
		if strings.Contains(out, ip) {
			t.Errorf("output still contains %q:\n%s", ip, out)
		}
		if trunc != "" && !strings.Contains(out, trunc) {
			t.Errorf("output lacks truncated address %q:\n%s", trunc, out)
		}
	}
	if m := emailRE.FindAllString(out, -1); len(m) > 0 {
		t.Errorf("e-mail addresses left in output: %q", m)
	}
	for _, name := range []string{"alice", "dave"} {
		if strings.Contains(out, name) {
			t.Errorf("user name %q not pseudonymized:\n%s", name, out)
		}
	}
	if strings.Contains(out, "old-record") {
		t.Errorf("record older than the retention is in the output:\n%s", out)
	}
	in, got := splitLines(sampleInput), splitLines(out)
	if len(got) != len(in)-1 {
		t.Fatalf("got %d lines, want %d (input %d minus 1 dropped):\n%s", len(got), len(in)-1, len(in), out)
	}
	if !strings.HasSuffix(got[0], "\r\n") {
		t.Errorf("CRLF of line 1 not kept: %q", got[0])
	}
	for i, l := range got[1:] {
		if strings.Contains(l, "\r") {
			t.Errorf("line %d gained a CR: %q", i+2, l)
		}
	}
	if last := got[len(got)-1]; last != "last 192.0.2.0" {
		t.Errorf("last line = %q, want %q (no newline added)", last, "last 192.0.2.0")
	}
	// Untouched bytes are kept.
	for _, keep := range []string{`"GET /x?email=`, `[20/Nov/2026:13:55:36 +0100]`, `"msg":"hi"}`, "level=info ip=", "some text from "} {
		if !strings.Contains(out, keep) {
			t.Errorf("output lost %q:\n%s", keep, out)
		}
	}
	// The same key and time give the same output.
	if r2 := mustTarn(t, sampleInput, "filter", "--key-file", key, "--now", now); r2.stdout != out {
		t.Errorf("second run differs:\n%s\nvs\n%s", r2.stdout, out)
	}
}

func TestFilterRandomKeyNotice(t *testing.T) {
	in := strings.Repeat(sampleInput+"\n", 2000) // several chunks, several workers
	r := mustTarn(t, in, "filter", "--now", now, "-j", "2")
	if n := strings.Count(r.stderr, "--key-file"); n != 1 {
		t.Errorf("want exactly one notice about --key-file on stderr, got %d:\n%s", n, r.stderr)
	}
	if n := strings.Count(r.stderr, "\n"); n != 2 || !strings.Contains(r.stderr, "2000 of 12000 records dropped as too old") {
		t.Errorf("want exactly two lines on stderr (the key notice, one too-old warning for all workers), got %d:\n%s", n, r.stderr)
	}
	if emailRE.MatchString(r.stdout) {
		t.Error("e-mail addresses left in output")
	}
}

func TestFilterFormat(t *testing.T) {
	key := newKeyFile(t)
	line := "203.0.113.7 - alice [20/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 2 \"-\" \"-\"\n"
	comb := mustTarn(t, line, "filter", "--key-file", key, "--now", now, "--format", "combined").stdout
	text := mustTarn(t, line, "filter", "--key-file", key, "--now", now, "--format", "text").stdout
	// As combined, remote_user is a field and pseudonymized; as text only
	// the detectors run, and "alice" is no e-mail, IP, or token.
	if strings.Contains(comb, "alice") || !strings.HasPrefix(comb, "203.0.113.0 - ") {
		t.Errorf("--format combined: %q", comb)
	}
	if !strings.Contains(text, " alice ") || !strings.HasPrefix(text, "203.0.113.0 - ") {
		t.Errorf("--format text: %q", text)
	}
	// A JSON line under --format logfmt is not parsed as JSON: the
	// client_ip key rule does not apply, but the detectors still do.
	js := `{"time":"2026-11-20T13:00:00Z","client_ip":"198.51.100.23","email":"carol@example.org"}` + "\n"
	lf := mustTarn(t, js, "filter", "--key-file", key, "--now", now, "--format", "logfmt").stdout
	if strings.Contains(lf, "198.51.100.23") || strings.Contains(lf, "carol@") {
		t.Errorf("--format logfmt leaked: %q", lf)
	}
	if r := tarn(t, line, "filter", "--key-file", key, "--format", "xml"); r.code != 2 || !strings.Contains(r.stderr, "--format") || r.stdout != "" {
		t.Errorf("--format xml: exit %d, stdout %q, stderr %q; want exit 2 naming --format", r.code, r.stdout, r.stderr)
	}
}

func TestFilterRulesFile(t *testing.T) {
	dir := t.TempDir()
	key := newKeyFile(t)
	rulesFile := writeFile(t, dir, "site.yaml", `name: site
extends: [builtin:default]
truncate_ip: {ipv4_prefix: 16}
drop_records:
  - {field: request_uri, prefix: [/healthz]}
`)
	in := "203.0.113.7 - - [20/Nov/2026:13:55:36 +0100] \"GET /a HTTP/1.1\" 200 2 \"-\" \"-\"\n" +
		"203.0.113.8 - - [20/Nov/2026:13:55:37 +0100] \"GET /healthz HTTP/1.1\" 200 2 \"-\" \"-\"\n" +
		"203.0.113.9 - - [20/Nov/2026:13:55:38 +0100] \"GET /b HTTP/1.1\" 200 2 \"-\" \"-\"\n"
	r := mustTarn(t, in, "filter", "--rules", rulesFile, "--key-file", key, "--now", now)
	want := "203.0.0.0 - - [20/Nov/2026:13:55:36 +0100] \"GET /a HTTP/1.1\" 200 2 \"-\" \"-\"\n" +
		"203.0.0.0 - - [20/Nov/2026:13:55:38 +0100] \"GET /b HTTP/1.1\" 200 2 \"-\" \"-\"\n"
	if r.stdout != want {
		t.Errorf("--rules %s:\ngot  %q\nwant %q", rulesFile, r.stdout, want)
	}
	// builtin:default, named explicitly, is the default.
	a := mustTarn(t, sampleInput, "filter", "--key-file", key, "--now", now).stdout
	b := mustTarn(t, sampleInput, "filter", "--rules", "builtin:default", "--key-file", key, "--now", now).stdout
	if a != b {
		t.Errorf("--rules builtin:default differs from the default:\n%s\nvs\n%s", b, a)
	}
}

func TestFilterInputAndOutputFiles(t *testing.T) {
	dir := t.TempDir()
	key := newKeyFile(t)
	want := mustTarn(t, sampleInput, "filter", "--key-file", key, "--now", now).stdout

	input := writeFile(t, dir, "in.log", sampleInput)
	if r := mustTarn(t, "ignored stdin 10.9.8.7\n", "filter", "--input", input, "--key-file", key, "--now", now); r.stdout != want {
		t.Errorf("--input: got %q, want %q", r.stdout, want)
	}

	output := filepath.Join(dir, "out.log")
	for i := 1; i <= 2; i++ {
		r := mustTarn(t, sampleInput, "filter", "-o", output, "--key-file", key, "--now", now)
		if r.stdout != "" {
			t.Errorf("-o: stdout should be empty, got %q", r.stdout)
		}
		if got := readFile(t, output); got != strings.Repeat(want, i) {
			t.Errorf("after run %d, -o file = %q, want %d copies of %q", i, got, i, want)
		}
	}
	out2 := filepath.Join(dir, "out2.log")
	mustTarn(t, "", "filter", "--input", input, "--output", out2, "--key-file", key, "--now", now)
	if got := readFile(t, out2); got != want {
		t.Errorf("--input with --output: got %q, want %q", got, want)
	}
}

func TestFilterStats(t *testing.T) {
	key := newKeyFile(t)
	r := mustTarn(t, sampleInput, "filter", "--stats", "--key-file", key, "--now", now)
	for _, want := range []string{
		"lines 6, bytes ",
		"records kept 5\n",
		"records too_old 1\n",
		"rule fields.remote_addr 1\n",
		"rule detect.email 2\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--stats: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if emailRE.MatchString(r.stderr) || strings.Contains(r.stderr, "203.0.113.7") {
		t.Errorf("--stats output contains input content:\n%s", r.stderr)
	}
	// Without --stats nothing is printed but the too-old warning.
	if r := mustTarn(t, sampleInput, "filter", "--key-file", key, "--now", now); strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "dropped as too old") {
		t.Errorf("stderr without --stats: %q", r.stderr)
	}
}

// corpusInput returns n lines of each corpus kind, interleaved in blocks.
func corpusInput(t testing.TB, n int) string {
	t.Helper()
	var b bytes.Buffer
	for i, k := range []corpus.Kind{corpus.Combined, corpus.VhostCombined, corpus.JSON} {
		if _, err := corpus.New(corpus.Options{Kind: k, Seed: int64(i + 1)}).WriteN(&b, n); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestFilterWorkersSameOutput(t *testing.T) {
	key := newKeyFile(t)
	in := corpusInput(t, 1500)
	args := []string{"filter", "--key-file", key, "--now", "2026-11-21T00:00:00Z"}
	one := mustTarn(t, in, append(args, "-j", "1")...).stdout
	two := mustTarn(t, in, append(args, "-j", "2")...).stdout
	four := mustTarn(t, in, append(args, "--workers", "4")...).stdout
	if one != two || one != four {
		t.Fatalf("-j 1, -j 2 and -j 4 differ (lengths %d, %d, %d)", len(one), len(two), len(four))
	}
	if got, want := countLines(one), countLines(in); got != want {
		t.Errorf("output has %d lines, want %d (nothing is older than 7 days)", got, want)
	}
	if m := emailRE.FindString(one); m != "" {
		t.Errorf("e-mail address %q left in output", m)
	}
}

func TestFilterEmptyInput(t *testing.T) {
	for _, args := range [][]string{{"filter", "--now", now, "--key-file", newKeyFile(t)}, {"filter", "--anonip"}} {
		r := mustTarn(t, "", args...)
		if r.stdout != "" {
			t.Errorf("%q on empty input wrote %q", args, r.stdout)
		}
	}
}

func TestFilterBadInput(t *testing.T) {
	key := newKeyFile(t)
	long := "203.0.113.7 " + strings.Repeat("a", 10<<20) + " bob@example.com"
	in := "first 192.0.2.1\n" +
		long + "\n" +
		"nul\x00byte 10.1.2.3 \x00 carol@example.org\n" +
		"bad utf-8 \xff\xfe\xc3 dave@example.net 198.51.100.4\n" +
		"\xed\xa0\x80 surrogate half\n" +
		"last 192.0.2.99"
	r := mustTarn(t, in, "filter", "--key-file", key, "--now", now, "--stats")
	got, want := splitLines(r.stdout), splitLines(in)
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	if n := len(got[1]); n > 256<<10+1 || n < 1000 {
		t.Errorf("10 MB line came out with %d bytes, want it cut to at most 256 KiB", n)
	}
	if strings.Contains(got[1], "203.0.113.7") {
		t.Error("the cut line kept its address")
	}
	if !strings.Contains(r.stderr, "cut 1,") {
		t.Errorf("--stats does not count the cut line:\n%s", r.stderr)
	}
	for _, leak := range []string{"10.1.2.3", "198.51.100.4", "192.0.2.1\n", "192.0.2.99"} {
		if strings.Contains(r.stdout, leak) {
			t.Errorf("output contains %q", leak)
		}
	}
	if m := emailRE.FindString(r.stdout); m != "" {
		t.Errorf("e-mail %q left in output", m)
	}
	if !strings.HasPrefix(got[2], "nul\x00byte 10.1.2.0 ") {
		t.Errorf("NUL line: %q", got[2])
	}
	if !strings.HasSuffix(r.stdout, "last 192.0.2.0") {
		t.Errorf("last line lost or gained a newline: %q", got[len(got)-1])
	}

	// anonip mode cuts long lines like the default mode (anonip does not;
	// a line held whole could take all memory).
	ra := mustTarn(t, in, "filter", "--anonip")
	ga := splitLines(ra.stdout)
	if len(ga) != len(want) {
		t.Fatalf("anonip mode: got %d lines, want %d", len(ga), len(want))
	}
	if n := len(ga[1]); !strings.HasPrefix(ga[1], "203.0.112.0 aaaa") || n > anonipMaxLine+1 || n < 1000 {
		t.Errorf("anonip mode: long line starts %q, %d bytes, want it cut to at most %d", ga[1][:20], n, anonipMaxLine)
	}
}

func TestFilterUsageErrors(t *testing.T) {
	key := newKeyFile(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"filter", "--bogus"}, 2, "unknown flag --bogus"},
		{[]string{"filter", "-x"}, 2, "unknown flag -x"},
		{[]string{"filter", "--stats=yes"}, 2, "takes no value"},
		{[]string{"filter", "--rules"}, 2, "needs a value"},
		{[]string{"filter", "-j", "many"}, 2, "not an integer"},
		{[]string{"filter", "access.log"}, 2, "use --input"},
		{[]string{"filter", "--key-file", key, "--now", "yesterday"}, 2, "--now"},
		{[]string{"filter", "-4", "x"}, 2, "not an integer"},
		{[]string{"nosuchcommand"}, 2, "unknown command"},
		{nil, 2, "usage: tarn"},
	} {
		r := tarn(t, "203.0.113.7 bob@example.com\n", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("tarn %q: exit %d, stderr %q; want exit %d with %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
		}
		if r.stdout != "" {
			t.Errorf("tarn %q wrote to stdout: %q", tc.args, r.stdout)
		}
	}
	if r := tarn(t, "", "filter", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--key-file") {
		t.Errorf("filter --help: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestFilterMissingInput(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such.log")
	for _, extra := range [][]string{nil, {"--anonip"}} {
		args := append([]string{"filter", "--input", missing}, extra...)
		r := tarn(t, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, missing) {
			t.Errorf("tarn %q: exit %d, stderr %q; want exit 1 naming %s", args, r.code, r.stderr, missing)
		}
	}
	badKey := writeFile(t, t.TempDir(), "key", "short\n")
	if r := tarn(t, "", "filter", "--key-file", badKey); r.code != 2 || !strings.Contains(r.stderr, badKey) {
		t.Errorf("bad key file: exit %d, stderr %q", r.code, r.stderr)
	}
}

// failWriter fails every write, like a full disk or a closed pipe.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("device full") }

// TestErrorsNeverQuoteInput checks the privacy invariant: an error names
// inputs and offsets but never the content of a line.
func TestErrorsNeverQuoteInput(t *testing.T) {
	const planted = "planted.person@example.com"
	const plantedIP = "203.0.113.77"
	line := plantedIP + " - " + planted + " [20/Nov/2026:13:55:36 +0100] \"GET /?u=" + planted + " HTTP/1.1\" 200 2 \"-\" \"-\"\n"
	in := strings.Repeat(line, 50)
	key := newKeyFile(t)
	dir := t.TempDir()
	inFile := writeFile(t, dir, "in.log", in)

	check := func(name string, r result, wantCode int) {
		t.Helper()
		if r.code != wantCode {
			t.Errorf("%s: exit %d, want %d (stderr %q)", name, r.code, wantCode, r.stderr)
		}
		if r.stderr == "" {
			t.Errorf("%s: no error message", name)
		}
		for _, s := range []string{planted, "planted", plantedIP, "example.com"} {
			if strings.Contains(r.stderr, s) || strings.Contains(r.stdout, s) {
				t.Errorf("%s: output quotes input content %q:\nstdout %q\nstderr %q", name, s, r.stdout, r.stderr)
			}
		}
	}
	for _, mode := range [][]string{{"--key-file", key, "--now", now}, {"--anonip", "-r", "0.0.0.0"}} {
		var errb bytes.Buffer
		code := run(append([]string{"filter"}, mode...), strings.NewReader(in), failWriter{}, &errb)
		check(fmt.Sprintf("%q to failing stdout", mode), result{code, "", errb.String()}, 1)
		if !strings.Contains(errb.String(), "device full") {
			t.Errorf("%q: the write error is not reported: %q", mode, errb.String())
		}
		if _, err := os.Stat("/dev/full"); err == nil {
			check(fmt.Sprintf("%q -o /dev/full", mode), tarn(t, "", append([]string{"filter", "--input", inFile, "-o", "/dev/full"}, mode...)...), 1)
		}
		out := filepath.Join(dir, "no-dir", "out.log")
		r := tarn(t, in, append([]string{"filter", "-o", out}, mode...)...)
		check(fmt.Sprintf("%q -o in missing dir", mode), r, 1)
		if !strings.Contains(r.stderr, out) {
			t.Errorf("%q: error does not name the output file: %q", mode, r.stderr)
		}
	}
	// An input that is a directory fails on read.
	check("--input DIR", tarn(t, "", "filter", "--input", dir, "--key-file", key), 1)

	// A rules file with an error: the message points at file:line: field.
	bad := writeFile(t, dir, "bad.yaml", "extends: [builtin:default]\ndetect:\n  actions: {emial: redact}\ntruncate_ip: {ipv6_prefix: 200}\n")
	r := tarn(t, in, "filter", "--rules", bad, "--key-file", key)
	check("bad rules", r, 2)
	for _, want := range []string{bad + ":3: detect.actions.emial: unknown detector", bad + ":4: truncate_ip.ipv6_prefix: must be 0..128, got 200"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("bad rules: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}
