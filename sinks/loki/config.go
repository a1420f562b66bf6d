package loki

import (
	"cmp"
	"errors"
	"net/url"
	"sort"
	"time"

	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// Settings are the keys of a loki sink. They are named like the keys of a
// Promtail (loki-client-go) client, and Promtail's few other names are
// read too (PromtailKeys), so a `clients:` entry carries over with a name
// and a type added.
type Settings struct {
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
	TLS sinks.ClientTLS `yaml:"tls"`
	// Headers are extra request headers.
	Headers map[string]string `yaml:"headers"`
	// Encoding is protobuf (default: snappy-compressed protobuf) or json.
	Encoding string `yaml:"encoding"`
	// MaxLabelValues moves a label with more distinct values than this to
	// structured metadata (default 1000, -1 off).
	MaxLabelValues int `yaml:"max_label_values"`
	// RejectOldSamplesMaxAge is Loki's limits_config
	// reject_old_samples_max_age (default 168h, Loki's default): entries
	// older than it minus 15m are not sent (Loki would reject them with a
	// 400, and they would be dead-lettered) and are counted as rejected
	// too_old. It is Loki's limit, independent of
	// retention.max_age.
	RejectOldSamplesMaxAge strictyaml.Duration `yaml:"reject_old_samples_max_age"`
	// Promtail are the keys of a Promtail client named differently or
	// not implemented (promtail.go): batchwait, batchsize, backoff_config
	// and tls_config are read as the keys above.
	Promtail PromtailKeys `yaml:",inline"`
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

// DefaultSettings returns the settings of a loki sink without keys (the
// url is required).
func DefaultSettings() *Settings {
	return &Settings{BatchWait: strictyaml.Duration(time.Second), BatchSize: 1 << 20, Timeout: strictyaml.Duration(10 * time.Second),
		Backoff:  Backoff{MinPeriod: strictyaml.Duration(500 * time.Millisecond), MaxPeriod: strictyaml.Duration(5 * time.Minute)},
		Encoding: "protobuf", RejectOldSamplesMaxAge: strictyaml.Duration(168 * time.Hour)}
}

// Validate checks every key.
func (l *Settings) Validate() error {
	var errs []error
	fail := func(field, f string, args ...any) { errs = append(errs, strictyaml.Errorf(field, f, args...)) }
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
	errs = append(errs, l.TLS.Validate("tls"))
	if l.MaxLabelValues < -1 {
		fail("max_label_values", "must be -1 (off), 0 (default) or positive")
	}
	// The sink keeps a margin of 15m below Loki's limit (Options.OldMargin).
	if l.RejectOldSamplesMaxAge <= strictyaml.Duration(15*time.Minute) {
		fail("reject_old_samples_max_age", "must be longer than 15m (set it to Loki's limits_config.reject_old_samples_max_age), got %s", l.RejectOldSamplesMaxAge)
	}
	return errors.Join(errs...)
}

// ResolvePaths makes the file paths relative to the configuration file.
func (l *Settings) ResolvePaths(abs func(string) string) {
	l.BearerTokenFile = abs(l.BearerTokenFile)
	if l.BasicAuth != nil {
		l.BasicAuth.PasswordFile = abs(l.BasicAuth.PasswordFile)
	}
	l.TLS.ResolvePaths(abs)
}

// Tuning is the delivery loop of a loki sink: Promtail's batch_wait,
// batch_size and backoff.
func (l *Settings) Tuning() sinks.Tuning {
	return sinks.Tuning{BatchWait: time.Duration(l.BatchWait), BatchBytes: int(l.BatchSize), MaxRetries: l.Backoff.MaxRetries,
		MinBackoff: time.Duration(l.Backoff.MinPeriod), MaxBackoff: time.Duration(l.Backoff.MaxPeriod)}
}

// Options are the sink's options for these settings in env, with the TLS
// files loaded.
func (l *Settings) Options(env sinks.Env) (Options, error) {
	o := Options{URL: l.URL, TenantID: l.TenantID, Timeout: time.Duration(l.Timeout), Headers: l.Headers,
		BearerToken: l.BearerToken, BearerTokenFile: l.BearerTokenFile, JSON: l.Encoding == "json",
		MaxLabelValues: l.MaxLabelValues, RejectOldSamplesMaxAge: time.Duration(l.RejectOldSamplesMaxAge), Now: env.Now,
		UserAgent: "tarn/" + cmp.Or(env.Version, "dev")}
	for k, v := range l.ExternalLabels {
		o.ExternalLabels = append(o.ExternalLabels, sinks.Label{Name: k, Value: v})
	}
	sort.Slice(o.ExternalLabels, func(i, j int) bool { return o.ExternalLabels[i].Name < o.ExternalLabels[j].Name })
	if b := l.BasicAuth; b != nil {
		o.Username, o.Password, o.PasswordFile = b.Username, b.Password, b.PasswordFile
	}
	var err error
	o.TLS, err = l.TLS.Config()
	return o, err
}

func init() {
	sinks.Register("loki", sinks.Factory{
		Settings: func() sinks.Settings { return DefaultSettings() },
		New: func(s sinks.Settings, env sinks.Env) (sinks.Sink, error) {
			o, err := s.(*Settings).Options(env)
			if err != nil {
				return nil, err
			}
			return New(o)
		},
	})
}
