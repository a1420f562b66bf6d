package s3

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/minio/minio-go/v7"
	"github.com/pierrec/lz4/v4"

	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
	"github.com/tarn-project/tarn/sinks/s3/s3test"
)

// store is the SeaweedFS the tests share, and a bucket counter.
type store struct {
	*s3test.Server
	buckets atomic.Int32
}

// startStore starts SeaweedFS for one test (skipped in -short mode).
func startStore(t *testing.T) *store {
	if testing.Short() {
		t.Skip("starts SeaweedFS")
	}
	return &store{Server: s3test.Start(t, s3test.Options{})}
}

// bucket makes a new bucket.
func (s *store) bucket(t *testing.T) string {
	b := fmt.Sprintf("bucket%d", s.buckets.Add(1))
	s.MakeBucket(t, b)
	return b
}

// settings are validated settings of a sink writing to bucket.
func (s *store) settings(t *testing.T, bucket string, edit func(*Settings)) *Settings {
	t.Helper()
	st := DefaultSettings()
	st.Endpoint, st.Bucket, st.Prefix = "http://"+s.Endpoint, bucket, "archive"
	st.AccessKeyID, st.SecretAccessKey = s.AccessKey, s.SecretKey
	if edit != nil {
		edit(st)
	}
	if err := st.Validate(); err != nil {
		t.Fatal(err)
	}
	return st
}

// sink builds a sink without the background sweep, at clock now.
func (s *store) sink(t *testing.T, st *Settings, now *time.Time) *Sink {
	t.Helper()
	env := sinks.Env{Name: "arch", Retention: 7 * 24 * time.Hour, Node: "node1", Version: "test", Now: func() time.Time { return *now }}
	k, err := newSink(st, env, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close(context.Background()) })
	return k
}

// record is one NDJSON line of an object.
type record struct {
	Time     time.Time         `json:"time"`
	Tenant   string            `json:"tenant"`
	Labels   map[string]string `json:"labels"`
	Line     string            `json:"line"`
	Metadata map[string]string `json:"metadata"`
}

// read returns the records of an object, decompressed by its extension.
func (s *store) read(t *testing.T, bucket, key string) []record {
	t.Helper()
	var r io.Reader = bytes.NewReader(s.Get(t, bucket, key))
	switch filepath.Ext(key) {
	case ".gz":
		z, err := gzip.NewReader(r)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		r = z
	case ".zst":
		z, err := zstd.NewReader(r)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		defer z.Close()
		r = z
	case ".lz4":
		r = lz4.NewReader(r)
	}
	var out []record
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var rec record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%s: line %d: %v", key, len(out)+1, err)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return out
}

// keys lists the keys under prefix.
func (s *store) keys(t *testing.T, bucket, prefix string) []string {
	var out []string
	for _, o := range s.ListObjects(t, bucket, prefix) {
		out = append(out, o.Key)
	}
	return out
}

// entry is entry number i at time at.
func entry(i int, at time.Time, tenant string) sinks.Entry {
	return sinks.Entry{Time: at, Tenant: tenant, Line: fmt.Appendf(nil, `192.0.2.0 - - "GET /item/%d HTTP/1.1" 200 %d`, i, i),
		Labels: []sinks.Label{{Name: "job", Value: "web"}}, Metadata: []sinks.Label{{Name: "client", Value: "p:abc"}}}
}

// same checks that recs are exactly es, in order, with tenant filled in.
func same(t *testing.T, what string, recs []record, es []sinks.Entry, tenant string) {
	t.Helper()
	if len(recs) != len(es) {
		t.Fatalf("%s: %d records, want %d", what, len(recs), len(es))
	}
	for i, e := range es {
		r := recs[i]
		if !r.Time.Equal(e.Time) || r.Line != string(e.Line) || r.Tenant != tenant || r.Labels["job"] != "web" || r.Metadata["client"] != "p:abc" {
			t.Fatalf("%s: record %d = %+v, want %s at %s for %s", what, i, r, e.Line, e.Time, tenant)
		}
	}
}

// TestStore runs the tests of the sink against one real SeaweedFS, each
// in its own bucket.
func TestStore(t *testing.T) {
	s := startStore(t)
	for name, f := range map[string]func(*testing.T, *store){
		"Objects": testObjects, "ResendOverwrites": testResendOverwrites, "Multipart": testMultipart,
		"Rejections": testRejections, "Refusals": testRefusals, "Sweep": testSweep, "Lifecycle": testLifecycle, "SSE": testSSE, "TLS": testTLS,
	} {
		t.Run(name, func(t *testing.T) { f(t, s) })
	}
}

// testObjects sends one batch of two tenants over two hours with every
// compression and reads back four objects per codec, each holding
// exactly its entries in order.
func testObjects(t *testing.T, s *store) {
	now := time.Date(2026, 12, 3, 10, 30, 0, 0, time.UTC)
	h9, h10 := now.Add(-70*time.Minute), now.Add(-10*time.Minute)
	var es []sinks.Entry
	for i := range 40 {
		at, tenant := h9.Add(time.Duration(i)*time.Second), []string{"", "acme"}[i%2]
		if i >= 20 {
			at = h10.Add(time.Duration(i) * time.Second)
		}
		es = append(es, entry(i, at, tenant))
	}
	for _, comp := range []string{"gzip", "zstd", "lz4", "none"} {
		t.Run(comp, func(t *testing.T) {
			bucket := s.bucket(t)
			k := s.sink(t, s.settings(t, bucket, func(st *Settings) { st.Compress = comp }), &now)
			if err := k.Send(context.Background(), &sinks.Batch{ID: "00000000000000000007-120-3", Entries: es}); err != nil {
				t.Fatal(err)
			}
			ext := compressions[comp].ext
			var want []string
			for _, p := range []string{"acme/dt=2026-12-03/hour=09", "acme/dt=2026-12-03/hour=10", "default/dt=2026-12-03/hour=09", "default/dt=2026-12-03/hour=10"} {
				want = append(want, "archive/tenant="+p+"/node1-arch-00000000000000000007-120-3.ndjson"+ext)
			}
			got := s.keys(t, bucket, "")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("keys:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, key := range got {
				tenant := "default"
				if strings.Contains(key, "=acme/") {
					tenant = "acme"
				}
				var part []sinks.Entry
				for _, e := range es {
					if (e.Tenant == "acme") == (tenant == "acme") && strings.Contains(key, e.Time.Format("hour=15")) {
						part = append(part, e)
					}
				}
				same(t, key, s.read(t, bucket, key), part, tenant)
			}
			if r := k.Report(); r.Objects != 4 || r.WrittenBytes == 0 {
				t.Fatalf("report %+v", r)
			}
		})
	}
}

// testResendOverwrites checks exactly once per object: a batch sent
// again (after a crash: attempt 0, more entries after the same first
// one) overwrites its object, and a retry in the process skips the
// objects already uploaded.
func testResendOverwrites(t *testing.T, s *store) {
	bucket := s.bucket(t)
	now := time.Now().UTC()
	var es []sinks.Entry
	for i := range 30 {
		es = append(es, entry(i, now.Add(-time.Minute), ""))
	}
	first := s.sink(t, s.settings(t, bucket, nil), &now)
	if err := first.Send(context.Background(), &sinks.Batch{ID: "9-0-0", Entries: es[:10]}); err != nil {
		t.Fatal(err)
	}
	second := s.sink(t, s.settings(t, bucket, nil), &now) // the process after a crash
	if err := second.Send(context.Background(), &sinks.Batch{ID: "9-0-0", Entries: es}); err != nil {
		t.Fatal(err)
	}
	keys := s.keys(t, bucket, "")
	if len(keys) != 1 {
		t.Fatalf("objects %v, want one", keys)
	}
	same(t, keys[0], s.read(t, bucket, keys[0]), es, "default")
	if err := second.Send(context.Background(), &sinks.Batch{ID: "9-0-0", Attempt: 1, Entries: es}); err != nil {
		t.Fatal(err)
	}
	if n := second.Report().Objects; n != 1 {
		t.Fatalf("a retry uploaded again: %d objects", n)
	}
}

// testMultipart uploads an object larger than part_size in parts.
func testMultipart(t *testing.T, s *store) {
	bucket := s.bucket(t)
	now := time.Now().UTC().Truncate(time.Hour).Add(time.Minute)
	st := s.settings(t, bucket, func(st *Settings) { st.Compress, st.PartSize = "none", 5<<20 })
	k := s.sink(t, st, &now)
	pad := strings.Repeat("x", 1000)
	var es []sinks.Entry
	for i := range 12_000 { // about 12 MB of NDJSON: three parts
		e := entry(i, now, "")
		e.Line = append(e.Line, pad...)
		es = append(es, e)
	}
	if err := k.Send(context.Background(), &sinks.Batch{ID: "1-0-0", Entries: es}); err != nil {
		t.Fatal(err)
	}
	objs := s.ListObjects(t, bucket, "")
	if len(objs) != 1 || !strings.HasSuffix(objs[0].ETag, "-3") {
		t.Fatalf("objects %+v, want one multipart object of 3 parts", objs)
	}
	same(t, objs[0].Key, s.read(t, bucket, objs[0].Key), es, "default")
}

// testRejections checks the entries the sink refuses itself: an invalid
// tenant and a time more than an hour ahead are a partial acceptance of
// exactly those, the rest is uploaded.
func testRejections(t *testing.T, s *store) {
	bucket := s.bucket(t)
	now := time.Now().UTC()
	k := s.sink(t, s.settings(t, bucket, nil), &now)
	es := []sinks.Entry{entry(0, now, ""), entry(1, now, "a/b"), entry(2, now.Add(2*time.Hour), ""), entry(3, now, "")}
	err := k.Send(context.Background(), &sinks.Batch{ID: "1-0-0", Entries: es})
	p, ok := sinks.AsPartial(err)
	if !ok || len(p.Rejected) != 2 || p.Rejected[0] != (sinks.Rejection{Index: 1, Reason: "invalid_tenant"}) ||
		p.Rejected[1] != (sinks.Rejection{Index: 2, Reason: "too_new"}) {
		t.Fatalf("Send = %v, want a partial acceptance rejecting entries 1 and 2", err)
	}
	keys := s.keys(t, bucket, "")
	if len(keys) != 1 {
		t.Fatalf("objects %v", keys)
	}
	same(t, keys[0], s.read(t, bucket, keys[0]), []sinks.Entry{es[0], es[3]}, "default")
	if r := k.Report().Rejected; r["invalid_tenant"] != 1 || r["too_new"] != 1 {
		t.Fatalf("rejected %v", r)
	}
}

// testRefusals checks that bad credentials are permanent errors that say what to check, never a crash or an endless
// retry, and that the key files are read.
func testRefusals(t *testing.T, s *store) {
	bucket := s.bucket(t)
	now := time.Now().UTC()
	batch := &sinks.Batch{ID: "1-0-0", Entries: []sinks.Entry{entry(0, now, "")}}
	for name, tc := range map[string]struct {
		edit func(*Settings)
		want string
	}{
		"wrong secret": {func(st *Settings) { st.SecretAccessKey = "wrong-secret-0123456789" }, "SignatureDoesNotMatch (HTTP 403): the secret access key is wrong"},
		"unknown key":  {func(st *Settings) { st.AccessKeyID = "nobody" }, "InvalidAccessKeyId (HTTP 403)"},
		"anonymous": {func(st *Settings) {
			st.AccessKeyID, st.SecretAccessKey, st.Profile = "", "", "none"
		}, "AccessDenied (HTTP 403)"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
				t.Setenv(v, "")
			}
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			k := s.sink(t, s.settings(t, bucket, tc.edit), &now)
			err := k.Send(context.Background(), batch)
			if !sinks.IsPermanent(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Send = %v, want a permanent error with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), s.SecretKey) {
				t.Fatalf("the error holds the secret: %v", err)
			}
		})
	}
	// SeaweedFS creates a missing bucket on the first PUT, so NoSuchBucket
	// is checked on classify alone (TestClassify).
	t.Run("key files", func(t *testing.T) {
		dir := t.TempDir()
		id, secret := filepath.Join(dir, "id"), filepath.Join(dir, "secret")
		os.WriteFile(id, []byte(s.AccessKey+"\n"), 0o600)
		os.WriteFile(secret, []byte(s.SecretKey+"\n"), 0o600)
		k := s.sink(t, s.settings(t, bucket, func(st *Settings) {
			st.AccessKeyID, st.SecretAccessKey, st.AccessKeyIDFile, st.SecretAccessKeyFile = "", "", id, secret
		}), &now)
		if err := k.Send(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDownStore checks that a store that is not there is a retryable
// error (the delivery loop retries), not a permanent one.
func TestDownStore(t *testing.T) {
	s := startStore(t)
	bucket := s.bucket(t)
	now := time.Now().UTC()
	k := s.sink(t, s.settings(t, bucket, func(st *Settings) { st.Timeout = strictyaml.Duration(5 * time.Second) }), &now)
	s.Kill(t)
	err := k.Send(context.Background(), &sinks.Batch{ID: "1-0-0", Entries: []sinks.Entry{entry(0, now, "")}})
	if err == nil || sinks.IsPermanent(err) {
		t.Fatalf("Send to a dead store = %v, want a retryable error", err)
	}
	if _, ok := sinks.RetryAfter(err); ok {
		t.Fatalf("a dead store is not throttling: %v", err)
	}
}

// testSweep checks retention in the store: the sweep deletes exactly the
// sink's objects whose partition started more than the retention ago,
// leaves younger ones and keys it did not write, and counts them.
func testSweep(t *testing.T, s *store) {
	bucket := s.bucket(t)
	now := time.Now().UTC()
	st := s.settings(t, bucket, nil)
	old := now.Add(-8 * 24 * time.Hour)
	edge := now.Add(-7*24*time.Hour + 90*time.Minute) // its partition is inside the retention
	then := old
	past := s.sink(t, st, &then) // writes the old objects at their own time
	for i, at := range []time.Time{old, old.Add(time.Hour), edge} {
		then = at
		if err := past.Send(context.Background(), &sinks.Batch{ID: fmt.Sprintf("%d-0-0", i), Entries: []sinks.Entry{entry(i, at, "")}}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	foreign := "archive/tenant=default/dt=2000-01-01/hour=00/README"
	if _, err := s.Client(t).PutObject(ctx, bucket, foreign, strings.NewReader("kept"), 4, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	k := s.sink(t, st, &now)
	if err := k.Send(ctx, &sinks.Batch{ID: "9-0-0", Entries: []sinks.Entry{entry(9, now, "")}}); err != nil {
		t.Fatal(err)
	}
	before := s.keys(t, bucket, "")
	res, err := k.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := s.keys(t, bucket, "")
	if res.Deleted != 2 || len(after) != len(before)-2 || k.Report().Deleted != 2 || res.Bytes == 0 {
		t.Fatalf("sweep %+v: before %v, after %v", res, before, after)
	}
	for _, key := range after {
		if strings.Contains(key, old.Format("dt=2006-01-02/hour=15")) || strings.Contains(key, old.Add(time.Hour).Format("dt=2006-01-02/hour=15")) {
			t.Fatalf("old object %s kept", key)
		}
	}
	if !strings.Contains(strings.Join(after, " "), foreign) || !strings.Contains(strings.Join(after, " "), edge.Format("dt=2006-01-02/hour=15")) {
		t.Fatalf("sweep deleted what it should keep: %v", after)
	}
}

// testLifecycle installs the sink's lifecycle rule beside a rule of
// someone else and reads both back.
func testLifecycle(t *testing.T, s *store) {
	bucket := s.bucket(t)
	now := time.Now().UTC()
	k := s.sink(t, s.settings(t, bucket, func(st *Settings) { st.Lifecycle = true }), &now)
	ctx := context.Background()
	if err := k.installLifecycle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := k.installLifecycle(ctx); err != nil { // again: replaces its rule
		t.Fatal(err)
	}
	cfg, err := s.Client(t).GetBucketLifecycle(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Rules) != 1 || cfg.Rules[0].ID != "tarn-arch" || cfg.Rules[0].Expiration.Days != 7 || cfg.Rules[0].RuleFilter.Prefix != "archive/tenant=" {
		t.Fatalf("lifecycle %+v", cfg.Rules)
	}
}

// testSSE asks for SSE-S3 and reads the header back.
func testSSE(t *testing.T, s *store) {
	bucket := s.bucket(t)
	now := time.Now().UTC()
	k := s.sink(t, s.settings(t, bucket, func(st *Settings) { st.SSE.Type = "AES256" }), &now)
	if err := k.Send(context.Background(), &sinks.Batch{ID: "1-0-0", Entries: []sinks.Entry{entry(0, now, "")}}); err != nil {
		t.Fatal(err)
	}
	key := s.keys(t, bucket, "")[0]
	info, err := s.Client(t).StatObject(context.Background(), bucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Metadata.Get("X-Amz-Server-Side-Encryption"); got != "AES256" {
		t.Fatalf("server-side encryption %q, want AES256", got)
	}
}

// testTLS reaches the store through a TLS endpoint with its own CA (a
// reverse proxy in front of SeaweedFS, which signs nothing itself): with
// tls.ca_file the upload works, without it the certificate is refused
// and the error is retried, not permanent.
func testTLS(t *testing.T, s *store) {
	bucket := s.bucket(t)
	target, _ := url.Parse("http://" + s.Endpoint)
	proxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	defer proxy.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: proxy.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	batch := &sinks.Batch{ID: "1-0-0", Entries: []sinks.Entry{entry(0, now, "")}}
	withCA := s.sink(t, s.settings(t, bucket, func(st *Settings) { st.Endpoint, st.TLS.CAFile = proxy.URL, ca }), &now)
	if err := withCA.Send(context.Background(), batch); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	if keys := s.keys(t, bucket, ""); len(keys) != 1 {
		t.Fatalf("objects %v", keys)
	}
	without := s.sink(t, s.settings(t, bucket, func(st *Settings) { st.Endpoint = proxy.URL }), &now)
	err := without.Send(context.Background(), batch)
	if err == nil || sinks.IsPermanent(err) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without the CA: %v, want a retried certificate error", err)
	}
}
