package loki

import (
	"errors"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// PromtailKeys are the keys of a Promtail (loki-client-go) `clients:`
// entry that the loki sink names differently or does not implement, so
// that such an entry carries over with a name and a type added. The
// other keys of a Promtail client (url, tenant_id, timeout, headers,
// external_labels, basic_auth, bearer_token, bearer_token_file) are the
// sink's own under the same names.
//
// The differently named keys are read as the sink's: batchwait as
// batch_wait, batchsize as batch_size, backoff_config as backoff,
// tls_config as tls; setting both names is an error. A key the sink does
// not implement is accepted at Promtail's default value
// (drop_rate_limited_batches: false, follow_redirects: true,
// enable_http2: true); at any other value, and for oauth2, authorization
// and the proxy keys, it is an error that says what to use instead.
type PromtailKeys struct {
	// BatchWait is Promtail's batchwait (batch_wait).
	BatchWait *strictyaml.Duration `yaml:"batchwait,omitempty"`
	// BatchSize is Promtail's batchsize, in bytes (batch_size).
	BatchSize *strictyaml.Size `yaml:"batchsize,omitempty"`
	// Backoff is Promtail's backoff_config (backoff).
	Backoff *Backoff `yaml:"backoff_config,omitempty"`
	// TLS is Promtail's tls_config (tls).
	TLS *sinks.ClientTLS `yaml:"tls_config,omitempty"`

	// DropRateLimitedBatches may only be false: the sink retries 429s.
	DropRateLimitedBatches promtailOnly `yaml:"drop_rate_limited_batches,omitempty"`
	// FollowRedirects may only be true, as the sink does.
	FollowRedirects promtailOnly `yaml:"follow_redirects,omitempty"`
	// EnableHTTP2 may only be true, as the sink does over TLS.
	EnableHTTP2 promtailOnly `yaml:"enable_http2,omitempty"`
	// OAuth2 is not implemented.
	OAuth2 promtailOnly `yaml:"oauth2,omitempty"`
	// Authorization is not implemented.
	Authorization promtailOnly `yaml:"authorization,omitempty"`
	// ProxyURL is not implemented.
	ProxyURL promtailOnly `yaml:"proxy_url,omitempty"`
	// NoProxy is not implemented.
	NoProxy promtailOnly `yaml:"no_proxy,omitempty"`
	// ProxyFromEnvironment is not implemented.
	ProxyFromEnvironment promtailOnly `yaml:"proxy_from_environment,omitempty"`
	// ProxyConnectHeader is not implemented.
	ProxyConnectHeader promtailOnly `yaml:"proxy_connect_header,omitempty"`
}

// promtailRenamed maps a Promtail key to the sink's name of it.
var promtailRenamed = map[string]string{
	"batchwait": "batch_wait", "batchsize": "batch_size", "backoff_config": "backoff", "tls_config": "tls",
}

// promtailUnsupported maps a Promtail key the sink does not implement to
// the value it is accepted at ("": none) and what to use instead.
var promtailUnsupported = map[string]struct{ accepted, instead string }{
	"drop_rate_limited_batches": {"false", "tarn retries batches Loki answers with 429 and never drops them; remove it"},
	"follow_redirects":          {"true", "tarn follows redirects; remove it"},
	"enable_http2":              {"true", "tarn uses HTTP/2 when the server offers it over TLS; remove it"},
	"oauth2":                    {"", "not supported; use bearer_token_file (a token another process renews) or basic_auth"},
	"authorization":             {"", "use bearer_token or bearer_token_file (type Bearer)"},
	"proxy_url":                 {"", "not supported; set HTTPS_PROXY or HTTP_PROXY in the agent's environment"},
	"no_proxy":                  {"", "not supported; set NO_PROXY in the agent's environment"},
	"proxy_from_environment":    {"true", "tarn always uses the proxy of HTTPS_PROXY, HTTP_PROXY and NO_PROXY; remove it"},
	"proxy_connect_header":      {"", "not supported"},
}

// promtailOnly is a Promtail key the sink does not implement: it decodes
// only from its accepted value (promtailUnsupported).
type promtailOnly struct{}

// DecodeNode accepts the key's accepted value and reports any other with
// what to use instead.
func (promtailOnly) DecodeNode(_ *strictyaml.Positions, n *yaml.Node, path string) error {
	key := path[strings.LastIndexByte(path, '.')+1:]
	u := promtailUnsupported[key]
	if u.accepted != "" && n.Kind == yaml.ScalarNode && n.Value == u.accepted {
		return nil
	}
	return strictyaml.Errorf(path, "Promtail key %s: %s", key, u.instead)
}

// settingsKeys decodes Settings without its DecodeNode.
type settingsKeys Settings

// DecodeNode decodes the sink's keys strictly (a key of another type is
// an error), Promtail's names of keys straight into the sink's keys.
func (l *Settings) DecodeNode(p *strictyaml.Positions, n *yaml.Node, path string) error {
	pk := &l.Promtail
	pk.BatchWait, pk.BatchSize, pk.Backoff, pk.TLS = &l.BatchWait, &l.BatchSize, &l.Backoff, &l.TLS
	err := strictyaml.DecodeSplit(p, n, path, &struct{}{}, func() (any, string) { return (*settingsKeys)(l), "loki" })
	pk.BatchWait, pk.BatchSize, pk.Backoff, pk.TLS = nil, nil, nil, nil
	return errors.Join(err, bothNames(n, path))
}

// bothNames reports the keys of the mapping n set under both Promtail's
// name and the sink's.
func bothNames(n *yaml.Node, path string) error {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	set := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		set[n.Content[i].Value] = true
	}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if to, ok := promtailRenamed[k]; ok && set[to] {
			errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, k), "Promtail key %s: is %s, which is set too; set one of them", k, to))
		}
	}
	return errors.Join(errs...)
}
