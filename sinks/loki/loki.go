// Package loki is the sink that ships anonymized entries to Grafana Loki's
// push API (POST /loki/api/v1/push) and returns only when Loki answered
// for all of them.
//
// Requests are snappy-compressed protobuf PushRequests built with Loki's
// own types (github.com/grafana/loki/pkg/push), or JSON as a fallback,
// one per tenant. A request is accepted when Loki answered 2xx (260,
// "ingestion blocked", is a failure). 429 and 503 with a Retry-After
// header (seconds or an HTTP date) are sinks.Throttled, so the delivery
// loop waits as asked; 429, 5xx, 408, 260 and connection errors are
// retried by the delivery loop. A 400 whose text identifies every entry
// Loki rejected (see identify: Loki ingested the others) makes the batch
// a partial acceptance (sinks.Partial) of exactly those entries; any
// other 4xx is sinks.Permanent, so the whole batch goes to the
// dead-letter file and delivery goes on. Loki's per-stream error text is
// parsed to count how many entries were rejected and why.
//
// Re-sends are byte-identical: streams are ordered by their labels,
// entries by time (stable), so Loki drops entries it already has. A Send
// of the batch in flight again (same sinks.Batch.ID, Attempt > 0) is a
// retry: it is built from the same cardinality-guard state as the first
// attempt (so it encodes to the same bytes) and skips the tenants Loki
// already answered for. Entries Loki would reject as too old (older than
// Loki's reject_old_samples_max_age minus a margin) are dropped and
// counted before sending. Pseudonyms travel as structured metadata, never
// as stream labels, and a cardinality guard moves a label with too many
// distinct values to structured metadata.
//
// Errors hold Loki's status code and the counts of rejected entries by
// reason, never the text of Loki's answer: it quotes stream selectors
// (label values) and tenants, and a proxy in front of Loki may answer
// anything.
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
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

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
	// RejectOldSamplesMaxAge is Loki's own limit
	// limits_config.reject_old_samples_max_age (default 168h, Loki's
	// default), not tarn's retention.max_age (which the delivery loop
	// enforces before the sink sees a batch). Loki rejects older entries
	// with a 400; rather than send them and have them dead-lettered, the
	// sink drops entries older than RejectOldSamplesMaxAge minus OldMargin
	// and counts them as rejected{reason="too_old"}, once per entry and
	// batch.
	RejectOldSamplesMaxAge time.Duration
	// OldMargin is the safety margin below RejectOldSamplesMaxAge (default
	// 15m); it must be shorter than RejectOldSamplesMaxAge.
	OldMargin time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// UserAgent is sent with every request (default "tarn").
	UserAgent string
}

// Sink ships entries to Loki. Send and Close are called by one delivery
// loop; Report may be called concurrently.
type Sink struct {
	o      Options
	client *http.Client
	enc    encoder
	guard  guard
	batch  batch

	mu       sync.Mutex
	rejected map[string]uint64
}

// batch is what the sink keeps about the batch in flight across the
// delivery loop's retries, until Loki answered for all of its entries,
// or it was rejected permanently, or a different batch comes.
type batch struct {
	// active is set while a batch is in flight; id is its sinks.Batch.ID.
	active bool
	id     string
	// cutoff is the too-old cut-off of the last attempt: it only moves
	// forward, so the entries dropped by an attempt include those dropped
	// before, and dropped (how many that were, already counted) lets a
	// retry count only the entries that aged out since.
	cutoff  time.Time
	dropped int
	// done holds the tenants whose request Loki answered for (accepted,
	// perhaps in part), so a retry does not send them again; rejected
	// are the entries those answers rejected.
	done     map[string]bool
	rejected []sinks.Rejection
}

var _ sinks.Sink = (*Sink)(nil)
var _ sinks.Reporter = (*Sink)(nil)

// New returns a Loki sink; it does not contact Loki.
func New(o Options) (*Sink, error) {
	if o.URL == "" {
		return nil, errors.New("loki: no url")
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxLabelValues == 0 {
		o.MaxLabelValues = 1000
	}
	if o.RejectOldSamplesMaxAge <= 0 {
		o.RejectOldSamplesMaxAge = 168 * time.Hour
	}
	if o.OldMargin <= 0 {
		o.OldMargin = 15 * time.Minute
	}
	if o.RejectOldSamplesMaxAge <= o.OldMargin {
		return nil, fmt.Errorf("loki: reject_old_samples_max_age %s is not longer than the margin of %s", o.RejectOldSamplesMaxAge, o.OldMargin)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.UserAgent == "" {
		o.UserAgent = "tarn"
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = o.TLS
	c := &http.Client{Transport: tr, Timeout: o.Timeout}
	s := &Sink{o: o, client: c, rejected: map[string]uint64{}}
	s.enc.json = o.JSON
	s.guard.init(o.MaxLabelValues, o.ExternalLabels)
	return s, nil
}

// Send pushes the batch's entries, one request per tenant, and returns
// nil once Loki accepted all of them, a *sinks.PartialError once it
// accepted all but some it rejected (identified in its answer).
//
// A Send of the batch in flight with Attempt > 0 is a retry: it is built
// from the same cardinality-guard state (so it encodes to the same
// bytes), skips the tenants Loki already answered for and counts no entry
// dropped as too old again. The guard learns from a batch once it is
// done: answered for, permanently rejected, or followed by a different
// batch (the delivery loop gave up on it).
func (s *Sink) Send(ctx context.Context, b *sinks.Batch) error {
	s.begin(b)
	cutoff := s.tooOld(b.Entries)
	for _, r := range s.enc.build(b.Entries, cutoff, &s.guard, s.o.TenantID) {
		if s.batch.done[r.tenant] {
			continue
		}
		body, err := s.enc.encode(&r)
		if err != nil {
			s.end()
			return sinks.Permanent(fmt.Errorf("loki: encode: %w", err))
		}
		rejected, err := s.push(ctx, &r, body)
		if err != nil {
			if sinks.IsPermanent(err) {
				s.end()
			}
			return err
		}
		if s.batch.done == nil {
			s.batch.done = map[string]bool{}
		}
		s.batch.done[r.tenant] = true
		s.batch.rejected = append(s.batch.rejected, rejected...)
	}
	rejected := s.batch.rejected
	s.end()
	if len(rejected) == 0 {
		return nil
	}
	return sinks.Partial(fmt.Errorf("loki: status 400: %s", summary(reasonCounts(rejected))), rejected)
}

// begin starts the state of a new batch, unless b is a retry of the batch
// in flight; a batch still in flight is ended first.
func (s *Sink) begin(b *sinks.Batch) {
	if s.batch.active && b.Retry() && b.ID == s.batch.id {
		return
	}
	s.end()
	s.batch.active, s.batch.id = true, b.ID
}

// end closes the batch in flight: the guard applies what it learned from
// it, and the next Send starts a new batch.
func (s *Sink) end() {
	s.guard.commit()
	clear(s.batch.done)
	s.batch = batch{done: s.batch.done}
}

// tooOld returns the cut-off below which entries are older than Loki's
// reject_old_samples_max_age minus the margin, and counts the entries
// below it not counted by an earlier attempt at the same batch.
func (s *Sink) tooOld(entries []sinks.Entry) time.Time {
	cutoff := s.o.Now().Add(-(s.o.RejectOldSamplesMaxAge - s.o.OldMargin))
	if cutoff.Before(s.batch.cutoff) {
		cutoff = s.batch.cutoff // the clock stepped back: what was dropped stays dropped
	}
	s.batch.cutoff = cutoff
	n := 0
	for i := range entries {
		if entries[i].Time.Before(cutoff) {
			n++
		}
	}
	if n > s.batch.dropped {
		s.count(reasonTooOld, uint64(n-s.batch.dropped))
		s.batch.dropped = n
	}
	return cutoff
}

// push sends the body of request r and classifies Loki's answer.
func (s *Sink) push(ctx context.Context, r *request, body []byte) ([]sinks.Rejection, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.o.URL, bytes.NewReader(body))
	if err != nil {
		return nil, sinks.Permanent(fmt.Errorf("loki: %w", err))
	}
	if err := s.setHeaders(req, r.tenant); err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("loki: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return s.classify(resp.StatusCode, resp.Header.Get("Retry-After"), strings.TrimSpace(string(msg)), r)
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

// classify turns Loki's answer to request r into nil (accepted), the
// entries it rejected of a request it accepted in part, a retryable
// error (throttled when Loki said how long to wait), or a permanent one.
// Rejections are counted by reason. The error holds the status and the
// counts only: msg quotes label values and tenants.
func (s *Sink) classify(code int, retryAfter, msg string, r *request) ([]sinks.Rejection, error) {
	switch {
	case code/100 == 2 && code != statusIngestionBlocked:
		return nil, nil
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		err := fmt.Errorf("loki: status %d", code)
		if d, ok := parseRetryAfter(retryAfter, s.o.Now()); ok {
			return nil, sinks.Throttled(err, d)
		}
		return nil, err
	case code == statusIngestionBlocked || code == http.StatusRequestTimeout || code/100 == 5:
		return nil, fmt.Errorf("loki: status %d", code)
	}
	if code == http.StatusBadRequest {
		if rejected, ok := identify(msg, r); ok {
			for reason, n := range reasonCounts(rejected) {
				s.count(reason, n)
			}
			return rejected, nil
		}
	}
	counts := parseRejections(msg)
	for reason, n := range counts {
		s.count(reason, n)
	}
	if len(counts) == 0 {
		return nil, sinks.Permanent(fmt.Errorf("loki: status %d", code))
	}
	return nil, sinks.Permanent(fmt.Errorf("loki: status %d: %s", code, summary(counts)))
}

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date
// (a date in the past is no wait).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// reasonCounts counts rejections by reason.
func reasonCounts(rs []sinks.Rejection) map[string]uint64 {
	counts := map[string]uint64{}
	for _, r := range rs {
		counts[r.Reason]++
	}
	return counts
}

// summary renders rejection counts as "3 too_old, 1 line_too_long", the
// largest first.
func summary(counts map[string]uint64) string {
	reasons := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	var b []byte
	for i, r := range reasons {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendUint(b, counts[r], 10)
		b = append(append(b, ' '), r...)
	}
	return string(b)
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
