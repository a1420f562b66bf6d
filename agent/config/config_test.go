package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks/file"
	"github.com/tarn-project/tarn/sinks/stdout"
)

func write(t *testing.T, name, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestQuickstartExample(t *testing.T) {
	c, rc, err := Load(filepath.Join("..", "..", "packaging", "examples", "quickstart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Inputs) != 1 || c.Inputs[0].Labels["job"] != "sample" || c.Sinks[0].Settings.(*file.Settings).Rotate.MaxBytes != 128<<20 ||
		time.Duration(c.Retention.MaxAge) != 168*time.Hour || rc.Name != "default" {
		t.Fatalf("loaded %+v", c)
	}
}

func TestDefaults(t *testing.T) {
	p := write(t, "tarn.yaml", "inputs: [{name: app, type: stdin}]\nsinks: [{name: out, type: stdout}]\n")
	c, rc, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sinks[0].Settings.(*stdout.Settings)
	if c.DataDir != "/var/lib/tarn" || c.Server.Listen != "127.0.0.1:9464" || c.Spool.MaxBytes != 1<<30 ||
		s.Format != "line" || c.Sinks[0].Entries != "all" ||
		c.Retention.BackupMaxAge != c.Retention.MaxAge || rc.Name != "default" {
		t.Fatalf("defaults wrong: %+v", c)
	}
}

func TestInlineRules(t *testing.T) {
	p := write(t, "tarn.yaml", `rules:
  name: inline
  extends: [builtin:default]
  fields: {remote_user: redact}
inputs: [{name: app, type: stdin}]
sinks: [{name: out, type: stdout}]
`)
	_, rc, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Fields["remote_user"].Redact == nil || rc.Fields["remote_addr"].TruncateIP == nil {
		t.Fatalf("inline rules not merged with their parent: %+v", rc.Fields)
	}
}

func TestRelativeRulesFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hoster.yaml"), []byte("name: hoster\nextends: [builtin:default]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(p, []byte("rules: hoster.yaml\ninputs: [{name: a, type: stdin}]\nsinks: [{name: o, type: stdout}]\n"), 0o644)
	if _, rc, err := Load(p); err != nil || rc.Name != "hoster" {
		t.Fatalf("rules %v, %v", rc, err)
	}
}

func TestErrorsAllAtOnce(t *testing.T) {
	p := write(t, "tarn.yaml", `data_dir: /tmp/x
rules:
  name: bad
  fields: {remote_addr: {truncate_ip: {ipv4_prefix: 40}}}
inputs:
  - name: nginx
    type: file
    start_at: middle
    pathz: ["/var/log/*.log"]
  - name: nginx
    type: socket
sinks:
  - {name: out, type: file, format: xml, compress: zstd}
retention: {max_age: 7 days}
spool: {max_bytes: 1KiB}
server: {listen: "localhost"}
`)
	_, _, err := Load(p)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		p + `:4: rules.fields.remote_addr.truncate_ip.ipv4_prefix: must be 0..32, got 40`,
		p + `:9: inputs[0].pathz: unknown field for type file (did you mean "paths"?)`,
		p + `:8: inputs[0].start_at: must be beginning or end, got "middle"`,
		p + `:6: inputs[0].paths: a file input needs at least one path`,
		p + `:10: inputs[1].name: duplicate name "nginx"`,
		p + `:11: inputs[1].type: must be one of file, loki_push, `, // then every other registered type
		`, got "socket"`,
		p + `:13: sinks[0].path: a file sink needs a path`,
		p + `:13: sinks[0].format: must be line or ndjson, got "xml"`,
		p + `:13: sinks[0].compress: must be none or lz4, got "zstd"`,
		p + `:14: retention.max_age: invalid duration "7 days"`,
		p + `:15: spool.max_bytes: must be at least 1MiB`,
		p + `:16: server.listen: must be host:port, got "localhost"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}

func TestMissingFile(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("got %v", err)
	}
}
