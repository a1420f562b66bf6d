package loki

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang/snappy"
	"github.com/grafana/loki/pkg/push"

	"github.com/tarn-project/tarn/sinks"
)

// These tests look at the requests the sink builds and at how it reads
// answers Loki cannot be made to give; partial_test.go pushes to a real
// Loki, and the end-to-end behaviour of the agent against a real Loki is
// tested in the agent package (agent/loki_test.go, with
// sinks/loki/lokitest).

var now = time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)

// recorder is an HTTP endpoint that records request bodies and answers
// with the status codes of its script (204 once the script is used up).
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
	heads  []http.Header
	script []int
	msg    string
	header http.Header // sent with every answer but 204
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies = append(r.bodies, b)
	r.heads = append(r.heads, req.Header.Clone())
	code := http.StatusNoContent
	if len(r.script) > 0 {
		code, r.script = r.script[0], r.script[1:]
	}
	if code != http.StatusNoContent {
		maps.Copy(w.Header(), r.header)
	}
	w.WriteHeader(code)
	if code != http.StatusNoContent {
		_, _ = io.WriteString(w, r.msg)
	}
}

func newSink(t *testing.T, rec *recorder, o Options) *Sink {
	t.Helper()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	o.URL = srv.URL + "/loki/api/v1/push"
	if o.Now == nil {
		o.Now = func() time.Time { return now }
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decode(t *testing.T, body []byte) push.PushRequest {
	t.Helper()
	raw, err := snappy.Decode(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	var pr push.PushRequest
	if err := pr.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	return pr
}

func entry(sec int, line string, labels ...string) sinks.Entry {
	e := sinks.Entry{Time: now.Add(time.Duration(sec) * time.Second), Line: []byte(line),
		Metadata: []sinks.Label{{Name: "client", Value: "c" + line}}}
	for i := 0; i+1 < len(labels); i += 2 {
		e.Labels = append(e.Labels, sinks.Label{Name: labels[i], Value: labels[i+1]})
	}
	return e
}

// send hands s a batch of entries with the given identity.
func send(s *Sink, id string, attempt int, entries []sinks.Entry) error {
	return s.Send(context.Background(), &sinks.Batch{ID: id, Attempt: attempt, Entries: entries})
}

func TestRequestShape(t *testing.T) {
	rec := &recorder{}
	s := newSink(t, rec, Options{TenantID: "default", ExternalLabels: []sinks.Label{{Name: "cluster", Value: "eu1"}, {Name: "job", Value: "ext"}}})
	batch := []sinks.Entry{
		entry(-1, "b2", "job", "web", "input", "b"),
		entry(-3, "a1", "job", "web", "input", "a"),
		entry(-2, "b1", "job", "web", "input", "b"),
		entry(-9, "t1", "job", "web", "input", "a"),
	}
	batch[3].Tenant = "customer-a"
	if err := send(s, "b1", 0, batch); err != nil {
		t.Fatal(err)
	}
	if len(rec.bodies) != 2 {
		t.Fatalf("%d requests, want one per tenant (2)", len(rec.bodies))
	}
	// Tenants in order: customer-a, default.
	if got := rec.heads[0].Get("X-Scope-OrgID"); got != "customer-a" {
		t.Errorf("first tenant %q", got)
	}
	if got := rec.heads[1].Get("Content-Type"); got != "application/x-protobuf" {
		t.Errorf("content type %q", got)
	}
	pr := decode(t, rec.bodies[1])
	var got []string
	for _, st := range pr.Streams {
		for _, e := range st.Entries {
			got = append(got, st.Labels+" "+e.Line+" "+e.StructuredMetadata[0].Value)
		}
	}
	want := []string{
		`{cluster="eu1", input="a", job="web"} a1 ca1`,
		`{cluster="eu1", input="b", job="web"} b1 cb1`,
		`{cluster="eu1", input="b", job="web"} b2 cb2`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("streams:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Metadata names LogQL cannot name (OTLP attributes) are sent with '_'
// for the other characters, as Loki's OTLP endpoint does.
func TestMetadataNamesSanitized(t *testing.T) {
	rec := &recorder{}
	s := newSink(t, rec, Options{})
	e := entry(-1, "l", "job", "web")
	e.Metadata = []sinks.Label{{Name: "http.response.status_code", Value: "200"}, {Name: "trace_id", Value: "ab"}, {Name: "1st", Value: "x"}}
	if err := send(s, "b1", 0, []sinks.Entry{e}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range decode(t, rec.bodies[0]).Streams[0].Entries[0].StructuredMetadata {
		got = append(got, m.Name+"="+m.Value)
	}
	if strings.Join(got, " ") != "http_response_status_code=200 trace_id=ab _st=x" {
		t.Fatalf("metadata %v", got)
	}
}

func TestResendIsByteIdentical(t *testing.T) {
	rec := &recorder{script: []int{500}}
	s := newSink(t, rec, Options{})
	batch := []sinks.Entry{entry(-2, "x", "job", "a"), entry(-1, "y", "job", "b"), entry(-3, "z", "job", "a")}
	if err := send(s, "b1", 0, batch); err == nil || sinks.IsPermanent(err) {
		t.Fatalf("500 must be a retryable error, got %v", err)
	}
	if err := send(s, "b1", 1, batch); err != nil {
		t.Fatal(err)
	}
	// A fresh sink (after a restart) sends the same bytes too.
	s2 := newSink(t, rec, Options{})
	if err := send(s2, "b1", 0, batch); err != nil {
		t.Fatal(err)
	}
	if len(rec.bodies) != 3 || !bytes.Equal(rec.bodies[0], rec.bodies[1]) || !bytes.Equal(rec.bodies[0], rec.bodies[2]) {
		t.Fatalf("re-sends differ (%d bodies)", len(rec.bodies))
	}
}

func TestRetryOnlyTheTenantsNotAccepted(t *testing.T) {
	rec := &recorder{script: []int{204, 503}}
	s := newSink(t, rec, Options{})
	batch := []sinks.Entry{entry(0, "x", "job", "a"), entry(0, "y", "job", "a")}
	batch[0].Tenant, batch[1].Tenant = "t1", "t2"
	if err := send(s, "b1", 0, batch); err == nil {
		t.Fatal("want an error for t2's 503")
	}
	if err := send(s, "b1", 1, batch); err != nil {
		t.Fatal(err)
	}
	var tenants []string
	for _, h := range rec.heads {
		tenants = append(tenants, h.Get("X-Scope-OrgID"))
	}
	if strings.Join(tenants, ",") != "t1,t2,t2" {
		t.Errorf("requests went to %v, want t1,t2,t2", tenants)
	}
}

// A Send is a retry of the batch in flight when it has its ID and an
// Attempt above 0: then it skips the tenants Loki accepted. Attempt 0, or
// another ID, is a new batch, sent in full.
func TestRetryRecognisedByID(t *testing.T) {
	rec := &recorder{script: []int{204, 503, 204, 204, 503}}
	s := newSink(t, rec, Options{})
	batch := []sinks.Entry{entry(0, "x", "job", "a"), entry(0, "y", "job", "a")}
	batch[0].Tenant, batch[1].Tenant = "t1", "t2"
	for _, c := range []struct {
		id      string
		attempt int
		ok      bool
	}{{"b1", 0, false}, {"b1", 1, true}, {"b1", 0, false}, {"b2", 1, true}} {
		if err := send(s, c.id, c.attempt, batch); (err == nil) != c.ok {
			t.Fatalf("batch %s attempt %d: %v", c.id, c.attempt, err)
		}
	}
	var tenants []string
	for _, h := range rec.heads {
		tenants = append(tenants, h.Get("X-Scope-OrgID"))
	}
	// b1: t1 ok, t2 503; retry: t2. b1 attempt 0 (a new batch): t1, t2 503.
	// b2 attempt 1, not the batch in flight: t1, t2.
	if strings.Join(tenants, ",") != "t1,t2,t2,t1,t2,t1,t2" {
		t.Errorf("requests went to %v", tenants)
	}
}

// A tenant's partial acceptance is kept while another tenant's request is
// retried; the retry returns it (Loki cannot be made to fail one tenant
// with 503, so this is a recorder).
func TestPartialKeptAcrossRetry(t *testing.T) {
	msg := "max entry size '100' bytes exceeded for stream '{job=\"a\"}' while adding an entry with length '150' bytes"
	rec := &recorder{script: []int{400, 503}, msg: msg}
	s := newSink(t, rec, Options{})
	batch := []sinks.Entry{entry(0, "ok", "job", "a"), entry(0, strings.Repeat("x", 150), "job", "a"), entry(0, "y", "job", "a")}
	batch[0].Tenant, batch[1].Tenant, batch[2].Tenant = "t1", "t1", "t2"
	if err := send(s, "b1", 0, batch); err == nil || sinks.IsPermanent(err) {
		t.Fatalf("t2's 503: want a retryable error, got %v", err)
	}
	err := send(s, "b1", 1, batch)
	p, ok := sinks.AsPartial(err)
	if !ok || len(p.Rejected) != 1 || p.Rejected[0] != (sinks.Rejection{Index: 1, Reason: reasonLineTooLong}) {
		t.Fatalf("retry: %v, want entry 1 rejected", err)
	}
	if err.Error() != "partially rejected: loki: status 400: 1 line_too_long" {
		t.Errorf("error %q", err)
	}
	if len(rec.heads) != 3 || rec.heads[2].Get("X-Scope-OrgID") != "t2" {
		t.Errorf("%d requests; the retry must go to t2 only", len(rec.heads))
	}
	if got := s.Report().Rejected[reasonLineTooLong]; got != 1 {
		t.Errorf("line_too_long counted %d times", got)
	}
}

// 429 and 503 with Retry-After (seconds or an HTTP date) are throttled
// errors carrying the wait; without it, or unreadable, plain retryable
// ones. Loki itself sends no Retry-After; proxies and gateways in front
// of it do.
func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		code  int
		after string
		wait  time.Duration // -1: not throttled
	}{
		{429, "7", 7 * time.Second},
		{503, now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{503, now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{429, "", -1},
		{503, "soon", -1},
		{503, "-3", -1},
		{500, "7", -1},
	} {
		rec := &recorder{script: []int{c.code}, header: http.Header{}}
		if c.after != "" {
			rec.header.Set("Retry-After", c.after)
		}
		s := newSink(t, rec, Options{})
		err := send(s, "b1", 0, []sinks.Entry{entry(0, "x", "job", "a")})
		d, throttled := sinks.RetryAfter(err)
		if err == nil || sinks.IsPermanent(err) || throttled != (c.wait >= 0) || (throttled && d != c.wait) {
			t.Errorf("%d Retry-After %q: %v (throttled %v, %s), want wait %s", c.code, c.after, err, throttled, d, c.wait)
		}
		if err != nil && err.Error() != fmt.Sprintf("loki: status %d", c.code) {
			t.Errorf("error %q", err)
		}
	}
}

func TestStatusClasses(t *testing.T) {
	for _, c := range []struct {
		code      int
		ok, perma bool
	}{
		{200, true, false}, {204, true, false}, {260, false, false}, {429, false, false},
		{500, false, false}, {503, false, false}, {408, false, false},
		{400, false, true}, {401, false, true}, {404, false, true}, {413, false, true},
	} {
		rec := &recorder{script: []int{c.code}, msg: "nope"}
		s := newSink(t, rec, Options{})
		err := send(s, "b1", 0, []sinks.Entry{entry(0, "x", "job", "a")})
		if (err == nil) != c.ok || sinks.IsPermanent(err) != c.perma {
			t.Errorf("status %d: err %v (permanent %v), want ok=%v permanent=%v", c.code, err, sinks.IsPermanent(err), c.ok, c.perma)
		}
	}
}

func TestRejectionsCounted(t *testing.T) {
	msg := "2 errors like: max entry size '1024' bytes exceeded for stream '{job=\"a\"}' while adding an entry with length '2000' bytes; " +
		"entry for stream '{job=\"a\"}' has timestamp too new: 2026-11-21T00:00:00Z"
	rec := &recorder{script: []int{400}, msg: msg}
	s := newSink(t, rec, Options{})
	err := send(s, "b1", 0, []sinks.Entry{entry(0, "x", "job", "a")})
	if !sinks.IsPermanent(err) {
		t.Fatalf("400 must be permanent, got %v", err)
	}
	r := s.Report().Rejected
	if r[reasonLineTooLong] != 2 || r[reasonTooNew] != 1 || len(r) != 2 {
		t.Errorf("rejections %v", r)
	}
}

func TestParseRejections(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want string
	}{
		{"entry for stream '{a=\"b\"}' has timestamp too old: 2026-01-01, oldest acceptable timestamp is: 2026-11-13", "too_old=1"},
		{"3 errors like: entry for stream '{a=\"x; y\"}' has timestamp too old: t, oldest acceptable timestamp is: u", "too_old=3"},
		{"stream '{a=\"b\"}' has label value too long: 'xxx'", "invalid_labels=1"},
		{"stream '{a=\"b\"}' has structured metadata too large: '70000' bytes, limit: '65536' bytes", "structured_metadata=1"},
		{"something new", "other=1"},
	} {
		var parts []string
		for k, v := range parseRejections(c.msg) {
			parts = append(parts, fmt.Sprintf("%s=%d", k, v))
		}
		if strings.Join(parts, ",") != c.want {
			t.Errorf("%q: %v, want %s", c.msg, parts, c.want)
		}
	}
}

func TestTooOldDroppedAndCounted(t *testing.T) {
	rec := &recorder{}
	s := newSink(t, rec, Options{RejectOldSamplesMaxAge: time.Hour, OldMargin: 10 * time.Minute})
	batch := []sinks.Entry{entry(-3600, "old"), entry(-51*60, "almost"), entry(-49*60, "fresh")}
	for i := range batch {
		batch[i].Labels = []sinks.Label{{Name: "job", Value: "a"}}
	}
	if err := send(s, "b1", 0, batch); err != nil {
		t.Fatal(err)
	}
	pr := decode(t, rec.bodies[0])
	if n := len(pr.Streams[0].Entries); n != 1 || pr.Streams[0].Entries[0].Line != "fresh" {
		t.Errorf("sent %d entries, want only the fresh one", n)
	}
	if got := s.Report().Rejected[reasonTooOld]; got != 2 {
		t.Errorf("too_old = %d, want 2", got)
	}
}

// fileBatch is n entries from n files (labels job, filename, bad-name),
// lines first, first+1, ...
func fileBatch(first, n int) []sinks.Entry {
	var batch []sinks.Entry
	for i := first; i < first+n; i++ {
		batch = append(batch, entry(i, fmt.Sprint(i), "job", "web", "filename", fmt.Sprintf("/var/log/f%d.log", i), "bad-name", "v"))
	}
	return batch
}

// movedFilenames checks a request's label names and returns how many of
// its entries carry filename as structured metadata.
func movedFilenames(t *testing.T, pr push.PushRequest) int {
	t.Helper()
	var moved int
	for _, st := range pr.Streams {
		if strings.Contains(st.Labels, "bad-name") || !strings.Contains(st.Labels, `bad_name="v"`) {
			t.Errorf("label name not fixed: %s", st.Labels)
		}
		for _, e := range st.Entries {
			for _, m := range e.StructuredMetadata {
				if m.Name == "filename" {
					moved++
					if strings.Contains(st.Labels, "filename") {
						t.Errorf("filename both label and metadata: %s", st.Labels)
					}
				}
			}
		}
	}
	return moved
}

// A label passing the limit within a batch stays a label for that whole
// batch and is moved from the next batch on.
func TestCardinalityGuard(t *testing.T) {
	rec := &recorder{}
	s := newSink(t, rec, Options{MaxLabelValues: 2})
	if err := send(s, "b1", 0, fileBatch(0, 4)); err != nil {
		t.Fatal(err)
	}
	if moved := movedFilenames(t, decode(t, rec.bodies[0])); moved != 0 || s.Report().LabelsDemoted != 1 {
		t.Errorf("first batch: moved %d entries' filename, demoted %d; want 0 and 1", moved, s.Report().LabelsDemoted)
	}
	if err := send(s, "b2", 0, fileBatch(4, 3)); err != nil {
		t.Fatal(err)
	}
	if moved := movedFilenames(t, decode(t, rec.bodies[1])); moved != 3 || s.Report().LabelsDemoted != 1 {
		t.Errorf("second batch: moved %d entries' filename, demoted %d; want 3 and 1", moved, s.Report().LabelsDemoted)
	}
}

// A batch that passes the label limit midway is sent the same on retry.
func TestCardinalityGuardRetryIsByteIdentical(t *testing.T) {
	rec := &recorder{script: []int{500, 503}}
	s := newSink(t, rec, Options{MaxLabelValues: 2})
	batch := fileBatch(0, 4)
	for try := range 2 {
		if err := send(s, "b1", try, batch); err == nil || sinks.IsPermanent(err) {
			t.Fatalf("want a retryable error, got %v", err)
		}
	}
	if err := send(s, "b1", 2, batch); err != nil {
		t.Fatal(err)
	}
	if len(rec.bodies) != 3 || !bytes.Equal(rec.bodies[0], rec.bodies[1]) || !bytes.Equal(rec.bodies[0], rec.bodies[2]) {
		t.Fatalf("retries differ (%d bodies)", len(rec.bodies))
	}
	if d := s.Report().LabelsDemoted; d != 1 {
		t.Errorf("demoted %d, want 1", d)
	}
}

// Entries dropped as too old are counted once per batch, however often
// it is retried; an entry that ages out between attempts is dropped (and
// counted) from then on.
func TestTooOldCountedOncePerBatch(t *testing.T) {
	rec := &recorder{script: []int{500, 500}}
	clock := now
	s := newSink(t, rec, Options{RejectOldSamplesMaxAge: time.Hour, OldMargin: 10 * time.Minute,
		Now: func() time.Time { return clock }})
	batch := []sinks.Entry{entry(-2*3600, "old", "job", "a"), entry(-90*60, "older", "job", "a"),
		entry(-49*60, "edge", "job", "a"), entry(-60, "fresh", "job", "a")}
	for try := range 2 {
		if err := send(s, "b1", try, batch); err == nil || sinks.IsPermanent(err) {
			t.Fatalf("try %d: want a retryable error, got %v", try, err)
		}
		if got := s.Report().Rejected[reasonTooOld]; got != 2 {
			t.Errorf("try %d: too_old = %d, want 2", try, got)
		}
	}
	if !bytes.Equal(rec.bodies[0], rec.bodies[1]) {
		t.Error("retry differs")
	}
	clock = now.Add(2 * time.Minute) // "edge" is now 51m old
	if err := send(s, "b1", 2, batch); err != nil {
		t.Fatal(err)
	}
	if got := s.Report().Rejected[reasonTooOld]; got != 3 {
		t.Errorf("too_old = %d after edge aged out, want 3", got)
	}
	if es := decode(t, rec.bodies[2]).Streams[0].Entries; len(es) != 1 || es[0].Line != "fresh" {
		t.Errorf("last try sent %v, want only fresh", es)
	}
	// The next batch counts its own old entries.
	if err := send(s, "b2", 0, batch[:1]); err != nil {
		t.Fatal(err)
	}
	if got := s.Report().Rejected[reasonTooOld]; got != 4 {
		t.Errorf("too_old = %d after the next batch, want 4", got)
	}
}

// Loki's answer quotes stream selectors and tenants, and a proxy's can hold
// anything: errors hold the status and the counts, never the text.
func TestErrorsHoldNoResponseText(t *testing.T) {
	for _, c := range []struct {
		code int
		msg  string
		want string
	}{
		{400, "entry for stream '{user=\"alice\"}' has timestamp too old: 2026-01-01, oldest acceptable timestamp is: 2026-11-13; " +
			"3 errors like: max entry size '1024' bytes exceeded for stream '{user=\"alice\"}' while adding an entry with length '2000' bytes; " +
			"entry for stream '{user=\"alice\"}' has timestamp too old: 2026-01-02, oldest acceptable timestamp is: 2026-11-13",
			"loki: status 400: 3 line_too_long, 2 too_old"},
		{400, "tenant alice-gmbh: something new about {user=\"alice\"}", "loki: status 400: 1 other"},
		{401, "no org id for alice", "loki: status 401: 1 other"},
		{404, "", "loki: status 404"},
		{500, "<html>proxy error for {user=\"alice\"}</html>", "loki: status 500"},
		{429, "Ingestion rate limit exceeded for user alice-gmbh", "loki: status 429"},
	} {
		rec := &recorder{script: []int{c.code}, msg: c.msg}
		s := newSink(t, rec, Options{})
		err := send(s, "b1", 0, []sinks.Entry{entry(0, "x", "job", "a")})
		if err == nil || strings.Contains(err.Error(), "alice") || err.Error() != c.want {
			t.Errorf("status %d: error %q, want %q", c.code, err, c.want)
		}
	}
}

func TestJSONEncoding(t *testing.T) {
	rec := &recorder{}
	s := newSink(t, rec, Options{JSON: true})
	if err := send(s, "b1", 0, []sinks.Entry{entry(0, "line \"quoted\"", "job", "a")}); err != nil {
		t.Fatal(err)
	}
	var body struct {
		Streams []struct {
			Stream map[string]string `json:"stream"`
			Values [][]any           `json:"values"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(rec.bodies[0], &body); err != nil {
		t.Fatal(err)
	}
	v := body.Streams[0].Values[0]
	if body.Streams[0].Stream["job"] != "a" || v[0] != fmt.Sprint(now.UnixNano()) || v[1] != `line "quoted"` ||
		v[2].(map[string]any)["client"] != `cline "quoted"` {
		t.Errorf("json body %s", rec.bodies[0])
	}
	if rec.heads[0].Get("Content-Type") != "application/json" {
		t.Error("content type")
	}
}

func TestAuthHeaders(t *testing.T) {
	rec := &recorder{}
	tok := t.TempDir() + "/token"
	if err := writeFile(tok, "s3cret\n"); err != nil {
		t.Fatal(err)
	}
	s := newSink(t, rec, Options{BearerTokenFile: tok, Headers: map[string]string{"X-Extra": "1"}})
	if err := send(s, "b1", 0, []sinks.Entry{entry(0, "x", "job", "a")}); err != nil {
		t.Fatal(err)
	}
	if h := rec.heads[0]; h.Get("Authorization") != "Bearer s3cret" || h.Get("X-Extra") != "1" {
		t.Errorf("headers %v", h)
	}
	s2 := newSink(t, rec, Options{Username: "u", Password: "p"})
	if err := send(s2, "b1", 0, []sinks.Entry{entry(0, "x", "job", "a")}); err != nil {
		t.Fatal(err)
	}
	if u, p, ok := (&http.Request{Header: rec.heads[1]}).BasicAuth(); !ok || u != "u" || p != "p" {
		t.Errorf("basic auth %q %q %v", u, p, ok)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
