package lokipush

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// recorder is a Push that remembers its calls.
type recorder struct {
	mu      sync.Mutex
	calls   int
	tenant  string
	streams []Stream
	err     error
}

func (r *recorder) push(_ context.Context, tenant string, streams []Stream) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	r.tenant, r.streams = tenant, streams
	return r.err
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// server starts the handler; logs collects everything it logs.
func server(t *testing.T, o Options) (url string, logs *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	o.Logger = zap.New(core)
	srv := httptest.NewServer(NewHandler(o))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { assertLogsClean(t, logs) })
	return srv.URL, logs
}

// assertLogsClean fails if any log entry quotes the planted secret.
func assertLogsClean(t *testing.T, logs *observer.ObservedLogs) {
	t.Helper()
	for _, e := range logs.All() {
		if s := fmt.Sprint(e.Message, e.ContextMap()); strings.Contains(s, "alice") {
			t.Errorf("log entry quotes record content: %s", s)
		}
	}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url string, body io.Reader, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func postProto(t *testing.T, url string, header ...string) reply {
	t.Helper()
	return do(t, http.MethodPost, url+PushPath, bytes.NewReader(sampleProto(t)), append([]string{"Content-Type", ctProto}, header...)...)
}

func TestHandlerAnswersOnlyAfterPush(t *testing.T) {
	called, release := make(chan []Stream, 1), make(chan struct{})
	url, _ := server(t, Options{Push: func(_ context.Context, _ string, s []Stream) error {
		called <- s
		<-release
		return nil
	}})
	done := make(chan reply, 1)
	go func() { done <- postProto(t, url) }()
	select {
	case s := <-called:
		equalStreams(t, s, sampleWant())
	case <-time.After(5 * time.Second):
		t.Fatal("Push not called")
	}
	select {
	case r := <-done:
		t.Fatalf("answered %d before Push returned", r.status)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if r := <-done; r.status != http.StatusNoContent || r.body != "" {
		t.Fatalf("answer %d %q, want 204 without body", r.status, r.body)
	}
}

func TestHandlerTenant(t *testing.T) {
	rec := &recorder{}
	url, _ := server(t, Options{Push: rec.push})
	for _, tenant := range []string{"", "team-a", "fake", "A.b_c-d!*'()9", strings.Repeat("t", MaxTenantIDLength)} {
		if r := postProto(t, url, "X-Scope-OrgID", tenant); r.status != http.StatusNoContent {
			t.Fatalf("tenant %q: answer %d %q", tenant, r.status, r.body)
		}
		if rec.tenant != tenant {
			t.Errorf("Push got tenant %q, want %q", rec.tenant, tenant)
		}
	}
}

func TestHandlerBadTenant(t *testing.T) {
	rec := &recorder{}
	url, _ := server(t, Options{Push: rec.push})
	for tenant, want := range map[string]string{
		"a|b":                                    "multiple tenants",
		".":                                      `are not "." or ".."`,
		"..":                                     `are not "." or ".."`,
		strings.Repeat("t", MaxTenantIDLength+1): "1 to 150 characters",
		"a:b":                                    "(character 2)",
		"a b":                                    "(character 2)",
		"a/b":                                    "may hold only",
		"ü":                                      "(character 1)",
	} {
		r := postProto(t, url, "X-Scope-OrgID", tenant)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, want) {
			t.Errorf("tenant %q: answer %d %q, want 400 with %q", tenant, r.status, r.body, want)
		}
	}
	if n := rec.count(); n != 0 {
		t.Errorf("Push called %d times", n)
	}
}

func TestHandlerBadRequestHidesContent(t *testing.T) {
	rec := &recorder{}
	url, logs := server(t, Options{Push: rec.push})
	bodies := []struct{ ct, ce, body string }{
		{ctProto, "", secret},
		{"", "", `{"streams":[{"stream":{"a":"b"},"values":[["1","` + secret + `"]]}]}`},
		{ctJSON, "", `{"streams":[{"stream":{"a":"b"},"values":[["` + secret + `","x"]]}]}`},
		{ctJSON, "", `{"streams":[{"stream":{"user":"` + secret + `"},"values":[["1",` + secret + `]]}]}`},
		{ctJSON, "", `{"streams":[{"stream":{"` + secret + `":"x"}}]}`},
		{ctJSON, "", `{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"` + secret + `":1}]]}]}`},
		{ctJSON, "gzip", secret},
		{"text/" + secret, "", "x"},
	}
	for _, b := range bodies {
		r := do(t, http.MethodPost, url+PushPath, strings.NewReader(b.body), "Content-Type", b.ct, "Content-Encoding", b.ce)
		if r.status != http.StatusBadRequest {
			t.Errorf("body %q: answer %d, want 400", b.body, r.status)
		}
		if strings.Contains(r.body, "alice") || !strings.HasPrefix(r.body, "invalid push request: ") {
			t.Errorf("body %q: answer %q quotes content or does not say what is wrong", b.body, r.body)
		}
	}
	if n := rec.count(); n != 0 {
		t.Errorf("Push called %d times", n)
	}
	if logs.FilterMessage("push request rejected").Len() != len(bodies) {
		t.Errorf("rejections not logged: %v", logs.All())
	}
}

func TestHandlerAuth(t *testing.T) {
	rec := &recorder{}
	url, _ := server(t, Options{Push: rec.push, BearerToken: "s3cret"})
	for _, auth := range []string{"", "Bearer", "Bearer wrong", "Bearer s3cret2", "Basic s3cret", "s3cret"} {
		r := postProto(t, url, "Authorization", auth)
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: answer %d, want 401 with WWW-Authenticate", auth, r.status)
		}
	}
	if n := rec.count(); n != 0 {
		t.Errorf("Push called %d times", n)
	}
	for _, auth := range []string{"Bearer s3cret", "bearer s3cret"} {
		if r := postProto(t, url, "Authorization", auth); r.status != http.StatusNoContent {
			t.Errorf("Authorization %q: answer %d %q, want 204", auth, r.status, r.body)
		}
	}
}

func TestHandlerMethodsAndPaths(t *testing.T) {
	url, _ := server(t, Options{Push: (&recorder{}).push, BearerToken: "x"})
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, PushPath, http.StatusMethodNotAllowed, "POST"},
		{http.MethodPut, LegacyPushPath, http.StatusMethodNotAllowed, "POST"},
		{http.MethodPost, ReadyPath, http.StatusMethodNotAllowed, "GET, HEAD"},
		{http.MethodGet, ReadyPath, http.StatusOK, ""},
		{http.MethodHead, ReadyPath, http.StatusOK, ""},
		{http.MethodPost, "/loki/api/v1/pushx", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		r := do(t, tt.method, url+tt.path, nil)
		if r.status != tt.status || r.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: answer %d Allow %q, want %d Allow %q", tt.method, tt.path, r.status, r.header.Get("Allow"), tt.status, tt.allow)
		}
	}
}

func TestHandlerLegacyPath(t *testing.T) {
	rec := &recorder{}
	url, _ := server(t, Options{Push: rec.push})
	body := `{"streams":[{"labels":"{job=\"x\"}","entries":[{"ts":"2019-10-11T18:23:58.123456789Z","line":"hello"}]}]}`
	r := do(t, http.MethodPost, url+LegacyPushPath, strings.NewReader(body), "Content-Type", ctJSON)
	if r.status != http.StatusNoContent {
		t.Fatalf("answer %d %q", r.status, r.body)
	}
	equalStreams(t, rec.streams, []Stream{{Labels: lbls("job", "x"), Entries: []Entry{{Time: t1, Line: []byte("hello")}}}})
}

func TestHandlerNoEntriesSkipsPush(t *testing.T) {
	rec := &recorder{}
	url, _ := server(t, Options{Push: rec.push})
	for _, body := range []string{`{"streams":[]}`, `{}`, `{"streams":[{"stream":{"a":"b"},"values":[]}]}`} {
		r := do(t, http.MethodPost, url+PushPath, strings.NewReader(body), "Content-Type", ctJSON)
		if r.status != http.StatusNoContent {
			t.Errorf("body %s: answer %d %q", body, r.status, r.body)
		}
	}
	if n := rec.count(); n != 0 {
		t.Errorf("Push called %d times", n)
	}
}

func TestHandlerTooLarge(t *testing.T) {
	rec := &recorder{}
	url, _ := server(t, Options{Push: rec.push, MaxBodyBytes: 1 << 10})
	big := `{"streams":[]}` + strings.Repeat(" ", 4<<10)
	// Known length, and chunked (the handler only finds out by reading).
	for _, body := range []io.Reader{strings.NewReader(big), io.MultiReader(strings.NewReader(big))} {
		if r := do(t, http.MethodPost, url+PushPath, body, "Content-Type", ctJSON); r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("answer %d %q, want 413", r.status, r.body)
		}
	}
	// Decompressed beyond the limit.
	r := do(t, http.MethodPost, url+PushPath, bytes.NewReader(gzipBytes(t, []byte(big))), "Content-Type", ctJSON, "Content-Encoding", "gzip")
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("gzip: answer %d %q, want 413", r.status, r.body)
	}
	if n := rec.count(); n != 0 {
		t.Errorf("Push called %d times", n)
	}
}

// gzipBomb is 100 MiB of zeros, gzip-compressed (about 100 KiB).
var gzipBomb = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	chunk := make([]byte, 1<<20)
	for range 100 {
		_, _ = zw.Write(chunk)
	}
	_ = zw.Close()
	return buf.Bytes()
})

func TestHandlerGzipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100 MiB of zeros")
	}
	rec := &recorder{}
	url, _ := server(t, Options{Push: rec.push})
	for _, ct := range []string{ctJSON, ctProto} {
		r := do(t, http.MethodPost, url+PushPath, bytes.NewReader(gzipBomb()), "Content-Type", ct, "Content-Encoding", "gzip")
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "exceeds 16777216 bytes") {
			t.Errorf("%s: answer %d %q, want 413", ct, r.status, r.body)
		}
	}
	if n := rec.count(); n != 0 {
		t.Errorf("Push called %d times", n)
	}
}

func TestHandlerPushErrors(t *testing.T) {
	var pushErr atomic.Pointer[error]
	set := func(err error) { pushErr.Store(&err) }
	url, logs := server(t, Options{Push: func(context.Context, string, []Stream) error {
		return *pushErr.Load()
	}})
	set(fmt.Errorf("spool: %w", ErrBusy))
	r := postProto(t, url)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
		t.Errorf("ErrBusy: answer %d Retry-After %q, want 429 and 1", r.status, r.header.Get("Retry-After"))
	}
	set(errors.New("spool: disk /var/lib/tarn broken"))
	r = postProto(t, url)
	if r.status != http.StatusInternalServerError || strings.Contains(r.body, "disk") {
		t.Errorf("other error: answer %d %q, want 500 with a generic message", r.status, r.body)
	}
	if logs.FilterMessage("push failed").FilterField(zap.Error(*pushErr.Load())).Len() != 1 {
		t.Errorf("push failure not logged with its error: %v", logs.All())
	}
}
