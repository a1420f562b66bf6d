package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigErrors(t *testing.T) {
	src := `name: bad
format: apache
pseudonyms: {rotation: hourly, length: 4}
fields:
  remote_addr:
    truncate_ip:
      ipv4_prefix: 40
  remote_user: {pseudonymize: {}, redact: {}}
  ua: generalise_user_agent
  t: {coarsen_time: {to: week}}
  p: {redact: {with: "a b"}}
detect:
  actions: {emial: redact, phone: truncate_ip}
  patterns: [{name: x, regex: '(unclosed'}]
drop_records: [{field: status}]
on_unparsed: ignore
tests: [{input: x}]
unknown_key: 1
`
	_, err := ParseConfig("rules.yaml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		`rules.yaml:18: unknown_key: unknown field`,
		`rules.yaml:9: fields.ua: unknown action "generalise_user_agent"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	// Validation errors are reported together with the decoding errors.
	for _, want := range []string{
		`rules.yaml:2: format: unknown format "apache"`,
		`rules.yaml:3: pseudonyms.rotation: must be daily, weekly, monthly or never, got "hourly"`,
		`rules.yaml:3: pseudonyms.length: must be 8..64, got 4`,
		`rules.yaml:7: fields.remote_addr.truncate_ip.ipv4_prefix: must be 0..32, got 40`,
		`rules.yaml:8: fields.remote_user: more than one action given`,
		`rules.yaml:10: fields.t.coarsen_time.to: must be minute, hour or day, got "week"`,
		`rules.yaml:11: fields.p.redact.with: may hold only printable ASCII`,
		`rules.yaml:13: detect.actions.emial: unknown detector`,
		`rules.yaml:13: detect.actions.phone: truncate_ip applies only to ipv4 and ipv6`,
		`rules.yaml:14: detect.patterns[0].regex: not a valid RE2 expression`,
		`rules.yaml:15: drop_records[0]: needs one of equals, prefix, contains, regex`,
		`rules.yaml:16: on_unparsed: must be scrub or drop, got "ignore"`,
		`rules.yaml:17: tests[0].expected: required unless dropped: true`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}

func TestExtends(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("base.yaml", "name: base\nextends: [builtin:default]\nretention: {max_age: 2d}\nfields: {remote_user: redact}\n")
	child := write("child.yaml", "name: child\nextends: [base.yaml]\nfields: {vhost: pseudonymize}\n")
	cfg, err := LoadConfig(child)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "child" || time.Duration(*cfg.Retention.MaxAge) != 48*time.Hour ||
		cfg.Fields["remote_user"].Redact == nil || cfg.Fields["vhost"].Pseudonymize == nil ||
		cfg.Fields["remote_addr"].TruncateIP == nil || len(cfg.Tests) != 0 {
		t.Fatalf("merged config wrong: %+v", cfg)
	}
	loop := write("loop.yaml", "name: loop\nextends: [loop.yaml]\n")
	if _, err := LoadConfig(loop); err == nil || !strings.Contains(err.Error(), "extends cycle") {
		t.Fatalf("cycle not reported: %v", err)
	}
	bad := write("bad.yaml", "name: bad\nextends: [missing.yaml, builtin:nope]\n")
	_, err = LoadConfig(bad)
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") || !strings.Contains(err.Error(), "builtin:nope") {
		t.Fatalf("missing parents not both reported: %v", err)
	}
	parentErr := write("perr.yaml", "name: p\nfields: {a: {truncate_ip: {ipv6_prefix: 200}}}\n")
	_ = parentErr
	c2 := write("c2.yaml", "name: c\nextends: [perr.yaml]\n")
	if _, err := LoadConfig(c2); err == nil || !strings.Contains(err.Error(), "perr.yaml:2: fields.a.truncate_ip.ipv6_prefix: must be 0..128, got 200") {
		t.Fatalf("parent error not located in the parent: %v", err)
	}
}

func TestCompileNeedsKey(t *testing.T) {
	cfg, _ := ParseConfig("t.yaml", []byte("name: t"))
	if _, err := Compile(cfg, []byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
}
