// Package aggregate turns web requests into privacy-safe aggregates: per
// time window and virtual host, request counts by method and status
// class, bytes, a duration histogram, the share of bots and the top
// routes (templated, k-anonymous); per day and virtual host, a
// HyperLogLog sketch of distinct visitors over their keyed pseudonyms.
//
// Aggregates hold no personal data, so they may be kept far longer than
// the 7 days of the records: routes are templates (ids, tokens and
// e-mail-like segments become :id), a route is named only when at least k
// distinct visitors produced it in its window, and visitors are counted
// by a sketch of daily-keyed MACs, never listed. Sketches of the same day
// and host merge across a fleet into the fleet-wide distinct count.
//
// The package is pure: the rules engine feeds it one Obs per request and
// asks for windows that are complete.
package aggregate

import (
	"errors"
	"time"

	"github.com/tarn-project/tarn/rules/strictyaml"
)

// Config is the `aggregate:` section of a rules file.
type Config struct {
	// Window is the length of one aggregation window (default 1m).
	Window strictyaml.Duration `yaml:"window,omitempty"`
	// TopRoutes is how many routes a window names (default 20); the rest
	// is reported as other.
	TopRoutes int `yaml:"top_routes,omitempty"`
	// KAnonymity is how many distinct visitors a route needs in a window
	// before it is named (default 10).
	KAnonymity int `yaml:"k_anonymity,omitempty"`
	// MaxHosts bounds the virtual hosts of one window (default 1000); more
	// are counted as "other".
	MaxHosts int `yaml:"max_hosts,omitempty"`
	// Visitors turns the daily distinct-visitor sketches on (default true).
	Visitors *bool `yaml:"visitors,omitempty"`
	// API aggregates application telemetry (JSON logs) by fields.
	API *API `yaml:"api,omitempty"`
}

// API is the aggregation of application telemetry: counts, payload sizes
// and durations per window, grouped by low-cardinality fields and
// optionally by a pseudonymous API-key id.
type API struct {
	// GroupBy names the fields (exact paths or last path elements) whose
	// values group the records, e.g. [service, endpoint, status]. Values
	// are templated like route segments (ids, tokens and e-mail-like
	// values become :id) and cut at 64 bytes.
	GroupBy []string `yaml:"group_by,omitempty"`
	// KeyField, if set, also groups by the pseudonym of this field (an API
	// key or client id), never by its value.
	KeyField string `yaml:"key_field,omitempty"`
	// MaxGroups bounds the groups of one window (default 1000); more are
	// counted as "other".
	MaxGroups int `yaml:"max_groups,omitempty"`
}

// Defaults of a Config.
const (
	DefaultWindow     = time.Minute
	DefaultTopRoutes  = 20
	DefaultKAnonymity = 10
	DefaultMaxHosts   = 1000
	DefaultMaxGroups  = 1000
	// MaxKAnonymity is the largest k: each tracked route keeps up to k
	// visitor hashes.
	MaxKAnonymity = 64
)

// WithDefaults returns c with unset values filled, as the Aggregator uses
// it (and the privacy statement describes it). c's API section is copied,
// not changed.
func (c Config) WithDefaults() Config {
	if c.Window == 0 {
		c.Window = strictyaml.Duration(DefaultWindow)
	}
	if c.TopRoutes == 0 {
		c.TopRoutes = DefaultTopRoutes
	}
	if c.KAnonymity == 0 {
		c.KAnonymity = DefaultKAnonymity
	}
	if c.MaxHosts == 0 {
		c.MaxHosts = DefaultMaxHosts
	}
	if c.Visitors == nil {
		on := true
		c.Visitors = &on
	}
	if c.API != nil && c.API.MaxGroups == 0 {
		api := *c.API
		api.MaxGroups = DefaultMaxGroups
		c.API = &api
	}
	return c
}

// Validate checks the section; paths are relative to "aggregate".
func (c *Config) Validate() error {
	var errs []error
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join("aggregate", field), f, args...))
	}
	if w := time.Duration(c.Window); w != 0 && (w < time.Second || w > 24*time.Hour || (24*time.Hour)%w != 0) {
		fail("window", "must divide a day and be between 1s and 24h, got %s", w)
	}
	if c.TopRoutes < 0 || c.TopRoutes > 1000 {
		fail("top_routes", "must be 1..1000, got %d", c.TopRoutes)
	}
	if c.KAnonymity < 0 || c.KAnonymity > MaxKAnonymity {
		fail("k_anonymity", "must be 1..%d, got %d", MaxKAnonymity, c.KAnonymity)
	}
	if c.MaxHosts < 0 {
		fail("max_hosts", "must be positive, got %d", c.MaxHosts)
	}
	if a := c.API; a != nil {
		if len(a.GroupBy) == 0 && a.KeyField == "" {
			fail("api.group_by", "name at least one field (or key_field)")
		}
		if len(a.GroupBy) > 8 {
			fail("api.group_by", "at most 8 fields, got %d", len(a.GroupBy))
		}
		if a.MaxGroups < 0 {
			fail("api.max_groups", "must be positive, got %d", a.MaxGroups)
		}
	}
	return errors.Join(errs...)
}
