// Package loki is the sink that ships anonymized entries to Grafana Loki's
// push API (POST /loki/api/v1/push) and returns only when Loki accepted
// them.
//
// Requests are snappy-compressed protobuf PushRequests built with Loki's
// own types (github.com/grafana/loki/pkg/push), or JSON as a fallback.
// A batch is acknowledged when Loki answered 2xx (260, "ingestion
// blocked", is a failure); 429, 5xx, 260 and connection errors are
// retried by the agent's delivery loop; any other 4xx is marked
// sinks.Permanent, so the batch goes to the dead-letter file and delivery
// goes on. Loki's per-stream error text is parsed to count how many entries
// were rejected and why.
//
// Re-sends are byte-identical: streams are ordered by their labels,
// entries by time (stable), so Loki drops entries it already has. Entries
// Loki would reject as too old (older than the retention period minus a
// margin) are dropped and counted before sending. Pseudonyms travel as
// structured metadata, never as stream labels, and a cardinality guard
// moves a label with too many distinct values to structured metadata.
// Each entry goes to its own tenant (X-Scope-OrgID) when a rule or input
// set one, else to the sink's tenant_id.
//
// Why not loki-client-go's Client: it is fire-and-forget (after its
// retries it drops the batch and only logs it), marked experimental
// upstream, and registers global promtail_* metrics in init(). tarn must
// know when a batch is accepted, so this sink speaks the push API itself;
// its configuration keys mirror that client's (url, tenant_id, batch_wait,
// batch_size, timeout, external_labels, backoff, basic_auth,
// bearer_token_file, tls, headers), and loki-client-go is the real client
// that feeds tarn's push receiver in the tests.
package loki

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/tarn-project/tarn/sinks"
)

// Options of a Loki sink (decoded and validated by the agent's
// configuration).
type Options struct {
	// URL is the push endpoint, e.g. http://loki:3100/loki/api/v1/push.
	URL string
	// TenantID is the X-Scope-OrgID of entries without their own tenant
	// ("" sends none).
	TenantID string
	// Timeout bounds one request (default 10s).
	Timeout time.Duration
	// ExternalLabels are added to every stream; an entry's own label of
	// the same name wins.
	ExternalLabels []sinks.Label
	// Username and Password are sent as basic auth when Username is set.
	Username, Password string
	// PasswordFile, if set, is read for the password at every request.
	PasswordFile string
	// BearerToken is sent as "Authorization: Bearer ...".
	BearerToken string
	// BearerTokenFile, if set, is read for the token at every request (so
	// rotated tokens are picked up).
	BearerTokenFile string
	// TLS is the client's TLS configuration (nil: Go's defaults).
	TLS *tls.Config
	// Headers are extra request headers.
	Headers map[string]string
	// JSON sends JSON instead of snappy-compressed protobuf.
	JSON bool
	// MaxLabelValues is the cardinality guard: a label name that takes
	// more distinct values than this is moved to structured metadata
	// (default 1000; negative disables the guard).
	MaxLabelValues int
	// MaxAge drops entries older than MaxAge minus OldMargin, which Loki
	// would reject as too old (default 168h, Loki's own default).
	MaxAge time.Duration
	// OldMargin is the safety margin below MaxAge (default 15m).
	OldMargin time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Client overrides the HTTP client (tests); Timeout and TLS are then
	// the client's business.
	Client *http.Client
	// UserAgent is sent with every request (default "tarn").
	UserAgent string
}

// Sink ships entries to Loki. Send and Close are called by one delivery
// loop; Report may be called concurrently.
type Sink struct {
	name   string
	o      Options
	client *http.Client
	enc    encoder
	guard  guard
	// accepted holds the hashes of the requests of the current batch that
	// Loki already accepted, so a retried batch does not send them again.
	accepted map[uint64]bool

	mu       sync.Mutex
	rejected map[string]uint64
}

var _ sinks.Sink = (*Sink)(nil)
var _ sinks.Reporter = (*Sink)(nil)

func init() {
	sinks.Register("loki", func(c sinks.Config) (sinks.Sink, error) {
		o, ok := c.Options.(Options)
		if !ok {
			return nil, fmt.Errorf("loki: sink %q: missing options", c.Name)
		}
		return New(c.Name, o)
	})
}

// New returns a Loki sink; it does not contact Loki.
func New(name string, o Options) (*Sink, error) {
	if o.URL == "" {
		return nil, errors.New("loki: no url")
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxLabelValues == 0 {
		o.MaxLabelValues = 1000
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 168 * time.Hour
	}
	if o.OldMargin <= 0 {
		o.OldMargin = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.UserAgent == "" {
		o.UserAgent = "tarn"
	}
	c := o.Client
	if c == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = o.TLS
		c = &http.Client{Transport: tr, Timeout: o.Timeout}
	}
	s := &Sink{name: name, o: o, client: c, accepted: map[uint64]bool{}, rejected: map[string]uint64{}}
	s.enc.json = o.JSON
	s.guard.init(o.MaxLabelValues, o.ExternalLabels)
	return s, nil
}

// Send pushes entries, one request per tenant, and returns nil once Loki
// accepted all of them.
func (s *Sink) Send(ctx context.Context, entries []sinks.Entry) error {
	entries = s.dropTooOld(entries)
	reqs := s.enc.build(entries, &s.guard, s.o.TenantID)
	for i := range reqs {
		r := &reqs[i]
		body, err := s.enc.encode(r)
		if err != nil {
			return sinks.Permanent(fmt.Errorf("loki: encode: %w", err))
		}
		h := xxhash.Sum64String(r.tenant) ^ xxhash.Sum64(body)
		if s.accepted[h] {
			continue
		}
		if err := s.push(ctx, r.tenant, body); err != nil {
			if sinks.IsPermanent(err) {
				clear(s.accepted)
			}
			return err
		}
		s.accepted[h] = true
	}
	clear(s.accepted)
	return nil
}

// dropTooOld removes (and counts) the entries Loki would reject as too
// old; entries itself is returned when none is.
func (s *Sink) dropTooOld(entries []sinks.Entry) []sinks.Entry {
	cutoff := s.o.Now().Add(-(s.o.MaxAge - s.o.OldMargin))
	n := 0
	for i := range entries {
		if entries[i].Time.Before(cutoff) {
			n++
		}
	}
	if n == 0 {
		return entries
	}
	s.count(reasonTooOld, uint64(n))
	keep := make([]sinks.Entry, 0, len(entries)-n)
	for _, e := range entries {
		if !e.Time.Before(cutoff) {
			keep = append(keep, e)
		}
	}
	return keep
}

// push sends one request body and classifies Loki's answer.
func (s *Sink) push(ctx context.Context, tenant string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.URL, bytes.NewReader(body))
	if err != nil {
		return sinks.Permanent(fmt.Errorf("loki: %w", err))
	}
	if err := s.setHeaders(req, tenant); err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("loki: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return s.classify(resp.StatusCode, strings.TrimSpace(string(msg)))
}

func (s *Sink) setHeaders(req *http.Request, tenant string) error {
	req.Header.Set("Content-Type", s.enc.contentType())
	req.Header.Set("User-Agent", s.o.UserAgent)
	for k, v := range s.o.Headers {
		req.Header.Set(k, v)
	}
	if tenant != "" {
		req.Header.Set("X-Scope-OrgID", tenant)
	}
	if s.o.Username != "" {
		pw, err := secret(s.o.Password, s.o.PasswordFile)
		if err != nil {
			return err
		}
		req.SetBasicAuth(s.o.Username, pw)
	}
	if s.o.BearerToken != "" || s.o.BearerTokenFile != "" {
		tok, err := secret(s.o.BearerToken, s.o.BearerTokenFile)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return nil
}

// secret returns value, or the trimmed content of file when it is set.
func secret(value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("loki: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// statusIngestionBlocked is Loki's answer while a tenant's ingestion is
// blocked by policy: a 2xx code that is not an acceptance.
const statusIngestionBlocked = 260

// classify turns Loki's status and message into nil (accepted), a
// retryable error, or a permanent one (counted by reason).
func (s *Sink) classify(code int, msg string) error {
	switch {
	case code/100 == 2 && code != statusIngestionBlocked:
		return nil
	case code == statusIngestionBlocked || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code/100 == 5:
		return fmt.Errorf("loki: status %d: %s", code, clip(msg))
	}
	for reason, n := range parseRejections(msg) {
		s.count(reason, n)
	}
	return sinks.Permanent(fmt.Errorf("loki: status %d: %s", code, clip(msg)))
}

func clip(s string) string {
	if len(s) > 512 {
		return s[:512] + "..."
	}
	return s
}

func (s *Sink) count(reason string, n uint64) {
	s.mu.Lock()
	s.rejected[reason] += n
	s.mu.Unlock()
}

// Report returns the sink's counters.
func (s *Sink) Report() sinks.Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := sinks.Report{Rejected: make(map[string]uint64, len(s.rejected)), LabelsDemoted: s.guard.demotedCount.Load()}
	for k, v := range s.rejected {
		r.Rejected[k] = v
	}
	return r
}

// Close releases idle connections; it is safe to call twice.
func (s *Sink) Close(context.Context) error {
	s.client.CloseIdleConnections()
	return nil
}
