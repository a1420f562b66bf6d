package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tarn-project/tarn/agent/config"
)

// TestSystemdUnit verifies packaging/systemd/tarn.service with
// systemd-analyze (the unit pointing at a freshly built binary) and
// requires an exposure level of at most 2.0 ("OK") from
// `systemd-analyze security`.
func TestSystemdUnit(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze not installed (apt-get install systemd); .ci/run installs it")
	}
	bin := buildTarn(t)
	unit, err := os.ReadFile(filepath.Join("..", "..", "packaging", "systemd", "tarn.service"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "tarn.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(unit), "/usr/bin/tarn", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("systemd-analyze", "verify", path).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err := exec.Command("systemd-analyze", "security", "--offline=true", path).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for tarn.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	level, _ := strconv.ParseFloat(string(m[1]), 64)
	t.Logf("systemd-analyze security: exposure %.1f", level)
	if level > 2.0 {
		t.Errorf("exposure level %.1f, want <= 2.0 (OK)", level)
	}
}

// TestKubernetesManifests decodes packaging/kubernetes/*.yaml strictly
// into the Kubernetes API types (the separate module testdata/k8s, so
// tarn does not depend on Kubernetes libraries) and loads the tarn
// configuration every ConfigMap embeds.
func TestKubernetesManifests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the validator module")
	}
	manifests, _ := filepath.Glob(filepath.Join("..", "..", "packaging", "kubernetes", "*.yaml"))
	if len(manifests) < 2 {
		t.Fatalf("manifests: %v", manifests)
	}
	args := []string{"run", "."}
	for _, m := range manifests {
		abs, _ := filepath.Abs(m)
		args = append(args, abs)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join("..", "..", "testdata", "k8s")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("strict decoding: %v\n%s", err, out)
	}
	for _, m := range manifests {
		checkEmbeddedConfigs(t, m)
	}
}

// checkEmbeddedConfigs loads the tarn.yaml of each ConfigMap in path,
// with the other files of the ConfigMap (rules) beside it.
func checkEmbeddedConfigs(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	for {
		var doc struct {
			Kind string            `yaml:"kind"`
			Data map[string]string `yaml:"data"`
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if doc.Kind != "ConfigMap" || doc.Data["tarn.yaml"] == "" {
			continue
		}
		dir := t.TempDir()
		cfg := doc.Data["tarn.yaml"]
		for name, content := range doc.Data {
			if name != "tarn.yaml" {
				cfg = strings.ReplaceAll(cfg, "/etc/tarn/"+name, writeFile(t, dir, name, content))
			}
		}
		if _, _, err := config.Load(writeFile(t, dir, "tarn.yaml", cfg)); err != nil {
			t.Errorf("%s: embedded tarn.yaml: %v", path, err)
		}
	}
}

// TestExampleConfigs loads every configuration in packaging/examples, so
// none drifts from what the agent accepts.
func TestExampleConfigs(t *testing.T) {
	examples, _ := filepath.Glob(filepath.Join("..", "..", "packaging", "examples", "*.yaml"))
	if len(examples) < 3 {
		t.Fatalf("examples: %v", examples)
	}
	for _, p := range examples {
		if _, _, err := config.Load(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestPackagedConfig loads the Debian package's /etc/tarn/tarn.yaml as
// installed and with its commented apache-piped input (already_anonymized,
// for the log Apache writes through tarn.conf) enabled.
func TestPackagedConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "packaging", "debian", "tarn.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rulesAbs, _ := filepath.Abs(filepath.Join("..", "..", "packaging", "debian", "rules.yaml"))
	cfg := strings.ReplaceAll(string(data), "/etc/tarn/rules.yaml", rulesAbs)
	var piped []string
	for _, l := range strings.Split(cfg, "\n") {
		if strings.HasPrefix(l, "  # - ") || strings.HasPrefix(l, "  #   ") {
			l = "  " + l[4:]
		}
		piped = append(piped, l)
	}
	enabled := strings.Join(piped, "\n")
	if !strings.Contains(enabled, "already_anonymized: true") {
		t.Fatal("the packaged tarn.yaml has no commented apache-piped input")
	}
	for name, c := range map[string]string{"installed": cfg, "apache-piped enabled": enabled} {
		if _, _, err := config.Load(writeFile(t, t.TempDir(), "tarn.yaml", c)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
