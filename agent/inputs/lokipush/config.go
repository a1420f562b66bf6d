package lokipush

import (
	"errors"
	"net"
	"time"

	"github.com/tarn-project/tarn/agent/httpserve"
	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// Settings are the keys of a loki_push input.
type Settings struct {
	// Listen is the host:port the push API is served on.
	Listen string `yaml:"listen"`
	// MaxBodyBytes bounds one (decompressed) request (default 16MiB).
	MaxBodyBytes strictyaml.Size `yaml:"max_body_bytes"`
	// BearerTokenFile, if set, holds the token senders must present.
	BearerTokenFile string `yaml:"bearer_token_file"`
	// PassTenant uses the sender's X-Scope-OrgID as the entries' tenant.
	PassTenant bool `yaml:"pass_tenant"`
	// TenantMap maps a sender's X-Scope-OrgID to a tenant (with
	// pass_tenant; unmapped IDs pass as they are).
	TenantMap map[string]string `yaml:"tenant_map"`
	// MaxConcurrentRequests bounds the requests served at the same time
	// (default 16); more are answered 429 with Retry-After.
	MaxConcurrentRequests int `yaml:"max_concurrent_requests"`
	// MaxEntriesPerRequest bounds the entries of one request (default
	// 100000); more are answered 413.
	MaxEntriesPerRequest int `yaml:"max_entries_per_request"`
	// MaxDecodedBytes bounds the estimated memory of one decoded request
	// (default 4 × max_body_bytes); more is answered 413.
	MaxDecodedBytes strictyaml.Size `yaml:"max_decoded_bytes"`
	// ReadTimeout bounds reading one request body (default 30s); a slower
	// client gets 408 and its connection is closed.
	ReadTimeout strictyaml.Duration `yaml:"read_timeout"`
	// IdleTimeout closes a keep-alive connection idle this long (default
	// 2m).
	IdleTimeout strictyaml.Duration `yaml:"idle_timeout"`
	// TLS serves the push API over TLS (and mutual TLS with
	// client_ca_file).
	TLS httpserve.ServerTLS `yaml:"tls"`
}

// Defaults of the limits of a loki_push input.
const (
	DefaultPushMaxConcurrent = 16
	DefaultPushMaxEntries    = 100000
	DefaultPushReadTimeout   = 30 * time.Second
	DefaultPushIdleTimeout   = 2 * time.Minute
)

// applyDefaults fills the limits left unset.
func (p *Settings) applyDefaults() {
	if p.MaxBodyBytes == 0 {
		p.MaxBodyBytes = 16 << 20
	}
	if p.MaxConcurrentRequests == 0 {
		p.MaxConcurrentRequests = DefaultPushMaxConcurrent
	}
	if p.MaxEntriesPerRequest == 0 {
		p.MaxEntriesPerRequest = DefaultPushMaxEntries
	}
	if p.MaxDecodedBytes == 0 {
		p.MaxDecodedBytes = 4 * p.MaxBodyBytes
	}
	if p.ReadTimeout == 0 {
		p.ReadTimeout = strictyaml.Duration(DefaultPushReadTimeout)
	}
	if p.IdleTimeout == 0 {
		p.IdleTimeout = strictyaml.Duration(DefaultPushIdleTimeout)
	}
}

// Validate fills the limits left unset (max_decoded_bytes follows
// max_body_bytes) and checks every key.
func (p *Settings) Validate() error {
	path := ""
	p.applyDefaults()
	var errs []error
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, field), f, args...))
	}
	if _, port, err := net.SplitHostPort(p.Listen); err != nil || port == "" {
		fail("listen", "a loki_push input needs host:port, got %q", p.Listen)
	}
	if p.MaxBodyBytes < 1<<10 {
		fail("max_body_bytes", "must be at least 1KiB")
	}
	for k, v := range p.TenantMap {
		if err := sinks.ValidTenant(v); err != nil {
			fail("tenant_map."+k, "%v", err)
		}
	}
	if p.MaxConcurrentRequests < 1 {
		fail("max_concurrent_requests", "must be at least 1, got %d", p.MaxConcurrentRequests)
	}
	if p.MaxEntriesPerRequest < 1 {
		fail("max_entries_per_request", "must be at least 1, got %d", p.MaxEntriesPerRequest)
	}
	if p.MaxDecodedBytes < p.MaxBodyBytes {
		fail("max_decoded_bytes", "must be at least max_body_bytes (%s), got %s", p.MaxBodyBytes, p.MaxDecodedBytes)
	}
	if p.ReadTimeout < strictyaml.Duration(time.Millisecond) {
		fail("read_timeout", "must be at least 1ms, got %s", p.ReadTimeout)
	}
	if p.IdleTimeout < strictyaml.Duration(time.Millisecond) {
		fail("idle_timeout", "must be at least 1ms, got %s", p.IdleTimeout)
	}
	return errors.Join(errs...)
}

// Warnings are what a loki_push input on a reachable address risks (path
// is the input's path): no bearer token, so any host that reaches the
// address can push; or a bearer token without TLS, which travels in
// clear. They never contain the token.
func (p *Settings) Warnings(path string) []string {
	if httpserve.Loopback(p.Listen) {
		return nil
	}
	if p.BearerTokenFile == "" {
		return []string{strictyaml.Join(path, "listen") + ": " + p.Listen + " is not a loopback address and no bearer_token_file is set: any host that reaches it can push entries"}
	}
	if !p.TLS.Enabled() {
		return []string{strictyaml.Join(path, "tls") + ": " + p.Listen + " is not a loopback address and has no TLS: the bearer token travels in clear text"}
	}
	return nil
}

// ResolvePaths makes bearer_token_file relative to the configuration file
// (the tls keys resolve themselves when decoded).
func (p *Settings) ResolvePaths(abs func(string) string) { p.BearerTokenFile = abs(p.BearerTokenFile) }
