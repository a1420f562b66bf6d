package config

import (
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// LokiSink holds the keys of a loki sink. They sit flat in the sink's
// mapping and are named like the keys of a Promtail (loki-client-go)
// client, so a `clients:` entry carries over with a name and a type added.
type LokiSink struct {
	// URL is the push endpoint, e.g. http://loki:3100/loki/api/v1/push.
	URL string `yaml:"url"`
	// TenantID is the X-Scope-OrgID of entries no rule or input gave a
	// tenant.
	TenantID string `yaml:"tenant_id"`
	// BatchWait is how long a batch may wait to fill up (default 1s).
	BatchWait strictyaml.Duration `yaml:"batch_wait"`
	// BatchSize bounds the lines of one batch in bytes (default 1MiB).
	BatchSize strictyaml.Size `yaml:"batch_size"`
	// Timeout bounds one request (default 10s).
	Timeout strictyaml.Duration `yaml:"timeout"`
	// ExternalLabels are added to every stream.
	ExternalLabels map[string]string `yaml:"external_labels"`
	// Backoff bounds the waits between retries.
	Backoff Backoff `yaml:"backoff"`
	// BasicAuth is sent with every request.
	BasicAuth *BasicAuth `yaml:"basic_auth"`
	// BearerToken is sent as "Authorization: Bearer ...".
	BearerToken string `yaml:"bearer_token"`
	// BearerTokenFile holds the token, read at every request.
	BearerTokenFile string `yaml:"bearer_token_file"`
	// TLS configures the client side of TLS.
	TLS TLS `yaml:"tls"`
	// Headers are extra request headers.
	Headers map[string]string `yaml:"headers"`
	// Encoding is protobuf (default: snappy-compressed protobuf) or json.
	Encoding string `yaml:"encoding"`
	// MaxLabelValues moves a label with more distinct values than this to
	// structured metadata (default 1000, -1 off).
	MaxLabelValues int `yaml:"max_label_values"`
	// RejectOldSamplesMaxAge is Loki's limits_config
	// reject_old_samples_max_age (default 168h, Loki's default): entries
	// older than it minus 15m are not sent (Loki would reject them, and
	// its 400 would dead-letter the whole batch) and are counted as
	// rejected too_old. It is Loki's limit, independent of
	// retention.max_age.
	RejectOldSamplesMaxAge strictyaml.Duration `yaml:"reject_old_samples_max_age"`
}

// Backoff bounds the retries of a sink (Promtail's backoff_config).
type Backoff struct {
	// MinPeriod is the first wait (default 500ms).
	MinPeriod strictyaml.Duration `yaml:"min_period"`
	// MaxPeriod is the longest wait (default 5m).
	MaxPeriod strictyaml.Duration `yaml:"max_period"`
	// MaxRetries, if positive, dead-letters a batch after this many failed
	// retries (Promtail drops it); 0 retries until it is delivered.
	MaxRetries int `yaml:"max_retries"`
}

// BasicAuth is HTTP basic authentication.
type BasicAuth struct {
	// Username is the user.
	Username string `yaml:"username"`
	// Password is the password.
	Password string `yaml:"password"`
	// PasswordFile holds the password, read at every request.
	PasswordFile string `yaml:"password_file"`
}

// TLS is the client side of a TLS connection.
type TLS struct {
	// CAFile verifies the server (default: the system roots).
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are the client certificate.
	CertFile string `yaml:"cert_file"`
	// KeyFile is the client certificate's key.
	KeyFile string `yaml:"key_file"`
	// ServerName overrides the name checked in the server certificate.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify skips verifying the server certificate.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// PushInput holds the keys of a loki_push input.
type PushInput struct {
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
	TLS ServerTLS `yaml:"tls"`
}

// Defaults of the limits of a loki_push input.
const (
	DefaultPushMaxConcurrent = 16
	DefaultPushMaxEntries    = 100000
	DefaultPushReadTimeout   = 30 * time.Second
	DefaultPushIdleTimeout   = 2 * time.Minute
)

// applyDefaults fills the unset limits of a loki_push input.
func (p *PushInput) applyDefaults() {
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

func (l *LokiSink) applyDefaults() {
	if l.BatchWait == 0 {
		l.BatchWait = strictyaml.Duration(time.Second)
	}
	if l.BatchSize == 0 {
		l.BatchSize = 1 << 20
	}
	if l.Timeout == 0 {
		l.Timeout = strictyaml.Duration(10 * time.Second)
	}
	if l.Backoff.MinPeriod == 0 {
		l.Backoff.MinPeriod = strictyaml.Duration(500 * time.Millisecond)
	}
	if l.Backoff.MaxPeriod == 0 {
		l.Backoff.MaxPeriod = strictyaml.Duration(5 * time.Minute)
	}
	if l.Encoding == "" {
		l.Encoding = "protobuf"
	}
	if l.RejectOldSamplesMaxAge == 0 {
		l.RejectOldSamplesMaxAge = strictyaml.Duration(168 * time.Hour)
	}
}

// validate checks a loki sink's keys (path is the sink's path).
func (l *LokiSink) validate(path string) error {
	var errs []error
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, field), f, args...))
	}
	if u, err := url.Parse(l.URL); l.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail("url", "a loki sink needs an http(s) URL, e.g. http://loki:3100/loki/api/v1/push")
	}
	if l.TenantID != "" {
		if err := sinks.ValidTenant(l.TenantID); err != nil {
			fail("tenant_id", "%v", err)
		}
	}
	if l.Encoding != "protobuf" && l.Encoding != "json" {
		fail("encoding", "must be protobuf or json, got %q", l.Encoding)
	}
	if l.BatchSize < 1<<10 {
		fail("batch_size", "must be at least 1KiB")
	}
	if l.BatchWait < 0 || l.Timeout <= 0 {
		fail("timeout", "must be positive")
	}
	if l.Backoff.MaxPeriod < l.Backoff.MinPeriod || l.Backoff.MinPeriod <= 0 {
		fail("backoff", "needs 0 < min_period <= max_period")
	}
	if l.Backoff.MaxRetries < 0 {
		fail("backoff.max_retries", "must not be negative")
	}
	for k := range l.ExternalLabels {
		if !sinks.ValidLabelName(k) {
			fail("external_labels."+k, "not a valid Loki label name ([a-zA-Z_][a-zA-Z0-9_]*)")
		}
	}
	if l.BasicAuth != nil && l.BasicAuth.Username == "" {
		fail("basic_auth.username", "required")
	}
	if l.BearerToken != "" && l.BearerTokenFile != "" {
		fail("bearer_token_file", "set bearer_token or bearer_token_file, not both")
	}
	if (l.TLS.CertFile == "") != (l.TLS.KeyFile == "") {
		fail("tls", "cert_file and key_file go together")
	}
	if l.MaxLabelValues < -1 {
		fail("max_label_values", "must be -1 (off), 0 (default) or positive")
	}
	// The sink keeps a margin of 15m below Loki's limit (loki.Options.OldMargin).
	if l.RejectOldSamplesMaxAge <= strictyaml.Duration(15*time.Minute) {
		fail("reject_old_samples_max_age", "must be longer than 15m (set it to Loki's limits_config.reject_old_samples_max_age), got %s", l.RejectOldSamplesMaxAge)
	}
	return errors.Join(errs...)
}

// validatePush fills the defaults of a loki_push input's limits and
// checks its keys.
func (p *PushInput) validatePush(path string) error {
	p.applyDefaults()
	var errs []error
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, field), f, args...))
	}
	if !validListen(p.Listen) || p.Listen == "" {
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
func (p *PushInput) Warnings(path string) []string {
	if Loopback(p.Listen) {
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

// Warnings are the risks of a valid configuration that `tarn run --check`
// and the agent's start report, e.g. a push input open to every host.
func (c *Config) Warnings() []string {
	var out []string
	for i, in := range c.Inputs {
		if in.Type == "loki_push" {
			out = append(out, in.Push.Warnings(strictyaml.Join("inputs", "["+strconv.Itoa(i)+"]"))...)
		}
	}
	return out
}

// unset reports whether v (a struct of type-specific keys) is all zero,
// for the check that no other type's keys are set.
func unset(v any) bool { return reflect.ValueOf(v).IsZero() }

// resolve makes the file paths of a loki sink relative to dir.
func (l *LokiSink) resolve(abs func(string) string) {
	l.BearerTokenFile = abs(l.BearerTokenFile)
	if l.BasicAuth != nil {
		l.BasicAuth.PasswordFile = abs(l.BasicAuth.PasswordFile)
	}
	l.TLS.CAFile, l.TLS.CertFile, l.TLS.KeyFile = abs(l.TLS.CAFile), abs(l.TLS.CertFile), abs(l.TLS.KeyFile)
}
