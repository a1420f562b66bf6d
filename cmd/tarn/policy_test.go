package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPolicyRenderGerman(t *testing.T) {
	r := mustTarn(t, "", "policy", "render", "builtin:default", "--lang", "de")
	want := "IP-Adressen werden vor jeder Speicherung auf die ersten 24 Bit (IPv4) bzw. 48 Bit (IPv6) gekürzt"
	if !strings.Contains(r.stdout, want) || !strings.HasPrefix(r.stdout, "## Server-Log-Dateien") {
		t.Errorf("no %q in\n%s", want, r.stdout)
	}
}

func TestPolicyRenderFormats(t *testing.T) {
	if r := mustTarn(t, "", "policy", "render", "builtin:default", "--format=html"); !strings.HasPrefix(r.stdout, `<section class="tarn-policy" lang="en">`) {
		t.Errorf("html:\n%s", r.stdout)
	}
	if r := mustTarn(t, "", "policy", "render", "builtin:default", "--format", "text"); !strings.HasPrefix(r.stdout, "Server log files\n====") {
		t.Errorf("text:\n%s", r.stdout)
	}
}

func TestPolicyUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"policy"},
		{"policy", "print", "builtin:default"},
		{"policy", "render", "builtin:default", "--lang", "fr"},
		{"policy", "render", "builtin:default", "--format", "pdf"},
		{"policy", "record", "builtin:default", "--format", "md"},
		{"policy", "render"},
		{"policy", "render", "builtin:default", "builtin:strict"},
	} {
		if r := tarn(t, "", args...); r.code != 2 || r.stderr == "" {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, r.code, r.stderr)
		}
	}
	if r := tarn(t, "", "policy", "render", "--help"); r.code != 0 || !strings.Contains(r.stdout, "--lang") {
		t.Errorf("--help: exit %d:\n%s", r.code, r.stdout)
	}
}

func TestPolicyBadRulesNameTheFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "rules.yaml", "name: x\ntruncate_ip:\n  ipv4_prefix: 40\n")
	r := tarn(t, "", "policy", "render", p)
	if r.code != 2 || !strings.Contains(r.stderr, p+":3") {
		t.Errorf("exit %d, stderr %q; want 2 and %s:3", r.code, r.stderr, p)
	}
	if r := tarn(t, "", "policy", "record", dir+"/missing.yaml"); r.code != 2 || !strings.Contains(r.stderr, "missing.yaml") {
		t.Errorf("missing file: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestPolicyConfigRecipients(t *testing.T) {
	r := mustTarn(t, "", "policy", "render", "--config", "../../packaging/examples/loki.yaml")
	if !strings.Contains(r.stdout, "Recipients of the processed log files: Grafana Loki (log database).") {
		t.Errorf("no Loki recipient in\n%s", r.stdout)
	}
	r = mustTarn(t, "", "policy", "render", "builtin:strict", "--lang", "de", "--config", "../../packaging/examples/loki.yaml")
	if !strings.Contains(r.stdout, "Grafana Loki") || !strings.Contains(r.stdout, "20 Bit (IPv4)") {
		t.Errorf("RULES with --config:\n%s", r.stdout)
	}
}

func TestPolicyConfigRetentionCapsRules(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "tarn.yaml", `data_dir: `+dir+`
rules: builtin:default
inputs: [{name: in, type: stdin}]
sinks:
  - {name: out, type: file, path: out}
  - {name: stats, type: stdout, entries: aggregates}
retention: {max_age: 72h}
`)
	r := mustTarn(t, "", "policy", "render", "--config", cfg)
	for _, w := range []string{"at most 72 hours", "Recipients of the processed log files: files on the server."} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("no %q in\n%s", w, r.stdout)
		}
	}
}

func TestPolicyRecord(t *testing.T) {
	r := mustTarn(t, "", "policy", "record", "builtin:default", "--config", "../../packaging/examples/loki.yaml")
	var v struct {
		Measures []struct {
			Measure string `json:"measure"`
		} `json:"measures"`
		Recipients []struct {
			Type string `json:"type"`
		} `json:"recipients"`
		Retention struct {
			MaxAge string `json:"max_age"`
		} `json:"retention"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if len(v.Measures) == 0 || v.Measures[0].Measure != "truncate_ip" || v.Retention.MaxAge != "7d" ||
		len(v.Recipients) != 1 || v.Recipients[0].Type != "loki" {
		t.Errorf("record: %+v", v)
	}
}
