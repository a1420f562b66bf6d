package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSelectLoadsRules(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "customer-a.yaml"), []byte("name: customer-a\nextends: [builtin:strict]\n"), 0o644)
	p := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(p, []byte(`inputs:
  - name: pods
    type: file
    paths: [/var/log/pods/*/*/*.log]
    format: cri
    message_format: json
    select:
      - match: {namespace: customer-a}
        rules: customer-a.yaml
        tenant: customer-a
      - match: {namespace: "shop-*", container: nginx}
        rules: builtin:webhoster-7d
      - match: {namespace: internal}
        tenant: ops
sinks: [{name: o, type: stdout}]
`), 0o644)
	cfg, _, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	sel := cfg.Inputs[0].Select
	if sel[0].Loaded == nil || sel[0].Loaded.Name != "customer-a" || sel[1].Loaded == nil || sel[2].Loaded != nil {
		t.Fatalf("loaded rules: %+v", sel)
	}
	if got := cfg.RulesFiles(p); len(got) != 1 || got[0] != filepath.Join(dir, "customer-a.yaml") {
		t.Errorf("watched rules files = %q", got)
	}
	labels := map[string]string{"namespace": "shop-12", "container": "nginx"}
	if !sel[1].Matches(func(n string) string { return labels[n] }) {
		t.Error("shop-* with container nginx does not match")
	}
	labels["container"] = "php"
	if sel[1].Matches(func(n string) string { return labels[n] }) {
		t.Error("shop-* matched container php")
	}
}

func TestSelectErrors(t *testing.T) {
	p := write(t, "tarn.yaml", `inputs:
  - name: pods
    type: file
    paths: [/x/*.log]
    message_format: json
    select:
      - match: {}
        tenant: a
      - match: {namespace: "[x"}
        rules: builtin:strict
      - match: {namespace: b}
      - match: {namespace: c}
        rules: missing.yaml
  - name: in
    type: stdin
    format: cri
    message_format: docker
    select:
      - match: {input: in}
        tenant: x
sinks: [{name: o, type: stdout}]
`)
	_, _, err := Load(p)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"tarn.yaml:5: inputs[0].message_format: only for format cri or docker",
		"tarn.yaml:7: inputs[0].select[0].match: required",
		"tarn.yaml:9: inputs[0].select[1].match.namespace: not a valid pattern",
		"tarn.yaml:11: inputs[0].select[2].rules: a select entry needs rules, a tenant or both",
		"tarn.yaml:17: inputs[1].message_format: must be auto",
		"tarn.yaml:18: inputs[1].select: only inputs that read files",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// The missing rules file is reported once the file itself is valid.
	q := write(t, "tarn.yaml", `inputs:
  - name: pods
    type: file
    paths: [/x/*.log]
    select:
      - match: {namespace: c}
        rules: missing.yaml
sinks: [{name: o, type: stdout}]
`)
	if _, _, err := Load(q); err == nil || !strings.Contains(err.Error(), "tarn.yaml:7: inputs[0].select[0].rules: ") || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing rules file: %v", err)
	}
}
