package config

import (
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"time"

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
	var errs []error
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, field), f, args...))
	}
	errs = append(errs, validName(strictyaml.Join(path, "name"), in.Name, seen))
	switch in.Type {
	case "file":
		if len(in.Paths) == 0 {
			fail("paths", "a file input needs at least one path")
		}
		for i, p := range append(append([]string{}, in.Paths...), in.Exclude...) {
			if _, err := filepath.Match(p, ""); err != nil {
				field := "paths[" + strconv.Itoa(i) + "]"
				if i >= len(in.Paths) {
					field = "exclude[" + strconv.Itoa(i-len(in.Paths)) + "]"
				}
				fail(field, "not a valid glob pattern")
			}
		}
	case "stdin":
		if len(in.Paths) > 0 {
			fail("paths", "a stdin input has no paths")
		}
	case "loki_push":
		if len(in.Paths) > 0 {
			fail("paths", "a loki_push input has no paths")
		}
		errs = append(errs, in.Push.validatePush(path))
	case "":
		fail("type", "required: file, stdin or loki_push")
	default:
		fail("type", "must be file, stdin or loki_push, got %q", in.Type)
	}
	if in.Type != "loki_push" && !unset(in.Push) {
		fail("type", "listen, max_body_bytes, bearer_token_file, pass_tenant and tenant_map are keys of loki_push inputs")
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
	if in.Format != "" {
		if _, err := format.ParseFormat(in.Format); err != nil {
			fail("format", "must be auto, combined, common, json, logfmt, text, cri or docker, got %q", in.Format)
		}
	}
	errs = append(errs, in.validateContainer(path))
	if in.StartAt != "beginning" && in.StartAt != "end" {
		fail("start_at", "must be beginning or end, got %q", in.StartAt)
	}
	for k := range in.Labels {
		if !labelName(k) || k[0] == '_' {
			fail("labels."+k, "not a valid label name")
		}
	}
	if in.Cleanup != nil && time.Duration(in.Cleanup.MaxAge) <= 0 {
		fail("cleanup.max_age", "must be positive")
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
	if len(in.Select) > 0 && in.Type != "file" {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "select"), "only file inputs select by labels"))
	}
	for i := range in.Select {
		errs = append(errs, in.Select[i].validate(strictyaml.Join(path, "select["+strconv.Itoa(i)+"]")))
	}
	return errors.Join(errs...)
}

func (s *Sink) validate(path string, seen map[string]bool) error {
	var errs []error
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, field), f, args...))
	}
	errs = append(errs, validName(strictyaml.Join(path, "name"), s.Name, seen))
	switch s.Type {
	case "file":
		if s.Path == "" {
			fail("path", "a file sink needs a path")
		}
	case "stdout":
		if s.Path != "" {
			fail("path", "a stdout sink has no path")
		}
	case "loki":
		errs = append(errs, s.Loki.validate(path))
	case "":
		fail("type", "required: file, stdout or loki")
	default:
		fail("type", "must be file, stdout or loki, got %q", s.Type)
	}
	if s.Type != "loki" && !unset(s.Loki) {
		fail("type", "url, tenant_id, batch_wait, ... are keys of loki sinks, not of %s sinks", s.Type)
	}
	if s.Format != "line" && s.Format != "ndjson" {
		fail("format", "must be line or ndjson, got %q", s.Format)
	}
	if s.Entries != "all" && s.Entries != "records" && s.Entries != "aggregates" {
		fail("entries", "must be all, records or aggregates, got %q", s.Entries)
	}
	if s.Compress != "none" && s.Compress != "lz4" {
		fail("compress", "must be none or lz4, got %q", s.Compress)
	}
	if s.Rotate.MaxBytes < 1<<10 {
		fail("rotate.max_bytes", "must be at least 1KiB")
	}
	if time.Duration(s.Rotate.MaxAge) < time.Second {
		fail("rotate.max_age", "must be at least 1s")
	}
	return errors.Join(errs...)
}
