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

	"github.com/tarn-project/tarn/agent/httpserve"
	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
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

// Input is one source of lines: the keys every input has, and its type's
// own keys, which the type's registered factory decodes (package
// agent/inputs).
type Input struct {
	// Name identifies the input in labels, metrics and positions.
	Name string `yaml:"name"`
	// Type is a registered input type: file, stdin, loki_push, ...
	Type string `yaml:"type"`
	// Format is auto, combined, common, json, logfmt, text, or a
	// container log format, cri or docker, whose records are unwrapped
	// and joined (default: the rules' format).
	Format string `yaml:"format"`
	// MessageFormat is the format of the messages inside container log
	// records (format cri or docker): auto, combined, common, json, logfmt
	// or text (default auto: containers write all kinds of lines).
	MessageFormat string `yaml:"message_format"`
	// Labels are static stream labels of the input's entries.
	Labels map[string]string `yaml:"labels"`
	// InfrastructureNetworks are the networks of the cluster's or data
	// centre's own machines (pod, service and node networks): a stream
	// label a record brings (a push request's, an OTLP resource's) whose
	// whole value is an address, or address:port, in one of them is kept
	// as it is (instance="10.1.2.3:8080"); every other address in a label
	// is anonymized by the rules (inputs whose records bring labels).
	InfrastructureNetworks []Network `yaml:"infrastructure_networks"`
	// Tenant is the tenant (Loki's X-Scope-OrgID) of the input's entries
	// when no rule sets one.
	Tenant string `yaml:"tenant"`
	// NamespaceTenants maps Kubernetes namespaces (from kubelet's pod log
	// paths) to tenants, e.g. a hoster's per-customer namespaces (inputs
	// that read files).
	NamespaceTenants map[string]string `yaml:"namespace_tenants"`
	// Select chooses rules and tenant per stream labels (e.g. per
	// Kubernetes namespace); the first match wins (inputs that read
	// files).
	Select []Select `yaml:"select"`
	// AlreadyAnonymized says the input's lines were anonymized before,
	// by `tarn filter` (Apache's piped CustomLog/ErrorLog, tarn.conf):
	// they are kept as they are, labelled and dropped past retention by
	// the time they hold, but not anonymized again — a second pass would
	// take pseudonyms of pseudonyms, which `tarn pseudonym` no longer
	// finds. A line that does not parse in the input's format was not
	// written by tarn in it and goes through the rules (fail closed).
	AlreadyAnonymized bool `yaml:"already_anonymized"`
	// Settings are the type's own keys (nil for an unknown type).
	Settings inputs.Settings `yaml:"-"`
}

// inputKeys decodes the common keys of Input without its DecodeNode.
type inputKeys Input

// DecodeNode decodes the common keys into in and every other key into
// the settings of in's type: a key of another type is an error.
func (in *Input) DecodeNode(p *strictyaml.Positions, n *yaml.Node, path string) error {
	return strictyaml.DecodeSplit(p, n, path, (*inputKeys)(in), func() (any, string) {
		f, ok := inputs.Lookup(in.Type)
		if !ok {
			return nil, ""
		}
		in.Settings = f.Settings()
		return in.Settings, in.Type
	})
}

// Sink is one destination: the keys every sink has, and its type's own
// keys, which the type's registered factory decodes (package sinks).
type Sink struct {
	// Name identifies the sink in metrics and spool cursors.
	Name string `yaml:"name"`
	// Type is a registered sink type: file, stdout, loki, ...
	Type string `yaml:"type"`
	// Entries selects what the sink gets: all (default), records (the
	// anonymized lines) or aggregates (the records labelled
	// tarn_aggregate). A sink of aggregates keeps what it writes for
	// retention.aggregates_max_age.
	Entries string `yaml:"entries"`
	// Backup marks a sink whose store is a backup: it keeps what it writes
	// for retention.backup_max_age.
	Backup bool `yaml:"backup"`
	// Settings are the type's own keys (nil for an unknown type).
	Settings sinks.Settings `yaml:"-"`
}

// sinkKeys decodes the common keys of Sink without its DecodeNode.
type sinkKeys Sink

// DecodeNode decodes the common keys into s and every other key into the
// settings of s's type: a key of another type is an error.
func (s *Sink) DecodeNode(p *strictyaml.Positions, n *yaml.Node, path string) error {
	return strictyaml.DecodeSplit(p, n, path, (*sinkKeys)(s), func() (any, string) {
		f, ok := sinks.Lookup(s.Type)
		if !ok {
			return nil, ""
		}
		s.Settings = f.Settings()
		return s.Settings, s.Type
	})
}

// Retention bounds the age of kept records.
type Retention struct {
	// MaxAge: older records are not shipped, are purged from the spool and
	// output files older than this are deleted (default 168h).
	MaxAge strictyaml.Duration `yaml:"max_age"`
	// AggregatesMaxAge is how long a sink of aggregates keeps what it
	// writes (default 400d); aggregates hold no personal data.
	AggregatesMaxAge strictyaml.Duration `yaml:"aggregates_max_age"`
	// BackupMaxAge is how long a sink marked backup keeps what it writes
	// (default: max_age).
	BackupMaxAge strictyaml.Duration `yaml:"backup_max_age"`
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
	TLS httpserve.ServerTLS `yaml:"tls"`
	// Stats serves /stats, the aggregates as an HTML page (default
	// false); it keeps the last 24 hours of aggregate windows in memory.
	Stats bool `yaml:"stats"`
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
		if r, ok := c.Inputs[i].Settings.(sinks.PathResolver); ok {
			r.ResolvePaths(abs)
		}
	}
	for i := range c.Sinks {
		if r, ok := c.Sinks[i].Settings.(sinks.PathResolver); ok {
			r.ResolvePaths(abs)
		}
	}
}

func isBuiltin(p string) bool { return strings.HasPrefix(p, rules.BuiltinPrefix) }

// applyDefaults fills the per-input and per-sink defaults.
func (c *Config) applyDefaults() {
	for i := range c.Sinks {
		if c.Sinks[i].Entries == "" {
			c.Sinks[i].Entries = "all"
		}
	}
	if c.Retention.BackupMaxAge == 0 {
		c.Retention.BackupMaxAge = c.Retention.MaxAge
	}
}
