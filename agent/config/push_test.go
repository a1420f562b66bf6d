package config

import (
	"crypto/tls"
	"github.com/tarn-project/tarn/agent/inputs/lokipush"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPushInputLimitsDefaults(t *testing.T) {
	p := write(t, "tarn.yaml", "inputs: [{name: push, type: loki_push, listen: '127.0.0.1:3500'}]\nsinks: [{name: out, type: file, path: out}]\n")
	c, _, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	in := c.Inputs[0].Settings.(*lokipush.Settings)
	if in.MaxConcurrentRequests != 16 || in.MaxEntriesPerRequest != 100000 || in.MaxDecodedBytes != 64<<20 ||
		time.Duration(in.ReadTimeout) != 30*time.Second || time.Duration(in.IdleTimeout) != 2*time.Minute || in.TLS.Enabled() {
		t.Errorf("defaults %+v", in)
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("warnings on a loopback address: %v", w)
	}
}

func TestPushInputLimitsAndTLS(t *testing.T) {
	p := write(t, "tarn.yaml", `inputs:
  - name: push
    type: loki_push
    listen: 0.0.0.0:3500
    bearer_token_file: push.token
    max_concurrent_requests: 4
    max_entries_per_request: 5000
    max_body_bytes: 1MiB
    max_decoded_bytes: 8MiB
    read_timeout: 5s
    idle_timeout: 30s
    tls: {cert_file: tls/cert.pem, key_file: /etc/tarn/key.pem, client_ca_file: ca.pem, min_version: "1.3"}
sinks: [{name: out, type: file, path: out}]
server:
  listen: 0.0.0.0:9464
  tls: {cert_file: m.pem, key_file: m.key}
`)
	c, _, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	dir, in := filepath.Dir(p), c.Inputs[0].Settings.(*lokipush.Settings)
	if in.MaxConcurrentRequests != 4 || in.MaxEntriesPerRequest != 5000 || in.MaxDecodedBytes != 8<<20 ||
		time.Duration(in.ReadTimeout) != 5*time.Second || time.Duration(in.IdleTimeout) != 30*time.Second {
		t.Errorf("limits %+v", in)
	}
	if in.TLS.CertFile != filepath.Join(dir, "tls", "cert.pem") || in.TLS.KeyFile != "/etc/tarn/key.pem" ||
		in.TLS.ClientCAFile != filepath.Join(dir, "ca.pem") || in.TLS.Version() != tls.VersionTLS13 {
		t.Errorf("tls %+v", in.TLS)
	}
	if s := c.Server.TLS; s.CertFile != filepath.Join(dir, "m.pem") || s.Version() != tls.VersionTLS12 {
		t.Errorf("server tls %+v", s)
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("warnings with a token and TLS: %v", w)
	}
}

func TestPushInputLimitsErrors(t *testing.T) {
	p := write(t, "tarn.yaml", `inputs:
  - name: push
    type: loki_push
    listen: 127.0.0.1:3500
    max_concurrent_requests: -1
    max_entries_per_request: -5
    max_body_bytes: 1MiB
    max_decoded_bytes: 512KiB
    read_timeout: 500us
    idle_timeout: -2s
    tls:
      cert_file: c.pem
      client_ca_file: ca.pem
      min_version: "1.1"
      ciphers: [x]
sinks: [{name: out, type: file, path: out}]
server:
  tls: {key_file: k.pem}
`)
	_, _, err := Load(p)
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		"tarn.yaml:5: inputs[0].max_concurrent_requests: must be at least 1, got -1",
		"tarn.yaml:6: inputs[0].max_entries_per_request: must be at least 1, got -5",
		"tarn.yaml:8: inputs[0].max_decoded_bytes: must be at least max_body_bytes",
		"tarn.yaml:9: inputs[0].read_timeout: must be at least 1ms, got 500µs",
		"tarn.yaml:10: inputs[0].idle_timeout: duration must not be negative",
		`tarn.yaml:15: inputs[0].tls.ciphers: unknown field`,
		"tarn.yaml:18: server.tls.key_file: cert_file and key_file go together",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	p = write(t, "tarn.yaml", `inputs:
  - name: push
    type: loki_push
    listen: 127.0.0.1:3500
    tls:
      cert_file: c.pem
      min_version: "1.1"
sinks: [{name: out, type: file, path: out}]
`)
	_, _, err = Load(p)
	for _, want := range []string{
		"tarn.yaml:5: inputs[0].tls.key_file: cert_file and key_file go together",
		`tarn.yaml:7: inputs[0].tls.min_version: must be 1.2 or 1.3, got "1.1"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestPushInputWarnings(t *testing.T) {
	for _, tt := range []struct {
		push, want string
	}{
		{"listen: ':3500'", "inputs[0].listen: :3500 is not a loopback address and no bearer_token_file is set"},
		{"listen: '192.0.2.1:3500'", "inputs[0].listen: 192.0.2.1:3500 is not a loopback address and no bearer_token_file"},
		{"listen: '0.0.0.0:3500', bearer_token_file: t", "inputs[0].tls: 0.0.0.0:3500 is not a loopback address and has no TLS: the bearer token travels in clear text"},
		{"listen: 'localhost:3500'", ""},
		{"listen: '[::1]:3500'", ""},
	} {
		p := write(t, "tarn.yaml", "inputs: [{name: push, type: loki_push, "+tt.push+"}]\nsinks: [{name: out, type: file, path: out}]\n")
		c, _, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(c.Warnings(), "\n")
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: warnings %q, want %q", tt.push, got, tt.want)
		}
	}
}
