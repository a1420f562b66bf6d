package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesCheckBuiltin(t *testing.T) {
	r := tarn(t, "", "rules", "check", "builtin:default")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "builtin:default: ok (") || r.stderr != "" {
		t.Errorf("rules check builtin:default: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := tarn(t, "", "rules", "check", "builtin:nosuch"); r.code != 2 || !strings.Contains(r.stderr, "builtin:nosuch") {
		t.Errorf("rules check builtin:nosuch: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, args := range [][]string{{"rules"}, {"rules", "check"}, {"rules", "lint", "x.yaml"}} {
		if r := tarn(t, "", args...); r.code != 2 || !strings.Contains(r.stderr, "tarn rules") {
			t.Errorf("%q: exit %d, stderr %q; want usage and exit 2", args, r.code, r.stderr)
		}
	}
}

// badRules has one error of each kind; badRulesErrors are the lines
// `tarn rules check` must print for them, %[1]s being the file name.
const badRules = `name: bad
extends: [builtin:default]
formt: combined
pseudonyms: {length: sixteen}
truncate_ip:
  ipv4_prefix: 40
detect:
  actions: {emial: redact}
  patterns:
    - {name: x, regex: 'a(b', action: redact}
`

var badRulesErrors = []string{
	`%[1]s:3: formt: unknown field (did you mean "format"?)`,
	`%[1]s:4: pseudonyms.length: expected an integer, got "sixteen"`,
	`%[1]s:6: truncate_ip.ipv4_prefix: must be 0..32, got 40`,
	`%[1]s:8: detect.actions.emial: unknown detector (ipv4, ipv6, email, phone, iban, card, jwt, auth, secret, token)`,
	`%[1]s:10: detect.patterns[0].regex: not a valid RE2 expression`,
}

func TestRulesCheckReportsAllErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", badRules)
	good := writeFile(t, dir, "good.yaml", "extends: [builtin:default]\nfields: {remote_addr: pseudonymize}\n")
	r := tarn(t, "", "rules", "check", bad, good)
	if r.code != 2 {
		t.Errorf("exit %d, want 2 (an invalid rules file is a configuration error)", r.code)
	}
	if !strings.Contains(r.stdout, good+": ok (") {
		t.Errorf("the good file after the bad one was not checked: stdout %q", r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	for _, w := range badRulesErrors {
		want := fmt.Sprintf(w, bad)
		found := false
		for _, l := range lines {
			if l == want || strings.HasPrefix(l, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("error not reported (all errors must be reported at once):\nwant %s\nstderr:\n%s", want, r.stderr)
		}
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, bad+":") {
			t.Errorf("error line without file:line: %q", l)
		}
	}
}

func TestRulesTest(t *testing.T) {
	r := tarn(t, "", "rules", "test", "builtin:default")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "builtin:default: ") || !strings.HasSuffix(r.stdout, " passed, 0 failed\n") || r.stderr != "" {
		t.Errorf("rules test builtin:default: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	var n int
	if _, err := fmt.Sscanf(r.stdout, "builtin:default: %d passed", &n); err != nil || n < 1 {
		t.Errorf("rules test builtin:default ran no tests: %q", r.stdout)
	}

	dir := t.TempDir()
	const in = `192.0.2.7 - - [20/Nov/2026:13:55:36 +0100] "GET / HTTP/1.1" 200 2 "-" "-"`
	const right = `192.0.2.0 - - [20/Nov/2026:13:55:36 +0100] "GET / HTTP/1.1" 200 2 "-" "-"`
	const wrong = `192.0.2.7 - - [20/Nov/2026:13:55:36 +0100] "GET / HTTP/1.1" 200 2 "-" "-"`
	file := writeFile(t, dir, "t.yaml", fmt.Sprintf("extends: [builtin:default]\ntests:\n  - input: '%s'\n    expected: '%s'\n  - input: '%s'\n    expected: '%s'\n", in, right, in, wrong))
	r = tarn(t, "", "rules", "test", file)
	if r.code != 1 {
		t.Errorf("a failing rules test: exit %d, want 1", r.code)
	}
	if want := file + ": 1 passed, 1 failed\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	for _, want := range []string{file + ": FAIL tests[1]", "want: " + wrong + "\n", "got:  " + right + "\n"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the diff lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "tests[0]") {
		t.Errorf("the passing test is reported as failing:\n%s", r.stderr)
	}

	// A rules file with an error fails `rules test` with file:line.
	bad := writeFile(t, dir, "bad.yaml", "truncate_ip: {ipv4_prefix: 40}\n")
	if r := tarn(t, "", "rules", "test", bad); r.code != 2 || !strings.Contains(r.stderr, bad+":1: truncate_ip.ipv4_prefix: must be 0..32, got 40") {
		t.Errorf("rules test on a bad file: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestRulesExplainMergesAndRoundTrips(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "customer.yaml", "name: customer\nextends: [builtin:webhoster-7d]\nretention: {max_age: 3d}\nfields: {remote_user: redact}\n")
	out := mustTarn(t, "", "rules", "explain", p).stdout
	for _, want := range []string{"max_age: 3d", "backup_max_age: 21d", "remote_user: redact", "ipv4_prefix: 24", "client: remote_addr"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\nextends:") || strings.Contains(out, "\ntests:") {
		t.Error("explain kept extends or tests")
	}
	// The effective rules are a valid rules file that does the same.
	q := writeFile(t, dir, "effective.yaml", out)
	line := `198.51.100.23 - bob [20/Nov/2026:10:00:00 +0100] "GET /login?password=x HTTP/1.1" 200 5 "-" "-"`
	a := mustTarn(t, line, "filter", "--rules", p, "--now", "2026-11-20T12:00:00Z", "--key-file", writeFile(t, dir, "key", strings.Repeat("cd", 32))).stdout
	b := mustTarn(t, line, "filter", "--rules", q, "--now", "2026-11-20T12:00:00Z", "--key-file", filepath.Join(dir, "key")).stdout
	if a != b || !strings.Contains(a, "password=[redacted]") || strings.Contains(a, "bob") {
		t.Errorf("effective rules differ:\n%s%s", a, b)
	}
}

// TestRulesExplainListsDetectors: explain ends with every built-in
// detector, its action (keep when the rules turn it off) and the phone
// regions in effect.
func TestRulesExplainListsDetectors(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "r.yaml", "extends: [builtin:default]\ndetect: {actions: {address: keep, iban: redact}, phone: {regions: [FR, BE]}}\n")
	out := mustTarn(t, "", "rules", "explain", p).stdout
	_, list, ok := strings.Cut(out, "# built-in detectors")
	if !ok {
		t.Fatalf("no detector list:\n%s", out)
	}
	for _, want := range []string{
		"#   ipv4     truncate_ip", "#   email    pseudonymize", "#   iban     redact", "#   address  keep",
		"#   secret   redact", "#   token    pseudonymize", "regions FR, BE",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("detector list lacks %q:\n%s", want, list)
		}
	}
}
