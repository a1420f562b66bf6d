package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tarn-project/tarn/sinks/loki"
)

// promtailConfig is a Promtail configuration file whose clients use every
// key of Promtail's client_config reference (Promtail 3.x
// docs/sources/send-data/promtail/configuration.md, "clients"), with
// values of its examples and defaults.
const promtailConfig = `server:
  http_listen_port: 9080
  grpc_listen_port: 0

positions:
  filename: /var/log/positions.yaml

clients:
  - url: https://loki.example.com:3100/loki/api/v1/push
    headers:
      CF-Access-Client-Id: xxx
    tenant_id: hoster
    batchwait: 2s
    batchsize: 1048576
    basic_auth:
      username: promtail
      password_file: /etc/promtail/loki.pw
    tls_config:
      ca_file: /etc/promtail/ca.pem
      cert_file: /etc/promtail/client.pem
      key_file: /etc/promtail/client.key
      server_name: loki.example.com
      insecure_skip_verify: false
    backoff_config:
      min_period: 500ms
      max_period: 5m
      max_retries: 10
    drop_rate_limited_batches: false
    follow_redirects: true
    enable_http2: true
    external_labels:
      cluster: eu1
    timeout: 10s
  - url: http://ip_or_hostname_where_Loki_run:3100/loki/api/v1/push
    bearer_token_file: /var/run/secrets/loki-token
    backoff_config:
      max_period: 1m

scrape_configs:
  - job_name: system
    static_configs:
      - targets: [localhost]
        labels:
          job: varlogs
          __path__: /var/log/*.log
`

// tarnWithClients is a tarn configuration whose sinks are the clients of
// the Promtail configuration p, each with a name and the type loki added.
func tarnWithClients(t *testing.T, p string) string {
	t.Helper()
	var doc struct {
		Clients []yaml.Node `yaml:"clients"`
	}
	if err := yaml.Unmarshal([]byte(p), &doc); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("inputs: [{name: app, type: stdin}]\nsinks:\n")
	for i, c := range doc.Clients {
		c.Content = append([]*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "name"}, {Kind: yaml.ScalarNode, Value: "loki" + string(rune('a'+i))},
			{Kind: yaml.ScalarNode, Value: "type"}, {Kind: yaml.ScalarNode, Value: "loki"},
		}, c.Content...)
		out, err := yaml.Marshal([]*yaml.Node{&c})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.SplitAfter(strings.TrimSuffix(string(out), "\n"), "\n") {
			b.WriteString("  " + l)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// A Promtail clients: entry carries over as a loki sink with a name and a
// type added: Promtail's names are read as the sink's keys.
func TestPromtailClientsCarryOver(t *testing.T) {
	p := write(t, "tarn.yaml", tarnWithClients(t, promtailConfig))
	c, _, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Sinks[0].Settings.(*loki.Settings), c.Sinks[1].Settings.(*loki.Settings)
	if a.URL != "https://loki.example.com:3100/loki/api/v1/push" || a.TenantID != "hoster" || a.Headers["CF-Access-Client-Id"] != "xxx" ||
		time.Duration(a.BatchWait) != 2*time.Second || a.BatchSize != 1<<20 || time.Duration(a.Timeout) != 10*time.Second ||
		a.ExternalLabels["cluster"] != "eu1" || a.BasicAuth == nil || a.BasicAuth.Username != "promtail" ||
		a.BasicAuth.PasswordFile != "/etc/promtail/loki.pw" {
		t.Errorf("first client: %+v", a)
	}
	if a.TLS.CAFile != "/etc/promtail/ca.pem" || a.TLS.CertFile != "/etc/promtail/client.pem" || a.TLS.KeyFile != "/etc/promtail/client.key" ||
		a.TLS.ServerName != "loki.example.com" || a.TLS.InsecureSkipVerify {
		t.Errorf("tls_config: %+v", a.TLS)
	}
	if tu := a.Tuning(); tu.BatchWait != 2*time.Second || tu.BatchBytes != 1<<20 || tu.MinBackoff != 500*time.Millisecond ||
		tu.MaxBackoff != 5*time.Minute || tu.MaxRetries != 10 {
		t.Errorf("tuning of the first client: %+v", tu)
	}
	// A partial backoff_config keeps the other defaults, as backoff does.
	if tu := b.Tuning(); tu.MinBackoff != 500*time.Millisecond || tu.MaxBackoff != time.Minute || tu.MaxRetries != 0 {
		t.Errorf("tuning of the second client: %+v", tu)
	}
	if b.BearerTokenFile != "/var/run/secrets/loki-token" {
		t.Errorf("second client: %+v", b)
	}
	if a.Promtail != (loki.PromtailKeys{}) {
		t.Errorf("Promtail names left after decoding: %+v", a.Promtail)
	}
}

// A relative path under a Promtail name is relative to the file, as under
// the sink's name.
func TestPromtailTLSConfigPaths(t *testing.T) {
	p := write(t, "tarn.yaml", "inputs: [{name: app, type: stdin}]\nsinks:\n  - {name: l, type: loki, url: 'http://l:3100/loki/api/v1/push', tls_config: {ca_file: ca.pem}}\n")
	c, _, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sinks[0].Settings.(*loki.Settings).TLS.CAFile; got != filepath.Join(filepath.Dir(p), "ca.pem") {
		t.Errorf("tls_config.ca_file = %q", got)
	}
}

// Both names of a key, a Promtail key tarn does not implement (or one
// at a value other than Promtail's default), a wrong value under a
// Promtail name and a key of another type are errors at their lines.
func TestPromtailKeyErrors(t *testing.T) {
	p := write(t, "tarn.yaml", `inputs: [{name: app, type: stdin}]
sinks:
  - name: loki
    type: loki
    url: http://loki:3100/loki/api/v1/push
    batchwait: 1s
    batch_wait: 2s
    batchsize: lots
    drop_rate_limited_batches: true
    follow_redirects: true
    oauth2: {client_id: x, token_url: "https://auth/token"}
    proxy_url: http://proxy:3128
    tls_config: {ca: "-----BEGIN CERTIFICATE-----"}
    backoff_config: {min_period: 1m, max_period: 1s}
    compress: lz4
`)
	_, _, err := Load(p)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"tarn.yaml:6: sinks[0].batchwait: Promtail key batchwait: is batch_wait, which is set too; set one of them",
		`tarn.yaml:8: sinks[0].batchsize: invalid size "lots"`,
		"tarn.yaml:9: sinks[0].drop_rate_limited_batches: Promtail key drop_rate_limited_batches: tarn retries",
		"tarn.yaml:11: sinks[0].oauth2: Promtail key oauth2: not supported",
		"tarn.yaml:12: sinks[0].proxy_url: Promtail key proxy_url: not supported; set HTTPS_PROXY",
		"tarn.yaml:13: sinks[0].tls_config.ca: unknown field for type loki",
		"sinks[0].backoff: needs 0 < min_period <= max_period",
		"tarn.yaml:15: sinks[0].compress: unknown field for type loki",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "follow_redirects") {
		t.Errorf("follow_redirects: true (Promtail's default) is an error:\n%v", err)
	}
}
