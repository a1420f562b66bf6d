package rules

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// Tenant routes records to a tenant (Loki's X-Scope-OrgID) by the raw
// value of a field, e.g. the virtual host: a hoster ships each customer's
// lines to that customer's own tenant. Only the mapped names ever leave
// the rules, never the field's value.
type Tenant struct {
	// Field is the field whose value selects the tenant, e.g. vhost.
	Field string `yaml:"field,omitempty"`
	// Map maps field values to tenant IDs.
	Map map[string]string `yaml:"map,omitempty"`
	// Default is the tenant of records whose value is not in Map ("":
	// the input's or sink's tenant). Records without the field get the
	// input's or sink's tenant.
	Default string `yaml:"default,omitempty"`
}

// compiledTenant is a Tenant ready for the hot path.
type compiledTenant struct {
	field string
	m     map[string]string
	def   string
}

// compiledMeta is one structured metadata pair: name, and the field whose
// raw value is pseudonymized into it.
type compiledMeta struct {
	name, field string
}

// mergeRoute overlays the metadata and tenant of o on c.
func (c *Config) mergeRoute(o *Config) {
	if len(o.Metadata) > 0 {
		m := maps.Clone(c.Metadata)
		if m == nil {
			m = map[string]string{}
		}
		for name, field := range o.Metadata {
			if field == "" {
				delete(m, name) // `client: ""` removes an inherited entry
				continue
			}
			m[name] = field
		}
		c.Metadata = m
	}
	if o.Tenant != nil {
		c.Tenant = o.Tenant
	}
	if o.Aggregate != nil {
		c.Aggregate = o.Aggregate
	}
}

// validateRoute checks metadata names and the tenant map.
func (c *Config) validateRoute() error {
	var errs []error
	for name := range c.Metadata {
		if !sinks.ValidLabelName(name) {
			errs = append(errs, strictyaml.Errorf("metadata."+name, "not a valid metadata name ([a-zA-Z_][a-zA-Z0-9_]*)"))
		}
	}
	if t := c.Tenant; t != nil {
		if t.Field == "" {
			errs = append(errs, strictyaml.Errorf("tenant.field", "required"))
		}
		for k, v := range t.Map {
			if err := sinks.ValidTenant(v); err != nil {
				errs = append(errs, strictyaml.Errorf("tenant.map."+k, "%v", err))
			}
		}
		if err := sinks.ValidTenant(t.Default); t.Default != "" && err != nil {
			errs = append(errs, strictyaml.Errorf("tenant.default", "%v", err))
		}
	}
	if c.Aggregate != nil {
		errs = append(errs, c.Aggregate.Validate())
	}
	return errors.Join(errs...)
}

// compileRoute compiles metadata (sorted by name, so entries are always
// built alike), the pseudonymize action of metadata values and the API
// key id, and the tenant.
func (e *Engine) compileRoute(c *Config) {
	e.pseudonym = e.newAction(&Action{Pseudonymize: &Pseudonymize{}})
	for _, name := range slices.Sorted(maps.Keys(c.Metadata)) {
		if c.Metadata[name] != "" {
			e.meta = append(e.meta, compiledMeta{name: name, field: c.Metadata[name]})
		}
	}
	if t := c.Tenant; t != nil {
		e.tenant = &compiledTenant{field: t.Field, m: t.Map, def: t.Default}
	}
}

// AppendMetadata appends the structured metadata of the record the last
// Append kept: for each configured name, the keyed pseudonym of the named
// field's raw value (the same pseudonym a pseudonymize action writes with
// the default form). Fields the record lacks are left out.
func (p *Processor) AppendMetadata(dst []sinks.Label) []sinks.Label {
	for _, m := range p.e.meta {
		i := p.fieldIndex(m.field)
		if i < 0 {
			continue
		}
		v := p.value(i)
		if len(v) == 0 || string(v) == "-" {
			continue
		}
		p.lower = p.appendPseudonym(p.lower[:0], v, p.e.pseudonym, format.String)
		dst = append(dst, sinks.Label{Name: m.name, Value: p.intern(p.lower)})
	}
	return dst
}

// maxInterned bounds the cache of metadata pseudonym strings.
const maxInterned = 4096

// intern returns b as a string, reusing the string of an equal value seen
// before (clients and users repeat, so most lines allocate nothing).
func (p *Processor) intern(b []byte) string {
	if s, ok := p.interned[string(b)]; ok {
		return s
	}
	if p.interned == nil || len(p.interned) >= maxInterned {
		p.interned = make(map[string]string, 256)
	}
	s := string(b)
	p.interned[s] = s
	return s
}

// Tenant returns the tenant of the record the last Append kept: the
// mapped value of the tenant field (with or without a ":port" suffix), the
// rule's default for an unmapped value, or "" when the record has no such
// field or no tenant rule applies.
func (p *Processor) Tenant() string {
	t := p.e.tenant
	if t == nil {
		return ""
	}
	i := p.fieldIndex(t.field)
	if i < 0 {
		return ""
	}
	p.scratch = p.rec.AppendValue(p.scratch[:0], i)
	if v, ok := t.m[string(p.scratch)]; ok {
		return v
	}
	// Apache's vhost_combined writes %v:%p: a map names hosts only.
	if v, ok := t.m[string(aggregate.WithoutPort(p.scratch))]; ok {
		return v
	}
	return t.def
}

// HasRoutes reports whether the rules set metadata or a tenant, so
// callers can skip asking for them.
func (e *Engine) HasRoutes() bool { return len(e.meta) > 0 || e.tenant != nil }

// fieldIndex returns the index of the record field with exactly this
// path, or -1.
func (p *Processor) fieldIndex(path string) int {
	for j := range p.rec.Fields {
		if string(p.rec.Fields[j].Path) == path {
			return j
		}
	}
	return -1
}

// AppendScrubbed appends text with every free-text detector match
// replaced, pseudonyms taken at time t: for values that do not pass
// through Append, such as the labels and metadata of pushed streams.
func (p *Processor) AppendScrubbed(dst, text []byte, t time.Time) []byte {
	p.t = t
	dst, _ = p.appendScrubbed(dst, text)
	return dst
}
