package agent

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/agent/delivery"
	"github.com/tarn-project/tarn/sinks"
	"github.com/tarn-project/tarn/sinks/loki"
)

// lokiOptions turns a loki sink's keys into the sink's options, loading
// its TLS files.
func lokiOptions(l config.LokiSink, a *Agent) (loki.Options, error) {
	o := loki.Options{URL: l.URL, TenantID: l.TenantID, Timeout: time.Duration(l.Timeout), Headers: l.Headers,
		BearerToken: l.BearerToken, BearerTokenFile: l.BearerTokenFile, JSON: l.Encoding == "json",
		MaxLabelValues: l.MaxLabelValues, RejectOldSamplesMaxAge: time.Duration(l.RejectOldSamplesMaxAge), Now: a.now,
		UserAgent: "tarn/" + cmp.Or(a.o.Version, "dev")}
	for k, v := range l.ExternalLabels {
		o.ExternalLabels = append(o.ExternalLabels, sinks.Label{Name: k, Value: v})
	}
	sort.Slice(o.ExternalLabels, func(i, j int) bool { return o.ExternalLabels[i].Name < o.ExternalLabels[j].Name })
	if b := l.BasicAuth; b != nil {
		o.Username, o.Password, o.PasswordFile = b.Username, b.Password, b.PasswordFile
	}
	var err error
	o.TLS, err = tlsConfig(l.TLS)
	return o, err
}

// tlsConfig loads the CA and client certificate files of a sink.
func tlsConfig(t config.TLS) (*tls.Config, error) {
	if t == (config.TLS{}) {
		return nil, nil
	}
	c := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls.ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, errors.New("tls.ca_file: no PEM certificate found")
		}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls.cert_file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// deliveryTuning applies a sink's entry selection, batching and retry
// keys to its delivery loop; the agent's own MinBackoff/MaxBackoff
// (tests) win when set.
func deliveryTuning(o *delivery.Options, sc config.Sink, a *Agent) {
	switch sc.Entries {
	case "records":
		o.Select = func(e *sinks.Entry) bool { return !isAggregate(e) }
	case "aggregates":
		o.Select = isAggregate
	}
	if sc.Type == "loki" {
		l := sc.Loki
		o.BatchWait, o.BatchBytes, o.MaxRetries = time.Duration(l.BatchWait), int(l.BatchSize), l.Backoff.MaxRetries
		o.MinBackoff, o.MaxBackoff = time.Duration(l.Backoff.MinPeriod), time.Duration(l.Backoff.MaxPeriod)
	}
	if a.o.MinBackoff > 0 {
		o.MinBackoff = a.o.MinBackoff
	}
	if a.o.MaxBackoff > 0 {
		o.MaxBackoff = a.o.MaxBackoff
	}
}
