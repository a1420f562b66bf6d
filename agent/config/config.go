// Package config loads and validates the agent's configuration file
// (`tarn run --config tarn.yaml`): inputs, sinks, retention, spool and the
// HTTP server. Decoding is strict and every problem is reported at once,
// each as file:line: field: message.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

// Config is the agent's configuration file.
type Config struct {
	// DataDir holds positions, the spool and a generated key.
	DataDir string `yaml:"data_dir"`
	// Rules is a rules file path (or builtin:NAME), or an inline rules
	// mapping.
	Rules RulesRef `yaml:"rules"`
	// KeyFile is the pseudonym key; if empty, DataDir/key is created once
	// (0600) and reused.
	KeyFile string `yaml:"key_file"`
	// Inputs are the sources to read.
	Inputs []Input `yaml:"inputs"`
	// Sinks are where anonymized entries go.
	Sinks []Sink `yaml:"sinks"`
	// Retention bounds how long anything is kept.
	Retention Retention `yaml:"retention"`
	// Spool bounds the on-disk spool.
	Spool Spool `yaml:"spool"`
	// Server is the HTTP server for /metrics, /healthz and /readyz.
	Server Server `yaml:"server"`
}

// Input is one source of lines.
type Input struct {
	// Name identifies the input in labels, metrics and positions.
	Name string `yaml:"name"`
	// Type is file, stdin or loki_push.
	Type string `yaml:"type"`
	// Paths are glob patterns of files to tail (type file).
	Paths []string `yaml:"paths"`
	// Exclude are glob patterns matched against the base name to skip.
	Exclude []string `yaml:"exclude"`
	// Format is auto, combined, common, json, logfmt, text, or a
	// container log format, cri or docker, whose records are unwrapped
	// and joined (default: the rules' format).
	Format string `yaml:"format"`
	// StartAt is where a never-seen file starts: beginning or end
	// (default end).
	StartAt string `yaml:"start_at"`
	// Labels are static stream labels of the input's entries.
	Labels map[string]string `yaml:"labels"`
	// Cleanup deletes rotated, fully read source files older than MaxAge.
	Cleanup *Cleanup `yaml:"cleanup"`
	// Tenant is the tenant (Loki's X-Scope-OrgID) of the input's entries
	// when no rule sets one.
	Tenant string `yaml:"tenant"`
	// NamespaceTenants maps Kubernetes namespaces (from kubelet's pod log
	// paths) to tenants, e.g. a hoster's per-customer namespaces.
	NamespaceTenants map[string]string `yaml:"namespace_tenants"`
	// MessageFormat is the format of the messages inside container log
	// records (format cri or docker): auto, combined, common, json, logfmt
	// or text (default auto: containers write all kinds of lines).
	MessageFormat string `yaml:"message_format"`
	// Select chooses rules and tenant per stream labels (e.g. per
	// Kubernetes namespace); the first match wins.
	Select []Select `yaml:"select"`
	// Push holds the keys of a loki_push input.
	Push PushInput `yaml:",inline"`
}

// Cleanup is the opt-in retention of the raw source files.
type Cleanup struct {
	// MaxAge is the age after which a rotated file is deleted.
	MaxAge strictyaml.Duration `yaml:"max_age"`
	// DryRun only logs what would be deleted.
	DryRun bool `yaml:"dry_run"`
}

// Sink is one destination.
type Sink struct {
	// Name identifies the sink in metrics and spool cursors.
	Name string `yaml:"name"`
	// Type is file, stdout or loki.
	Type string `yaml:"type"`
	// Path is the output directory (type file).
	Path string `yaml:"path"`
	// Format is line (the anonymized line) or ndjson (time, labels, line).
	Format string `yaml:"format"`
	// Compress is none or lz4 (type file).
	Compress string `yaml:"compress"`
	// Rotate says when a file sink starts a new file.
	Rotate Rotate `yaml:"rotate"`
	// Entries selects what the sink gets: all (default), records (the
	// anonymized lines) or aggregates (the records labelled
	// tarn_aggregate). A file sink of aggregates keeps its files for
	// retention.aggregates_max_age.
	Entries string `yaml:"entries"`
	// Loki holds the keys of a loki sink.
	Loki LokiSink `yaml:",inline"`
}

// Rotate bounds one output file.
type Rotate struct {
	// MaxBytes starts a new file past this size (default 128MiB).
	MaxBytes strictyaml.Size `yaml:"max_bytes"`
	// MaxAge starts a new file after this time (default 1h).
	MaxAge strictyaml.Duration `yaml:"max_age"`
}

// Retention bounds the age of kept records.
type Retention struct {
	// MaxAge: older records are not shipped, are purged from the spool and
	// output files older than this are deleted (default 168h).
	MaxAge strictyaml.Duration `yaml:"max_age"`
	// AggregatesMaxAge is how long a file sink of aggregates keeps its
	// files (default 400d); aggregates hold no personal data.
	AggregatesMaxAge strictyaml.Duration `yaml:"aggregates_max_age"`
}

// Spool bounds the on-disk spool.
type Spool struct {
	// MaxBytes pauses reading when reached (default 1GiB).
	MaxBytes strictyaml.Size `yaml:"max_bytes"`
}

// Server configures the HTTP endpoints.
type Server struct {
	// Listen is host:port (default 127.0.0.1:9464).
	Listen string `yaml:"listen"`
	// TLS serves the endpoints over TLS (and mutual TLS with
	// client_ca_file).
	TLS ServerTLS `yaml:"tls"`
}

// RulesRef is the rules of the agent: a path or an inline mapping.
type RulesRef struct {
	// Path is the rules file or builtin:NAME ("" when inline).
	Path string
	// Inline is the inline rules mapping, nil for a path.
	Inline *rules.Config
}

// DecodeNode accepts a scalar path or an inline rules mapping.
func (r *RulesRef) DecodeNode(p *strictyaml.Positions, n *yaml.Node, path string) error {
	if n.Kind == yaml.ScalarNode {
		r.Path, r.Inline = n.Value, nil
		return nil
	}
	var c rules.Config
	if err := strictyaml.DecodeNode(p, n, path, &c); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return strictyaml.Prefix(path, err)
	}
	r.Path, r.Inline = "", &c
	return nil
}

// Default returns the configuration a file's unset keys fall back to.
func Default() Config {
	return Config{
		DataDir:   "/var/lib/tarn",
		Rules:     RulesRef{Path: rules.BuiltinPrefix + "default"},
		Retention: Retention{MaxAge: strictyaml.Duration(rules.DefaultMaxAge), AggregatesMaxAge: strictyaml.Duration(400 * 24 * time.Hour)},
		Spool:     Spool{MaxBytes: 1 << 30},
		Server:    Server{Listen: "127.0.0.1:9464"},
	}
}

// Load reads, decodes and validates the configuration file at path, and
// loads its rules. Every relative path in the file (rules, data_dir,
// key_file, input paths, sink paths) is relative to the file's directory. All
// problems are reported at once, each as file:line: field: message.
func Load(path string) (*Config, *rules.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	c := Default()
	pos, err := strictyaml.Decode(path, data, &c)
	c.applyDefaults()
	if err := errors.Join(err, pos.Locate(c.Validate())); err != nil {
		return nil, nil, err
	}
	rc, err := c.Rules.load(path)
	if err != nil {
		return nil, nil, err
	}
	if err := c.loadSelectRules(path, pos); err != nil {
		return nil, nil, err
	}
	c.resolvePaths(filepath.Dir(path))
	return &c, rc, nil
}

// resolvePaths makes the relative paths of the file (data_dir, key_file,
// input globs, sink directories) relative to the file's directory, so the
// agent reads the same files whatever its working directory.
func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	c.DataDir, c.KeyFile = abs(c.DataDir), abs(c.KeyFile)
	for i := range c.Inputs {
		for j, p := range c.Inputs[i].Paths {
			c.Inputs[i].Paths[j] = abs(p)
		}
	}
	for i := range c.Sinks {
		c.Sinks[i].Path = abs(c.Sinks[i].Path)
		c.Sinks[i].Loki.resolve(abs)
	}
	for i := range c.Inputs {
		c.Inputs[i].Push.BearerTokenFile = abs(c.Inputs[i].Push.BearerTokenFile)
	}
}

func isBuiltin(p string) bool { return strings.HasPrefix(p, rules.BuiltinPrefix) }

// applyDefaults fills the per-input and per-sink defaults.
func (c *Config) applyDefaults() {
	for i := range c.Inputs {
		if c.Inputs[i].StartAt == "" {
			c.Inputs[i].StartAt = "end"
		}
		if c.Inputs[i].Type == "loki_push" && c.Inputs[i].Push.MaxBodyBytes == 0 {
			c.Inputs[i].Push.MaxBodyBytes = 16 << 20
		}
	}
	for i := range c.Sinks {
		s := &c.Sinks[i]
		if s.Format == "" {
			s.Format = "line"
		}
		if s.Compress == "" {
			s.Compress = "none"
		}
		if s.Entries == "" {
			s.Entries = "all"
		}
		if s.Rotate.MaxBytes == 0 {
			s.Rotate.MaxBytes = 128 << 20
		}
		if s.Rotate.MaxAge == 0 {
			s.Rotate.MaxAge = strictyaml.Duration(time.Hour)
		}
		if s.Type == "loki" {
			s.Loki.applyDefaults()
		}
	}
}
