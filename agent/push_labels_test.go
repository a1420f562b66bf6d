package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/loki/pkg/push"

	"github.com/tarn-project/tarn/sinks/loki/lokitest"
)

// pushInfraLabels pushes one stream with pod-address labels (as
// Promtail's Kubernetes discovery and Prometheus-style scrapes set them)
// through a loki_push input configured with rules and inputExtra, and
// returns the entry's labels and metadata as Loki stores them.
func pushInfraLabels(t *testing.T, rules, inputExtra string) (map[string]string, map[string]string) {
	t.Helper()
	l := lokitest.Start(t, lokitest.Options{})
	dir, addr := t.TempDir(), freePort(t)
	cfg := pushConfig(t, dir, addr, l, inputExtra)
	body, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(body), "rules: builtin:default", "rules: "+rules, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, cfg, Options{})
	waitListening(t, addr)
	now := time.Now()
	pr := push.PushRequest{Streams: []push.Stream{{
		Labels: `{app="shop", instance="10.1.2.3:8080", pod_ip="10.1.2.4", node_ip="[fd00::7]:10250", remote_ip="203.0.113.7", client="203.0.113.8:443", peer="10.1.2.3 via 203.0.113.9"}`,
		Entries: []push.Entry{{Timestamp: now, Line: "GET /cart from 203.0.113.10 and 10.1.2.6",
			StructuredMetadata: push.LabelsAdapter{{Name: "upstream", Value: "10.1.2.7:9000"}}}},
	}}}
	postProto(t, "http://"+addr+"/loki/api/v1/push", &pr)
	from, to := window()
	got := l.WaitFor(t, "", `{input="push"}`, from, to, 1, 30*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d entries", len(got))
	}
	if strings.Contains(got[0].Line, "203.0.113.10") || strings.Contains(got[0].Line, "10.1.2.6") {
		t.Errorf("addresses in the line not anonymized: %s", got[0].Line)
	}
	return got[0].Labels, got[0].Metadata
}

// checkLabels compares the labels named in want.
func checkLabels(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("label %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	blob := fmt.Sprint(got)
	for _, personal := range []string{"203.0.113.7", "203.0.113.8", "203.0.113.9"} {
		if strings.Contains(blob, personal) {
			t.Errorf("personal address %s reached loki in a label: %v", personal, got)
		}
	}
}

// Without a rule for them, pod addresses in pushed labels are truncated
// like any address (the default: tarn cannot tell a pod from a client).
func TestPushedLabelsAddressesTruncatedByDefault(t *testing.T) {
	labels, _ := pushInfraLabels(t, "builtin:default", "")
	checkLabels(t, labels, map[string]string{"instance": "10.1.2.0:8080", "pod_ip": "10.1.2.0", "remote_ip": "203.0.113.0", "client": "203.0.113.0:443"})
}

// infrastructure_networks keeps the labels whose whole value is an
// address (with or without a port) in those networks; a personal address
// in a label, a label that holds more than an address, the line and
// structured metadata are anonymized as before.
func TestPushedLabelsInfrastructureNetworksKept(t *testing.T) {
	labels, meta := pushInfraLabels(t, "builtin:default", "    infrastructure_networks: [10.0.0.0/8, \"fd00::/8\"]\n")
	checkLabels(t, labels, map[string]string{"instance": "10.1.2.3:8080", "pod_ip": "10.1.2.4", "node_ip": "[fd00::7]:10250",
		"remote_ip": "203.0.113.0", "client": "203.0.113.0:443", "app": "shop"})
	if strings.Contains(labels["peer"], "10.1.2.3") {
		t.Errorf("a label holding more than an address kept its addresses: %q", labels["peer"])
	}
	if meta["upstream"] == "10.1.2.7:9000" {
		t.Errorf("structured metadata kept raw: %v (infrastructure_networks is about stream labels)", meta)
	}
}

// A rules fields entry with keep names labels to keep whatever they
// hold: the allow-list by label name.
func TestPushedLabelsKeptByRulesFieldName(t *testing.T) {
	labels, _ := pushInfraLabels(t, "{extends: [builtin:default], fields: {instance: keep, pod_ip: keep}}", "")
	checkLabels(t, labels, map[string]string{"instance": "10.1.2.3:8080", "pod_ip": "10.1.2.4", "node_ip": "[fd00::]:10250",
		"remote_ip": "203.0.113.0", "client": "203.0.113.0:443"})
}

func TestInfrastructureNetworksOnlyForPushedLabels(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(body), "    labels: {job: web}\n", "    labels: {job: web}\n    infrastructure_networks: [10.0.0.0/8]\n", 1)), 0o644)
	err := New(Options{ConfigPath: filepath.Join(dir, "tarn.yaml")}).Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "tarn.yaml:10: inputs[0].infrastructure_networks") {
		t.Fatalf("file input with infrastructure_networks: %v", err)
	}
}
