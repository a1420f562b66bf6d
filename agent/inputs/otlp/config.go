package otlp

import (
	"errors"
	"iter"
	"net"
	"time"

	"github.com/tarn-project/tarn/agent/httpserve"
	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// Settings are the keys of an otlp input. They follow the OpenTelemetry
// Collector's otlp receiver (protocols.grpc.endpoint is here grpc.listen,
// protocols.http.endpoint http.listen).
type Settings struct {
	// GRPC serves OTLP/gRPC (the standard port is 4317).
	GRPC *Endpoint `yaml:"grpc"`
	// HTTP serves OTLP/HTTP, POST /v1/logs with protobuf or JSON (the
	// standard port is 4318).
	HTTP *Endpoint `yaml:"http"`
	// BearerTokenFile, if set, holds the token senders must present
	// ("Authorization: Bearer <token>", as the Collector's
	// bearertokenauth extension and the SDKs' headers option send it).
	BearerTokenFile string `yaml:"bearer_token_file"`
	// ResourceLabels are the resource attributes that become stream
	// labels, their names with '_' for '.' (default DefaultResourceLabels,
	// Loki's default index labels without the per-pod ones). The other
	// resource attributes and every log attribute become structured
	// metadata.
	ResourceLabels []string `yaml:"resource_labels"`
	// TenantAttribute names a resource attribute whose value is the
	// tenant of the resource's records (e.g. k8s.namespace.name), mapped
	// by TenantMap; an unmapped value that is a valid tenant ID is the
	// tenant as it is, any other leaves the input's tenant. A tenant a
	// rule chooses wins.
	TenantAttribute string `yaml:"tenant_attribute"`
	// TenantMap maps values of TenantAttribute to tenants.
	TenantMap map[string]string `yaml:"tenant_map"`
	// MaxBodyBytes bounds one request, raw and decompressed (default
	// 16MiB).
	MaxBodyBytes strictyaml.Size `yaml:"max_body_bytes"`
	// MaxRecordsPerRequest bounds the log records of one request
	// (default 100000).
	MaxRecordsPerRequest int `yaml:"max_records_per_request"`
	// MaxConcurrentRequests bounds the requests served at the same time
	// (default 16); more are answered 429 / RESOURCE_EXHAUSTED.
	MaxConcurrentRequests int `yaml:"max_concurrent_requests"`
	// ReadTimeout bounds reading one HTTP request body (default 30s).
	ReadTimeout strictyaml.Duration `yaml:"read_timeout"`
	// IdleTimeout closes an HTTP keep-alive or gRPC connection idle this
	// long (default 2m).
	IdleTimeout strictyaml.Duration `yaml:"idle_timeout"`
}

// Endpoint is one protocol's listener.
type Endpoint struct {
	// Listen is host:port.
	Listen string `yaml:"listen"`
	// TLS serves it over TLS (mutual TLS with client_ca_file).
	TLS httpserve.ServerTLS `yaml:"tls"`
}

// DefaultResourceLabels are the resource attributes that become stream
// labels unless resource_labels says otherwise.
var DefaultResourceLabels = []string{"service.name", "service.namespace", "deployment.environment",
	"deployment.environment.name", "k8s.cluster.name", "k8s.namespace.name", "cloud.region"}

// Defaults of the limits.
const (
	DefaultMaxBodyBytes  = 16 << 20
	DefaultMaxRecords    = 100000
	DefaultMaxConcurrent = 16
	DefaultReadTimeout   = 30 * time.Second
	DefaultIdleTimeout   = 2 * time.Minute
)

// DefaultSettings returns the settings of an otlp input without keys.
func DefaultSettings() *Settings {
	return &Settings{MaxBodyBytes: DefaultMaxBodyBytes, MaxRecordsPerRequest: DefaultMaxRecords,
		MaxConcurrentRequests: DefaultMaxConcurrent, ReadTimeout: strictyaml.Duration(DefaultReadTimeout),
		IdleTimeout: strictyaml.Duration(DefaultIdleTimeout)}
}

// Validate checks every key.
func (s *Settings) Validate() error {
	var errs []error
	fail := func(field, f string, args ...any) { errs = append(errs, strictyaml.Errorf(field, f, args...)) }
	if s.GRPC == nil && s.HTTP == nil {
		fail("grpc", "an otlp input serves grpc, http or both, e.g. grpc: {listen: 127.0.0.1:4317}")
	}
	for name, e := range s.endpoints() {
		if _, port, err := net.SplitHostPort(e.Listen); err != nil || port == "" {
			fail(name+".listen", "needs host:port, got %q", e.Listen)
		}
	}
	if s.GRPC != nil && s.HTTP != nil && s.GRPC.Listen == s.HTTP.Listen {
		fail("http.listen", "grpc and http need their own addresses")
	}
	for k, v := range s.TenantMap {
		if err := sinks.ValidTenant(v); err != nil {
			fail("tenant_map."+k, "%v", err)
		}
	}
	if len(s.TenantMap) > 0 && s.TenantAttribute == "" {
		fail("tenant_map", "goes with tenant_attribute")
	}
	if s.MaxBodyBytes < 1<<10 {
		fail("max_body_bytes", "must be at least 1KiB")
	}
	if s.MaxRecordsPerRequest < 1 {
		fail("max_records_per_request", "must be at least 1")
	}
	if s.MaxConcurrentRequests < 1 {
		fail("max_concurrent_requests", "must be at least 1")
	}
	if s.ReadTimeout < strictyaml.Duration(time.Millisecond) || s.IdleTimeout < strictyaml.Duration(time.Millisecond) {
		fail("read_timeout", "read_timeout and idle_timeout must be at least 1ms")
	}
	return errors.Join(errs...)
}

// endpoints yields the configured endpoints by key, grpc first.
func (s *Settings) endpoints() iter.Seq2[string, *Endpoint] {
	return func(yield func(string, *Endpoint) bool) {
		if s.GRPC != nil && !yield("grpc", s.GRPC) {
			return
		}
		if s.HTTP != nil {
			yield("http", s.HTTP)
		}
	}
}

// ResolvePaths makes bearer_token_file relative to the configuration
// file (the tls keys resolve themselves when decoded).
func (s *Settings) ResolvePaths(abs func(string) string) { s.BearerTokenFile = abs(s.BearerTokenFile) }

// Warnings are what an otlp input on a reachable address risks: no
// bearer token (any host that reaches it can send), or a token without
// TLS (it travels in clear).
func (s *Settings) Warnings(path string) []string {
	var out []string
	for name, e := range s.endpoints() {
		switch {
		case httpserve.Loopback(e.Listen):
		case s.BearerTokenFile == "":
			out = append(out, strictyaml.Join(path, name+".listen")+": "+e.Listen+" is not a loopback address and no bearer_token_file is set: any host that reaches it can send log records")
		case !e.TLS.Enabled():
			out = append(out, strictyaml.Join(path, name+".tls")+": "+e.Listen+" is not a loopback address and has no TLS: the bearer token travels in clear text")
		}
	}
	return out
}

func init() {
	inputs.Register("otlp", inputs.Factory{
		Settings: func() inputs.Settings { return DefaultSettings() },
		New:      func(s inputs.Settings, env inputs.Env) (inputs.Input, error) { return New(s.(*Settings), env) },
	})
}
