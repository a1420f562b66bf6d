package syslog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/agent/inputs/syslog"
)

func loadConfig(t *testing.T, body string) (*config.Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tarn.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _, err := config.Load(p)
	return c, err
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(t, "inputs: [{name: sys, type: syslog, listen: '127.0.0.1:6514'}]\nsinks: [{name: out, type: file, path: out}]\n")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Inputs[0].Settings.(*syslog.Settings)
	if s.Protocol != "tcp" || s.Framing != "auto" || s.MaxMessageBytes != 64<<10 || s.MaxConnections != 256 ||
		len(s.StreamLabels) != 4 || s.BatchMessages != 1024 {
		t.Errorf("defaults %+v", s)
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("warnings on a loopback address: %v", w)
	}
	c, err = loadConfig(t, "inputs: [{name: sys, type: syslog, listen: '0.0.0.0:514', protocol: udp}]\nsinks: [{name: out, type: file, path: out}]\n")
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Warnings(); len(w) != 1 || !strings.Contains(w[0], "inputs[0].listen") || !strings.Contains(w[0], "no authentication") {
		t.Errorf("warnings %v", w)
	}
}

// TestConfigErrors: every problem at once, each with file:line and the
// field's path.
func TestConfigErrors(t *testing.T) {
	_, err := loadConfig(t, `inputs:
  - name: sys
    type: syslog
    listen: nowhere
    protocol: sctp
    framing: magic
    max_message_bytes: 100B
    max_connections: -1
    batch_messages: 0
    stream_labels: [app, user]
    colour: blue
  - name: sys2
    type: syslog
    listen: 127.0.0.1:514
    protocol: udp
    framing: octet_counting
    tls: {cert_file: c.pem, key_file: k.pem}
  - name: sys3
    type: syslog
    listen: 127.0.0.1:6514
    protocol: tls
sinks: [{name: out, type: file, path: out}]
`)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"tarn.yaml:11: inputs[0].colour",
		"tarn.yaml:4: inputs[0].listen: a syslog input needs host:port",
		"tarn.yaml:5: inputs[0].protocol: must be udp, tcp or tls",
		"tarn.yaml:6: inputs[0].framing: must be auto",
		"tarn.yaml:7: inputs[0].max_message_bytes",
		"tarn.yaml:8: inputs[0].max_connections",
		"tarn.yaml:10: inputs[0].stream_labels[1]: must be one of",
		"tarn.yaml:16: inputs[1].framing: UDP takes one message per datagram",
		"tarn.yaml:17: inputs[1].tls: tls keys need protocol: tls",
		"inputs[2].tls.cert_file: protocol tls needs",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
