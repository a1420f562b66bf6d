package rules

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Action is what happens to a field (or a detector match). Exactly one
// member is set. In YAML an action without options may be written as its
// bare name: `remote_user: pseudonymize`.
type Action struct {
	// TruncateIP keeps only a prefix of IP addresses.
	TruncateIP *TruncateIP `yaml:"truncate_ip,omitempty"`
	// Pseudonymize replaces the value with a keyed pseudonym.
	Pseudonymize *Pseudonymize `yaml:"pseudonymize,omitempty"`
	// Redact replaces the value with a fixed placeholder.
	Redact *Redact `yaml:"redact,omitempty"`
	// DropField removes the field.
	DropField *Empty `yaml:"drop_field,omitempty"`
	// Mask keeps the first and last characters and masks the rest.
	Mask *Mask `yaml:"mask,omitempty"`
	// StripQuery drops query parameters except an allow-list.
	StripQuery *StripQuery `yaml:"strip_query,omitempty"`
	// GeneralizeUserAgent keeps browser family, major version, OS family
	// and device class.
	GeneralizeUserAgent *Empty `yaml:"generalize_user_agent,omitempty"`
	// CoarsenTime rounds a timestamp down.
	CoarsenTime *CoarsenTime `yaml:"coarsen_time,omitempty"`
	// Scrub runs the free-text detectors over the value.
	Scrub *Empty `yaml:"scrub,omitempty"`
	// Keep keeps the value as it is ("off" for a detector).
	Keep *Empty `yaml:"keep,omitempty"`
}

// Empty is the options of an action that has none.
type Empty struct{}

// TruncateIP options.
type TruncateIP struct {
	// IPv4Prefix is the IPv4 prefix length kept (default 24).
	IPv4Prefix *int `yaml:"ipv4_prefix,omitempty"`
	// IPv6Prefix is the IPv6 prefix length kept (default 48).
	IPv6Prefix *int `yaml:"ipv6_prefix,omitempty"`
	// Placeholder replaces a value that is not an address (default: the
	// redaction placeholder).
	Placeholder *string `yaml:"placeholder,omitempty"`
}

// Pseudonymize options.
type Pseudonymize struct {
	// Form is hex (default), ipv6 or decimal.
	Form string `yaml:"form,omitempty"`
	// Length is the number of hex characters (default from pseudonyms.length).
	Length int `yaml:"length,omitempty"`
	// KeepDomain keeps the domain of e-mail addresses: <hex>@example.com.
	KeepDomain bool `yaml:"keep_domain,omitempty"`
}

// Redact options.
type Redact struct {
	// With is the placeholder (default "[redacted]").
	With *string `yaml:"with,omitempty"`
}

// Mask options.
type Mask struct {
	// KeepFirst is how many leading characters stay.
	KeepFirst int `yaml:"keep_first,omitempty"`
	// KeepLast is how many trailing characters stay.
	KeepLast int `yaml:"keep_last,omitempty"`
	// Char is the mask character (default "*").
	Char string `yaml:"char,omitempty"`
}

// StripQuery options.
type StripQuery struct {
	// Allow lists parameters kept (their values still scrubbed).
	Allow []string `yaml:"allow,omitempty"`
	// Pseudonymize lists parameters whose values become pseudonyms.
	Pseudonymize []string `yaml:"pseudonymize,omitempty"`
	// Redact lists parameters whose values are redacted.
	Redact []string `yaml:"redact,omitempty"`
}

// CoarsenTime options.
type CoarsenTime struct {
	// To is minute, hour or day.
	To string `yaml:"to,omitempty"`
}

// shorthands are the actions that may be written by name alone.
var shorthands = map[string]func(*Action){
	"truncate_ip":           func(a *Action) { a.TruncateIP = &TruncateIP{} },
	"pseudonymize":          func(a *Action) { a.Pseudonymize = &Pseudonymize{} },
	"redact":                func(a *Action) { a.Redact = &Redact{} },
	"drop_field":            func(a *Action) { a.DropField = &Empty{} },
	"mask":                  func(a *Action) { a.Mask = &Mask{} },
	"strip_query":           func(a *Action) { a.StripQuery = &StripQuery{} },
	"generalize_user_agent": func(a *Action) { a.GeneralizeUserAgent = &Empty{} },
	"coarsen_time":          func(a *Action) { a.CoarsenTime = &CoarsenTime{} },
	"scrub":                 func(a *Action) { a.Scrub = &Empty{} },
	"keep":                  func(a *Action) { a.Keep = &Empty{} },
	"off":                   func(a *Action) { a.Keep = &Empty{} },
}

// DecodeScalar accepts an action's bare name.
func (a *Action) DecodeScalar(s string) error {
	set, ok := shorthands[s]
	if !ok {
		names := make([]string, 0, len(shorthands))
		for n := range shorthands {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("unknown action %q (one of %s)", clip(s), strings.Join(names, ", "))
	}
	set(a)
	return nil
}

// name returns the name of the action that is set, or "" if none or
// several are set (count tells how many).
func (a *Action) name() (name string, count int) {
	for _, m := range []struct {
		n   string
		set bool
	}{
		{"truncate_ip", a.TruncateIP != nil}, {"pseudonymize", a.Pseudonymize != nil},
		{"redact", a.Redact != nil}, {"drop_field", a.DropField != nil}, {"mask", a.Mask != nil},
		{"strip_query", a.StripQuery != nil}, {"generalize_user_agent", a.GeneralizeUserAgent != nil},
		{"coarsen_time", a.CoarsenTime != nil}, {"scrub", a.Scrub != nil}, {"keep", a.Keep != nil},
	} {
		if m.set {
			name, count = m.n, count+1
		}
	}
	return name, count
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// MarshalYAML writes an action as its bare name when it has no options
// (`remote_user: pseudonymize`), else as {name: options}; for
// `tarn rules explain`.
func (a Action) MarshalYAML() (any, error) {
	name, _ := a.name()
	v := reflect.ValueOf(a)
	for i := range v.NumField() {
		if f := v.Field(i); !f.IsNil() && !f.Elem().IsZero() {
			return map[string]any{name: f.Interface()}, nil
		}
	}
	return name, nil
}
