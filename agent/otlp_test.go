package agent

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// otlpConfig writes a configuration with one otlp input (gRPC and HTTP)
// and an NDJSON file sink.
// endpoint is added to both endpoints' mappings (e.g. a tls key), extra
// to the input.
func otlpConfig(t *testing.T, dir, grpcAddr, httpAddr, endpoint, extra string) string {
	t.Helper()
	os.WriteFile(filepath.Join(dir, "token"), []byte("s3cret-token\n"), 0o600)
	body := fmt.Sprintf(`data_dir: data
rules: builtin:default
inputs:
  - name: otel
    type: otlp
    grpc: {listen: %q%s}
    http: {listen: %q%s}
    bearer_token_file: token
    labels: {via: tarn}
%ssinks:
  - name: archive
    type: file
    path: out
    format: ndjson
server: {listen: ""}
`, grpcAddr, endpoint, httpAddr, endpoint, extra)
	p := filepath.Join(dir, "tarn.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// otlpEntry is one line of the NDJSON file sink.
type otlpEntry struct {
	Time     time.Time         `json:"time"`
	Tenant   string            `json:"tenant"`
	Labels   map[string]string `json:"labels"`
	Line     string            `json:"line"`
	Metadata map[string]string `json:"metadata"`
}

// otlpOutput parses the file sink's NDJSON.
func otlpOutput(t *testing.T, s *setup) []otlpEntry {
	t.Helper()
	var out []otlpEntry
	for _, l := range s.output(t) {
		var e otlpEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		out = append(out, e)
	}
	return out
}

// The personal data the senders put in bodies and attributes; none of it
// may reach the output.
var otlpSecrets = []string{"alice@example.com", "203.0.113.77", "bob@example.org", "198.51.100.23", "Bearer eyJhbGciOi", "tok_live_4f9d8a7b6c5e", "u-4711"}

// emit sends n numbered records through an OpenTelemetry SDK logger
// provider with exporter exp, then flushes and shuts it down.
func emit(t *testing.T, exp sdklog.Exporter, via string, n int, at time.Time) {
	t.Helper()
	res := resource.NewSchemaless(attribute.String("service.name", "checkout"), attribute.String("k8s.namespace.name", "shop"),
		attribute.String("host.name", "web-1"), attribute.String("owner.email", "bob@example.org"))
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewBatchProcessor(exp, sdklog.WithExportInterval(50*time.Millisecond))))
	lg := lp.Logger("shop/auth", otellog.WithInstrumentationVersion("1.2.3"))
	for i := range n {
		var r otellog.Record
		r.SetTimestamp(at.Add(time.Duration(i) * time.Millisecond))
		r.SetSeverity(otellog.SeverityWarn)
		r.SetSeverityText("WARN")
		r.SetBody(attribute.StringValue(fmt.Sprintf("login failed for alice@example.com from 203.0.113.77 seq=%s-%d", via, i)))
		r.AddAttributes(
			attribute.String("user.email", "alice@example.com"),
			attribute.String("client.address", "198.51.100.23"),
			attribute.String("enduser.id", "u-4711"),
			attribute.String("http.request.header.authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"),
			attribute.String("url.full", "https://shop.example/pay?token=tok_live_4f9d8a7b6c5e&step=2"),
			attribute.Int("http.response.status_code", 401),
			attribute.Map("session", attribute.String("sid", "tok_live_4f9d8a7b6c5e")),
		)
		lg.Emit(context.Background(), r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := lp.ForceFlush(ctx); err != nil {
		t.Fatalf("%s: flush: %v", via, err)
	}
	if err := lp.Shutdown(ctx); err != nil {
		t.Fatalf("%s: shutdown: %v", via, err)
	}
}

// TestOTLPFromSDKExporters sends records with e-mails, IPs and tokens in
// body and attributes through the OpenTelemetry Go SDK's OTLP/HTTP and
// OTLP/gRPC log exporters and checks that each arrives once, anonymized,
// with its resource labels, metadata and time.
func TestOTLPFromSDKExporters(t *testing.T) {
	grpcAddr, httpAddr := freePort(t), freePort(t)
	s := start(t, otlpConfig(t, t.TempDir(), grpcAddr, httpAddr, "", "    tenant_attribute: k8s.namespace.name\n    tenant_map: {shop: customer-shop}\n"), Options{})
	waitListening(t, grpcAddr)
	waitListening(t, httpAddr)
	at := time.Now().Add(-time.Minute).UTC().Truncate(time.Millisecond)
	auth := map[string]string{"Authorization": "Bearer s3cret-token"}
	ctx := context.Background()
	hexp, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(httpAddr), otlploghttp.WithInsecure(), otlploghttp.WithHeaders(auth),
		otlploghttp.WithCompression(otlploghttp.GzipCompression))
	if err != nil {
		t.Fatal(err)
	}
	gexp, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(grpcAddr), otlploggrpc.WithInsecure(), otlploggrpc.WithHeaders(auth),
		otlploggrpc.WithCompressor("gzip"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	emit(t, hexp, "http", n, at)
	emit(t, gexp, "grpc", n, at)
	waitFor(t, "the OTLP records in the file sink", func() bool { return len(s.output(t)) >= 2*n })
	s.stop(t)

	out := otlpOutput(t, s)
	seen := map[string]int{}
	for _, e := range out {
		_, seq, _ := strings.Cut(e.Line, "seq=")
		seen[seq]++
		if e.Labels["service_name"] != "checkout" || e.Labels["k8s_namespace_name"] != "shop" || e.Labels["input"] != "otel" || e.Labels["via"] != "tarn" {
			t.Fatalf("labels %v", e.Labels)
		}
		if e.Tenant != "customer-shop" {
			t.Fatalf("tenant %q, want customer-shop (tenant_attribute k8s.namespace.name, mapped)", e.Tenant)
		}
		m := e.Metadata
		if m["client.address"] != "198.51.100.0" || m["http.response.status_code"] != "401" || m["severity_text"] != "WARN" ||
			m["scope.name"] != "shop/auth" || m["scope.version"] != "1.2.3" || len(m["user.email"]) != 16 || m["session.sid"] == "" {
			t.Fatalf("metadata %v", m)
		}
		if !strings.HasPrefix(e.Line, "login failed for ") || !strings.Contains(e.Line, " from 203.0.113.0 ") {
			t.Fatalf("line %q", e.Line)
		}
	}
	for _, via := range []string{"http", "grpc"} {
		for i := range n {
			if c := seen[fmt.Sprintf("%s-%d", via, i)]; c != 1 {
				t.Fatalf("record %s-%d arrived %d times", via, i, c)
			}
		}
	}
	raw, _ := json.Marshal(out)
	for _, secret := range otlpSecrets {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%q reached the output", secret)
		}
	}
	if e := out[0]; e.Time.Before(at) || e.Time.After(at.Add(n*time.Millisecond)) {
		t.Errorf("time %v, want the record's own (from %v)", e.Time, at)
	}
}

// exportRequest is one request of records at the given times.
func exportRequest(times ...time.Time) plogotlp.ExportRequest {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i, at := range times {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
		lr.Body().SetStr(fmt.Sprintf("record %d from 203.0.113.9", i))
	}
	return plogotlp.NewExportRequestFromLogs(ld)
}

// TestOTLPAnswers checks the protocol's answers on both transports: a
// record past the retention is a partial success with its count, a
// missing token is 401 / UNAUTHENTICATED, a wrong content type 415, a
// malformed body 400, other paths 404.
func TestOTLPAnswers(t *testing.T) {
	grpcAddr, httpAddr := freePort(t), freePort(t)
	s := start(t, otlpConfig(t, t.TempDir(), grpcAddr, httpAddr, "", ""), Options{})
	waitListening(t, grpcAddr)
	waitListening(t, httpAddr)
	now := time.Now()
	req := exportRequest(now, now.Add(-9*24*time.Hour), now)
	url := "http://" + httpAddr + "/v1/logs"

	for _, tc := range []struct {
		name, ct, token string
		body            func() []byte
		status          int
		rejected        int64
	}{
		{"protobuf partial", "application/x-protobuf", "s3cret-token", func() []byte { b, _ := req.MarshalProto(); return b }, 200, 1},
		{"json partial", "application/json", "s3cret-token", func() []byte { b, _ := req.MarshalJSON(); return b }, 200, 1},
		{"no token", "application/x-protobuf", "", func() []byte { b, _ := req.MarshalProto(); return b }, 401, 0},
		{"wrong type", "text/plain", "s3cret-token", func() []byte { return []byte("x") }, 415, 0},
		{"garbage", "application/x-protobuf", "s3cret-token", func() []byte { return []byte{0xff, 0xff, 0xff} }, 400, 0},
	} {
		r, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(tc.body()))
		r.Header.Set("Content-Type", tc.ct)
		if tc.token != "" {
			r.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Fatalf("%s: status %d, want %d (%s)", tc.name, resp.StatusCode, tc.status, body.String())
		}
		if tc.status != 200 {
			continue
		}
		er := plogotlp.NewExportResponse()
		if tc.ct == "application/json" {
			err = er.UnmarshalJSON(body.Bytes())
		} else {
			err = er.UnmarshalProto(body.Bytes())
		}
		if err != nil || er.PartialSuccess().RejectedLogRecords() != tc.rejected {
			t.Fatalf("%s: response %v, rejected %d, want %d", tc.name, err, er.PartialSuccess().RejectedLogRecords(), tc.rejected)
		}
	}
	if resp, err := http.Post("http://"+httpAddr+"/v1/traces", "application/x-protobuf", nil); err != nil || resp.StatusCode != 404 {
		t.Fatalf("other path: %v %v", resp, err)
	}

	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := plogotlp.NewGRPCClient(conn)
	if _, err := client.Export(context.Background(), req); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("gRPC without token: %v", err)
	}
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer s3cret-token")
	resp, err := client.Export(ctx, req)
	if err != nil || resp.PartialSuccess().RejectedLogRecords() != 1 {
		t.Fatalf("gRPC export: %v, rejected %d", err, resp.PartialSuccess().RejectedLogRecords())
	}
	waitFor(t, "6 kept records", func() bool { return len(s.output(t)) >= 6 })
}

// TestOTLPOverMutualTLS: both transports over mutual TLS with the SDK
// exporters presenting a client certificate of the CA; a client without
// one is refused.
func TestOTLPOverMutualTLS(t *testing.T) {
	ca := newTestCA(t)
	dir, grpcAddr, httpAddr := t.TempDir(), freePort(t), freePort(t)
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM := ca.issue(t, 100, true)
	writePair(t, dir, certPEM, keyPEM)
	tlsKeys := ", tls: {cert_file: cert.pem, key_file: key.pem, client_ca_file: ca.pem}"
	s := start(t, otlpConfig(t, dir, grpcAddr, httpAddr, tlsKeys, ""), Options{})
	waitListening(t, grpcAddr)
	waitListening(t, httpAddr)
	cc, ck := ca.issue(t, 200, false)
	client, err := tls.X509KeyPair(cc, ck)
	if err != nil {
		t.Fatal(err)
	}
	tc := &tls.Config{RootCAs: ca.pool, Certificates: []tls.Certificate{client}}
	auth := map[string]string{"Authorization": "Bearer s3cret-token"}
	ctx := context.Background()
	hexp, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(httpAddr), otlploghttp.WithTLSClientConfig(tc), otlploghttp.WithHeaders(auth))
	if err != nil {
		t.Fatal(err)
	}
	gexp, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(grpcAddr), otlploggrpc.WithTLSCredentials(credentials.NewTLS(tc)), otlploggrpc.WithHeaders(auth))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Minute)
	emit(t, hexp, "http", 20, at)
	emit(t, gexp, "grpc", 20, at)
	waitFor(t, "40 records over TLS", func() bool { return len(s.output(t)) >= 40 })

	noCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool}}}
	if resp, err := noCert.Post("https://"+httpAddr+"/v1/logs", "application/x-protobuf", nil); err == nil {
		t.Fatalf("a client without a certificate got %d", resp.StatusCode)
	}
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: ca.pool})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	actx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer s3cret-token")
	if _, err := plogotlp.NewGRPCClient(conn).Export(actx, exportRequest(time.Now())); status.Code(err) != codes.Unavailable {
		t.Fatalf("gRPC without a client certificate: %v", err)
	}
}

// TestOTLPSpoolFull: while the spool is full (a sink that cannot
// deliver), OTLP/HTTP answers 429 with Retry-After and OTLP/gRPC
// RESOURCE_EXHAUSTED with a RetryInfo, the signals the OTLP exporters
// retry on; nothing is acknowledged that was not spooled.
func TestOTLPSpoolFull(t *testing.T) {
	dir, grpcAddr, httpAddr := t.TempDir(), freePort(t), freePort(t)
	os.WriteFile(filepath.Join(dir, "token"), []byte("s3cret-token"), 0o600)
	cfg := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: data
rules: builtin:default
inputs:
  - {name: otel, type: otlp, grpc: {listen: %q}, http: {listen: %q}, bearer_token_file: token}
sinks:
  - {name: loki, type: loki, url: "http://%s/loki/api/v1/push"}
spool: {max_bytes: 1MiB}
server: {listen: ""}
`, grpcAddr, httpAddr, freePort(t))), 0o644)
	sp := start(t, cfg, Options{})
	waitListening(t, httpAddr)
	rng := rand.New(rand.NewPCG(1, 2))
	request := func() (plog.Logs, []byte) { return incompressible(rng, 32) } // 256 KiB, no two alike
	var resp *http.Response
	for range 40 { // the spool (1 MiB) is full after a few
		_, body := request()
		r, _ := http.NewRequest(http.MethodPost, "http://"+httpAddr+"/v1/logs", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-protobuf")
		r.Header.Set("Authorization", "Bearer s3cret-token")
		var err error
		if resp, err = http.DefaultClient.Do(r); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			break
		}
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		for _, l := range strings.Split(sp.metrics(), "\n") {
			if strings.Contains(l, "spool") || strings.Contains(l, "otlp") || strings.Contains(l, "dropped") {
				t.Log(l)
			}
		}
		t.Fatalf("with the spool full: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer s3cret-token")
	ld, _ := request()
	_, err = plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted || len(st.Details()) != 1 {
		t.Fatalf("gRPC with the spool full: %v (details %v), want RESOURCE_EXHAUSTED with RetryInfo", err, st.Details())
	}
	if ri, ok := st.Details()[0].(*errdetails.RetryInfo); !ok || ri.RetryDelay.AsDuration() <= 0 {
		t.Fatalf("details %v", st.Details())
	}
}

// incompressible returns a request of n records of 8 KiB of random
// lower-case words each (lz4 cannot shrink them much, no detector takes
// them), no two alike, and its protobuf body.
func incompressible(rng *rand.Rand, n int) (plog.Logs, []byte) {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	word := make([]byte, 6)
	for range n {
		var words strings.Builder
		for words.Len() < 8<<10 {
			for i := range 5 {
				word[i] = byte('a' + rng.IntN(26))
			}
			word[5] = ' '
			words.Write(word)
		}
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		lr.Body().SetStr(words.String())
	}
	body, _ := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	return ld, body
}

// TestRequestLargerThanSpool: a push or OTLP request larger than the
// whole spool is refused whole with 413, nothing of it stored (a 429
// would make the sender retry, and a batch stored in part would then be
// stored twice).
func TestRequestLargerThanSpool(t *testing.T) {
	dir, otlpAddr, pushAddr := t.TempDir(), freePort(t), freePort(t)
	cfg := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: data
rules: builtin:default
inputs:
  - {name: otel, type: otlp, http: {listen: %q}}
  - {name: push, type: loki_push, listen: %q}
sinks:
  - {name: loki, type: loki, url: "http://%s/loki/api/v1/push"}
spool: {max_bytes: 1MiB}
server: {listen: ""}
`, otlpAddr, pushAddr, freePort(t))), 0o644)
	s := start(t, cfg, Options{})
	waitListening(t, otlpAddr)
	waitListening(t, pushAddr)
	ld, body := incompressible(rand.New(rand.NewPCG(3, 4)), 200) // 1.6 MB
	resp, err := http.Post("http://"+otlpAddr+"/v1/logs", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("OTLP request larger than the spool: %d, want 413", resp.StatusCode)
	}
	var push strings.Builder
	push.WriteString(`{"streams":[{"stream":{"app":"x"},"values":[`)
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := 0; i < lrs.Len(); i++ {
		if i > 0 {
			push.WriteString(",")
		}
		fmt.Fprintf(&push, `[%q,%q]`, fmt.Sprint(time.Now().UnixNano()), lrs.At(i).Body().Str())
	}
	push.WriteString(`]}]}`)
	resp, err = http.Post("http://"+pushAddr+"/loki/api/v1/push", "application/json", strings.NewReader(push.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("push request larger than the spool: %d, want 413", resp.StatusCode)
	}
	if n := s.metric("tarn_spool_entries"); n != 0 {
		t.Fatalf("%v entries stored of requests refused", n)
	}
}
