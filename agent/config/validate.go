package config

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// Validate checks the whole configuration and returns every problem as a
// *strictyaml.FieldError joined with errors.Join.
func (c *Config) Validate() error {
	var errs []error
	fail := func(path, f string, args ...any) { errs = append(errs, strictyaml.Errorf(path, f, args...)) }
	if c.DataDir == "" {
		fail("data_dir", "required")
	}
	if c.Rules.Path == "" && c.Rules.Inline == nil {
		fail("rules", "required: a rules file, builtin:NAME or an inline mapping")
	}
	if time.Duration(c.Retention.MaxAge) <= 0 {
		fail("retention.max_age", "must be positive")
	}
	if time.Duration(c.Retention.BackupMaxAge) <= 0 {
		fail("retention.backup_max_age", "must be positive")
	}
	if time.Duration(c.Retention.AggregatesMaxAge) <= 0 {
		fail("retention.aggregates_max_age", "must be positive")
	}
	if c.Spool.MaxBytes < 1<<20 {
		fail("spool.max_bytes", "must be at least 1MiB")
	}
	if !validListen(c.Server.Listen) {
		fail("server.listen", "must be host:port, got %q", c.Server.Listen)
	}
	if len(c.Inputs) == 0 {
		fail("inputs", "at least one input is required")
	}
	names := map[string]bool{}
	for i := range c.Inputs {
		errs = append(errs, c.Inputs[i].validate(strictyaml.Join("inputs", "["+strconv.Itoa(i)+"]"), names))
	}
	if len(c.Sinks) == 0 {
		fail("sinks", "at least one sink is required")
	}
	names = map[string]bool{}
	for i := range c.Sinks {
		errs = append(errs, c.Sinks[i].validate(strictyaml.Join("sinks", "["+strconv.Itoa(i)+"]"), names))
	}
	return errors.Join(errs...)
}

// validListen accepts "" (off) and host:port.
func validListen(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	return addr == "" || err == nil && validPort(port)
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

// validName checks a unique, label-safe name.
func validName(path, name string, seen map[string]bool) error {
	switch {
	case name == "":
		return strictyaml.Errorf(path, "required")
	case !labelName(name):
		return strictyaml.Errorf(path, "must match [a-zA-Z_][a-zA-Z0-9_-]*, got %q", name)
	case seen[name]:
		return strictyaml.Errorf(path, "duplicate name %q", name)
	}
	seen[name] = true
	return nil
}

// labelName reports whether s is usable as a label or file name.
func labelName(s string) bool {
	for i, c := range s {
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || (c != '-' && (c < '0' || c > '9'))) {
			return false
		}
	}
	return s != ""
}

func (in *Input) validate(path string, seen map[string]bool) error {
	errs := []error{validName(strictyaml.Join(path, "name"), in.Name, seen)}
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, field), f, args...))
	}
	f, known := inputs.Lookup(in.Type)
	switch {
	case in.Type == "":
		fail("type", "required: one of %s", strings.Join(inputs.Types(), ", "))
	case !known || in.Settings == nil:
		fail("type", "must be one of %s, got %q", strings.Join(inputs.Types(), ", "), in.Type)
	default:
		errs = append(errs, strictyaml.Prefix(path, in.Settings.Validate()))
	}
	if in.Tenant != "" {
		if err := sinks.ValidTenant(in.Tenant); err != nil {
			fail("tenant", "%v", err)
		}
	}
	for ns, t := range in.NamespaceTenants {
		if err := sinks.ValidTenant(t); err != nil {
			fail("namespace_tenants."+ns, "%v", err)
		}
	}
	if known && !f.Files && len(in.NamespaceTenants) > 0 {
		fail("namespace_tenants", "only inputs that read files have kubelet's pod log paths")
	}
	if known && !f.Files && len(in.Select) > 0 {
		fail("select", "only inputs that read files select by labels")
	}
	if known && f.Files && len(in.InfrastructureNetworks) > 0 {
		fail("infrastructure_networks", "only inputs whose records bring their own labels (loki_push, otlp, ...): a file input's labels come from this file and the path")
	}
	if in.Format != "" {
		if _, err := format.ParseFormat(in.Format); err != nil {
			fail("format", "must be auto, combined, common, json, logfmt, text, cri or docker, got %q", in.Format)
		}
	}
	errs = append(errs, in.validateContainer(path))
	for k := range in.Labels {
		if !labelName(k) || k[0] == '_' {
			fail("labels."+k, "not a valid label name")
		}
	}
	return errors.Join(errs...)
}

// validateContainer checks message_format and select.
func (in *Input) validateContainer(path string) error {
	var errs []error
	if in.MessageFormat != "" {
		f, err := format.ParseFormat(in.MessageFormat)
		switch {
		case err != nil || f == format.CRI || f == format.Docker:
			errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "message_format"), "must be auto, combined, common, json, logfmt or text, got %q", in.MessageFormat))
		case !in.Container():
			errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "message_format"), "only for format cri or docker"))
		}
	}
	for i := range in.Select {
		errs = append(errs, in.Select[i].validate(strictyaml.Join(path, "select["+strconv.Itoa(i)+"]")))
	}
	return errors.Join(errs...)
}

func (s *Sink) validate(path string, seen map[string]bool) error {
	errs := []error{validName(strictyaml.Join(path, "name"), s.Name, seen)}
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, field), f, args...))
	}
	switch {
	case s.Type == "":
		fail("type", "required: one of %s", strings.Join(sinks.Types(), ", "))
	case s.Settings == nil:
		fail("type", "must be one of %s, got %q", strings.Join(sinks.Types(), ", "), s.Type)
	default:
		errs = append(errs, strictyaml.Prefix(path, s.Settings.Validate()))
	}
	if s.Entries != "all" && s.Entries != "records" && s.Entries != "aggregates" {
		fail("entries", "must be all, records or aggregates, got %q", s.Entries)
	}
	if s.Backup && s.Entries == "aggregates" {
		fail("backup", "a sink of aggregates keeps them for retention.aggregates_max_age, not as a backup")
	}
	return errors.Join(errs...)
}
