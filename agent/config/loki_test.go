package config

import (
	"github.com/tarn-project/tarn/agent/inputs/lokipush"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks/loki"
)

// A Promtail client entry carries over with a name and a type added.
const promtailStyle = `data_dir: data
inputs:
  - name: push
    type: loki_push
    listen: 127.0.0.1:3500
    pass_tenant: true
    tenant_map: {team-a: customer-a}
    bearer_token_file: push.token
sinks:
  - name: loki
    type: loki
    url: http://loki:3100/loki/api/v1/push
    tenant_id: hoster
    batch_wait: 2s
    batch_size: 512KiB
    timeout: 5s
    external_labels: {cluster: eu1}
    backoff: {min_period: 1s, max_period: 1m, max_retries: 20}
    basic_auth: {username: tarn, password_file: loki.pw}
    tls: {ca_file: ca.pem, insecure_skip_verify: false}
    headers: {X-Extra: "1"}
    encoding: json
`

func TestLokiSinkAndPushInput(t *testing.T) {
	p := write(t, "tarn.yaml", promtailStyle)
	c, _, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	l, in, dir := c.Sinks[0].Settings.(*loki.Settings), c.Inputs[0].Settings.(*lokipush.Settings), filepath.Dir(p)
	if l.URL != "http://loki:3100/loki/api/v1/push" || l.TenantID != "hoster" || time.Duration(l.BatchWait) != 2*time.Second ||
		l.BatchSize != 512<<10 || l.Backoff.MaxRetries != 20 || l.ExternalLabels["cluster"] != "eu1" || l.Encoding != "json" ||
		l.BasicAuth.PasswordFile != filepath.Join(dir, "loki.pw") || l.TLS.CAFile != filepath.Join(dir, "ca.pem") {
		t.Errorf("loki sink %+v", l)
	}
	if in.Listen != "127.0.0.1:3500" || !in.PassTenant || in.TenantMap["team-a"] != "customer-a" ||
		in.MaxBodyBytes != 16<<20 || in.BearerTokenFile != filepath.Join(dir, "push.token") {
		t.Errorf("push input %+v", in)
	}
}

func TestLokiDefaults(t *testing.T) {
	p := write(t, "tarn.yaml", "inputs: [{name: app, type: stdin}]\nsinks: [{name: loki, type: loki, url: 'http://127.0.0.1:3100/loki/api/v1/push'}]\n")
	c, _, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	l := c.Sinks[0].Settings.(*loki.Settings)
	if time.Duration(l.BatchWait) != time.Second || l.BatchSize != 1<<20 || time.Duration(l.Timeout) != 10*time.Second ||
		l.Encoding != "protobuf" || time.Duration(l.Backoff.MinPeriod) != 500*time.Millisecond || time.Duration(l.Backoff.MaxPeriod) != 5*time.Minute ||
		time.Duration(l.RejectOldSamplesMaxAge) != 168*time.Hour {
		t.Errorf("defaults %+v", l)
	}
}

func TestLokiErrors(t *testing.T) {
	p := write(t, "tarn.yaml", `inputs:
  - name: push
    type: loki_push
    tenant_map: {a: "bad tenant"}
  - name: file
    type: file
    paths: [/tmp/x.log]
    listen: 127.0.0.1:1
    tenant: "a/b"
sinks:
  - name: loki
    type: loki
    url: loki:3100
    encoding: xml
    external_labels: {bad-name: x}
    tls: {cert_file: c.pem}
    reject_old_samples_max_age: 10m
  - name: out
    type: file
    path: out
    tenant_id: x
    urll: y
`)
	_, _, err := Load(p)
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		"tarn.yaml:2: inputs[0].listen: a loki_push input needs host:port",
		"tarn.yaml:4: inputs[0].tenant_map.a: tenant IDs may hold only",
		"tarn.yaml:8: inputs[1].listen: unknown field for type file",
		"tarn.yaml:9: inputs[1].tenant: tenant IDs may hold only",
		"tarn.yaml:13: sinks[0].url: a loki sink needs an http(s) URL",
		"tarn.yaml:14: sinks[0].encoding: must be protobuf or json",
		"tarn.yaml:15: sinks[0].external_labels.bad-name: not a valid Loki label name",
		"sinks[0].tls: cert_file and key_file go together",
		"tarn.yaml:17: sinks[0].reject_old_samples_max_age: must be longer than 15m",
		"tarn.yaml:21: sinks[1].tenant_id: unknown field for type file",
		"tarn.yaml:22: sinks[1].urll: unknown field for type file\n",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestLokiExample(t *testing.T) {
	c, rc, err := Load(filepath.Join("..", "..", "packaging", "examples", "loki.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sinks[0].Settings.(*loki.Settings).URL == "" || c.Inputs[1].Settings.(*lokipush.Settings).Listen != "127.0.0.1:3500" || rc.Tenant.Map["shop.example.com"] != "customer-a" {
		t.Fatalf("loaded %+v", c)
	}
}

// The Debian package's configuration is valid with its rules file: the
// nginx and Apache access logs and nginx's error log over syslog.
func TestDebianPackageConfig(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("..", "..", "packaging", "debian", "tarn.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rulesPath, _ := filepath.Abs(filepath.Join("..", "..", "packaging", "debian", "rules.yaml"))
	p := write(t, "tarn.yaml", strings.ReplaceAll(string(body), "/etc/tarn/rules.yaml", rulesPath))
	c, rc, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Inputs) != 3 || c.Inputs[2].Type != "syslog" || c.KeyFile != "/run/credentials/tarn.service/key" || rc.Retention.BackupMaxAge == nil {
		t.Fatalf("loaded %+v / %+v", c, rc.Retention)
	}
}
