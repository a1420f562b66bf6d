package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelmChart lints and renders packaging/helm/tarn with the Helm
// library (helm lint, helm template; in the module testdata/k8s, so tarn
// does not depend on Helm) with its default values and each
// ci/*-values.yaml, decodes every rendered manifest strictly into the
// Kubernetes API types (and the sidecar fragment NOTES.txt prints into a
// PodSpec), checks that values which cannot give a working agent are
// refused, and loads each rendered tarn.yaml with tarn's configuration
// loader.
func TestHelmChart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the validator module")
	}
	chart, _ := filepath.Abs(filepath.Join("..", "..", "packaging", "helm", "tarn"))
	values, _ := filepath.Glob(filepath.Join(chart, "ci", "*-values.yaml"))
	if len(values) < 2 {
		t.Fatalf("values: %v", values)
	}
	out := t.TempDir()
	cmd := exec.Command("go", append([]string{"run", ".", "helm", chart, out}, values...)...)
	cmd.Dir = filepath.Join("..", "..", "testdata", "k8s")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helm lint/template: %v\n%s", err, b)
	}
	t.Logf("%s", b)
	rendered, _ := filepath.Glob(filepath.Join(out, "*.yaml"))
	if len(rendered) != len(values)+1 {
		t.Fatalf("rendered: %v", rendered)
	}
	for _, r := range rendered {
		checkEmbeddedConfigs(t, r)
		checkNoSubPath(t, r)
		checkNoSubPath(t, strings.TrimSuffix(r, ".yaml")+".NOTES.txt")
	}
	sidecar, _ := os.ReadFile(filepath.Join(out, "sidecar-values.NOTES.txt"))
	if !strings.Contains(string(sidecar), "# --- tarn sidecar: begin\ncontainers:") {
		t.Errorf("the sidecar NOTES.txt has no pod spec fragment:\n%s", sidecar)
	}
}

// TestKubernetesConfigMapsMountedAsDirectories: kubelet never updates a
// subPath mount, so a ConfigMap edit would never reach the agent.
func TestKubernetesConfigMapsMountedAsDirectories(t *testing.T) {
	manifests, _ := filepath.Glob(filepath.Join("..", "..", "packaging", "kubernetes", "*.yaml"))
	templates, _ := filepath.Glob(filepath.Join("..", "..", "packaging", "helm", "tarn", "templates", "*"))
	for _, m := range append(manifests, templates...) {
		checkNoSubPath(t, m)
	}
}

func checkNoSubPath(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); !strings.HasPrefix(l, "#") && strings.Contains(l, "subPath:") {
			t.Errorf("%s:%d: a subPath mount is never updated by kubelet: %s", path, i+1, l)
		}
	}
}
