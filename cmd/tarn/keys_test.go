package main

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
)

func TestKeygen(t *testing.T) {
	hex := regexp.MustCompile(`^[0-9a-f]{64}\n$`)
	a := mustTarn(t, "", "keygen")
	b := mustTarn(t, "", "keygen")
	for _, r := range []result{a, b} {
		if !hex.MatchString(r.stdout) || r.stderr != "" {
			t.Errorf("keygen: stdout %q, stderr %q; want 64 hex characters and a newline", r.stdout, r.stderr)
		}
	}
	if a.stdout == b.stdout {
		t.Error("two keygen runs printed the same key")
	}
	if r := tarn(t, "", "keygen", "extra"); r.code != 2 || r.stdout != "" {
		t.Errorf("keygen extra: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestPseudonymMatchesFilter(t *testing.T) {
	key := newKeyFile(t)
	dir := t.TempDir()
	rulesFile := writeFile(t, dir, "p.yaml", "extends: [builtin:default]\nfields: {remote_addr: pseudonymize}\n")
	line := "203.0.113.7 - - [20/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 2 \"-\" \"-\"\n"
	out := mustTarn(t, line, "filter", "--rules", rulesFile, "--key-file", key, "--now", now).stdout
	filtered, rest, ok := strings.Cut(out, " ")
	if !ok || rest != line[len("203.0.113.7 "):] {
		t.Fatalf("filter output %q", out)
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(filtered) {
		t.Fatalf("filter wrote %q for the client, want a 16-char hex pseudonym", filtered)
	}

	p := mustTarn(t, "", "pseudonym", "--key-file", key, "--date", "2026-11-20", "203.0.113.7")
	if p.stdout != filtered+"\n" {
		t.Errorf("tarn pseudonym = %q, filter wrote %q", p.stdout, filtered)
	}
	// The --rules settings are honoured (builtin:default and p.yaml agree).
	if p2 := mustTarn(t, "", "pseudonym", "--key-file", key, "--rules", rulesFile, "--date", "2026-11-20", "203.0.113.7"); p2.stdout != p.stdout {
		t.Errorf("--rules %s: %q, want %q", rulesFile, p2.stdout, p.stdout)
	}
	// Identifiers are normalized: a non-canonical spelling gives the same value.
	if p3 := mustTarn(t, "", "pseudonym", "--key-file", key, "--date", "2026-11-20", "::ffff:203.0.113.7"); p3.stdout == "" {
		t.Error("no pseudonym for the mapped form")
	}

	other := mustTarn(t, "", "pseudonym", "--key-file", key, "--date", "2026-11-21", "203.0.113.7")
	if other.stdout == p.stdout {
		t.Errorf("the pseudonym of another day is the same: %q", other.stdout)
	}
	otherKey := mustTarn(t, "", "pseudonym", "--key-file", newKeyFile(t), "--date", "2026-11-20", "203.0.113.7")
	if otherKey.stdout == p.stdout {
		t.Errorf("the pseudonym under another key is the same: %q", otherKey.stdout)
	}
	if l := mustTarn(t, "", "pseudonym", "--key-file", key, "--date", "2026-11-20", "--length", "24", "203.0.113.7"); len(l.stdout) != 25 || !strings.HasPrefix(l.stdout, filtered) {
		t.Errorf("--length 24: %q", l.stdout)
	}

	v6 := mustTarn(t, "", "pseudonym", "--key-file", key, "--date", "2026-11-20", "--form", "ipv6", "203.0.113.7").stdout
	addr, err := netip.ParseAddr(strings.TrimSuffix(v6, "\n"))
	if err != nil || !addr.Is6() || addr.Is4In6() || !netip.MustParsePrefix("fd00::/8").Contains(addr) || !strings.HasSuffix(v6, "\n") {
		t.Errorf("--form ipv6: %q (%v), want an address in fd00::/8", v6, err)
	}
	all := mustTarn(t, "", "pseudonym", "--key-file", key, "--date", "2026-11-20", "--form", "all", "203.0.113.7", "bob@example.com")
	lines := splitLines(all.stdout)
	if len(lines) != 2 || lines[0] != filtered+"\t"+v6 {
		t.Errorf("--form all: %q, want %q then a second value", all.stdout, filtered+"\t"+v6)
	}
	if len(lines) == 2 {
		e := mustTarn(t, "", "pseudonym", "--key-file", key, "--date", "2026-11-20", "BOB@Example.COM").stdout
		if hex, _, _ := strings.Cut(lines[1], "\t"); hex+"\n" != e {
			t.Errorf("e-mail not normalized: %q vs %q", hex, e)
		}
	}
}

func TestPseudonymErrors(t *testing.T) {
	key := newKeyFile(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"pseudonym", "203.0.113.7"}, 2, "--key-file is required"},
		{[]string{"pseudonym", "--key-file", key}, 2, "run 'tarn pseudonym --help'"},
		{[]string{"pseudonym", "--key-file", key, "--date", "20.11.2026", "x"}, 2, "--date"},
		{[]string{"pseudonym", "--key-file", key, "--form", "base64", "x"}, 2, "--form"},
		{[]string{"pseudonym", "--key-file", key, "--rotation", "hourly", "x"}, 2, "--rotation"},
		{[]string{"pseudonym", "--key-file", key + ".missing", "x"}, 2, key + ".missing"},
	} {
		r := tarn(t, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d with %q", tc.args, r.code, r.stdout, r.stderr, tc.code, tc.msg)
		}
	}
}

func TestVersion(t *testing.T) {
	r := mustTarn(t, "", "version")
	if !strings.HasPrefix(r.stdout, "tarn ") || !strings.HasSuffix(r.stdout, "\n") || len(r.stdout) < len("tarn x\n") {
		t.Errorf("version: %q", r.stdout)
	}
}
