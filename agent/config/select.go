package config

import (
	"errors"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// Select chooses the rules and the tenant for the part of a file input's
// entries whose stream labels match, e.g. a hoster's per-customer
// Kubernetes namespaces. The first matching entry of inputs[].select wins;
// entries no entry matches keep the configuration's rules and the input's
// tenant.
type Select struct {
	// Match maps label names (namespace, pod, container, filename, input,
	// host or a static label of the input) to path.Match patterns such as
	// "customer-*"; every one must match. A label the entry does not have
	// is matched as "".
	Match map[string]string `yaml:"match"`
	// Rules is a rules file, builtin:NAME or an inline mapping; unset
	// keeps the configuration's rules.
	Rules RulesRef `yaml:"rules"`
	// Tenant is the tenant of the matching entries when no rule sets one.
	Tenant string `yaml:"tenant"`
	// Loaded is Rules merged and validated, set by Load; nil when Rules is
	// unset.
	Loaded *rules.Config `yaml:"-"`
}

// Matches reports whether the labels that label returns match every
// pattern of s.
func (s *Select) Matches(label func(name string) string) bool {
	for name, pattern := range s.Match {
		if ok, _ := path.Match(pattern, label(name)); !ok {
			return false
		}
	}
	return true
}

// Container reports whether the input reads container log records
// (format cri or docker).
func (in *Input) Container() bool {
	f, err := format.ParseFormat(in.Format)
	return err == nil && in.Format != "" && (f == format.CRI || f == format.Docker)
}

// validate checks one select entry; path names it.
func (s *Select) validate(at string) error {
	var errs []error
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(at, field), f, args...))
	}
	if len(s.Match) == 0 {
		fail("match", "required: at least one label pattern")
	}
	for _, name := range slices.Sorted(maps.Keys(s.Match)) {
		if !labelName(name) {
			fail("match."+name, "not a valid label name")
		} else if _, err := path.Match(s.Match[name], ""); err != nil {
			fail("match."+name, "not a valid pattern: %q", s.Match[name])
		}
	}
	if s.Rules.Path == "" && s.Rules.Inline == nil && s.Tenant == "" {
		fail("rules", "a select entry needs rules, a tenant or both")
	}
	if s.Tenant != "" {
		if err := sinks.ValidTenant(s.Tenant); err != nil {
			fail("tenant", "%v", err)
		}
	}
	return errors.Join(errs...)
}

// loadSelectRules loads the rules of every select entry; errors are
// located at the entry's rules key of the configuration file.
func (c *Config) loadSelectRules(file string, pos *strictyaml.Positions) error {
	var errs []error
	for i := range c.Inputs {
		for j := range c.Inputs[i].Select {
			s := &c.Inputs[i].Select[j]
			if s.Rules.Path == "" && s.Rules.Inline == nil {
				continue
			}
			rc, err := s.Rules.load(file)
			if err != nil {
				at := "inputs[" + strconv.Itoa(i) + "].select[" + strconv.Itoa(j) + "].rules"
				errs = append(errs, pos.Locate(strictyaml.Errorf(at, "%v", err)))
				continue
			}
			s.Loaded = rc
		}
	}
	return errors.Join(errs...)
}

// load returns the merged rules configuration of r; relative paths are
// relative to the configuration file.
func (r *RulesRef) load(file string) (*rules.Config, error) {
	if r.Inline != nil {
		return rules.Merge(r.Inline, file)
	}
	return rules.LoadConfig(r.File(file))
}

// File returns the path of the rules file r names in the configuration
// file at file (relative paths are relative to it), or the builtin:NAME;
// "" for inline rules.
func (r *RulesRef) File(file string) string {
	p := r.Path
	if p != "" && !filepath.IsAbs(p) && !isBuiltin(p) {
		p = filepath.Join(filepath.Dir(file), p)
	}
	return p
}

// RulesFiles returns the rules files the configuration file at file reads
// (its rules and those of every select entry), without builtin and inline
// rules: the files a reload watches.
func (c *Config) RulesFiles(file string) []string {
	refs := []RulesRef{c.Rules}
	for _, in := range c.Inputs {
		for _, s := range in.Select {
			refs = append(refs, s.Rules)
		}
	}
	var out []string
	for i := range refs {
		if p := refs[i].File(file); p != "" && !isBuiltin(p) {
			out = append(out, p)
		}
	}
	return out
}
