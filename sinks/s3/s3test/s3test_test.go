package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
	"github.com/minio/minio-go/v7/pkg/lifecycle"
	"github.com/minio/minio-go/v7/pkg/sse"
)

func put(t *testing.T, c *minio.Client, bucket, key string, data []byte, o minio.PutObjectOptions) minio.UploadInfo {
	t.Helper()
	info, err := c.PutObject(context.Background(), bucket, key, bytes.NewReader(data), int64(len(data)), o)
	if err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
	return info
}

func keys(objs []minio.ObjectInfo) string {
	var ks []string
	for _, o := range objs {
		ks = append(ks, fmt.Sprintf("%s:%d", o.Key, o.Size))
	}
	return strings.Join(ks, " ")
}

func TestObjects(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := s.Client(t)
	s.MakeBucket(t, "tarn-logs")
	small := []byte("one anonymized line\n")
	put(t, c, "tarn-logs", "web1/2026-12-02/a.log", small, minio.PutObjectOptions{ContentType: "text/plain"})
	put(t, c, "tarn-logs", "web2/b.log", small, minio.PutObjectOptions{})
	if got := s.Get(t, "tarn-logs", "web1/2026-12-02/a.log"); !bytes.Equal(got, small) {
		t.Errorf("get: %q, want %q", got, small)
	}
	if got, want := keys(s.ListObjects(t, "tarn-logs", "web1/")), "web1/2026-12-02/a.log:20"; got != want {
		t.Errorf("list web1/: %s, want %s", got, want)
	}

	big := make([]byte, 11<<20+123) // three parts of 5 MiB
	rand.Read(big)
	info := put(t, c, "tarn-logs", "web1/big.log", big, minio.PutObjectOptions{PartSize: 5 << 20})
	if !strings.HasSuffix(info.ETag, "-3") {
		t.Errorf("multipart etag %q, want a 3-part etag", info.ETag)
	}
	if got := s.Get(t, "tarn-logs", "web1/big.log"); !bytes.Equal(got, big) {
		t.Errorf("multipart object read back differs (%d bytes, want %d)", len(got), len(big))
	}

	for _, k := range []string{"web1/2026-12-02/a.log", "web1/big.log"} {
		if err := c.RemoveObject(context.Background(), "tarn-logs", k, minio.RemoveObjectOptions{}); err != nil {
			t.Errorf("remove %s: %v", k, err)
		}
	}
	if got, want := keys(s.ListObjects(t, "tarn-logs", "")), "web2/b.log:20"; got != want {
		t.Errorf("list after delete: %s, want %s", got, want)
	}
}

// TestCredentials checks that only the configured identity gets in.
func TestCredentials(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{AccessKey: "tarn-key", SecretKey: "tarn-secret-0123456789"})
	s.MakeBucket(t, "tarn-logs")
	anonymous, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4("", "", ""), Region: s.Region})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    *minio.Client
		want string
	}{
		{"wrong secret", s.ClientWith(t, "tarn-key", "wrong"), "SignatureDoesNotMatch"},
		{"unknown key", s.ClientWith(t, "other-key", "tarn-secret-0123456789"), "InvalidAccessKeyId"},
		{"anonymous", anonymous, "AccessDenied"},
	} {
		_, err := tc.c.PutObject(context.Background(), "tarn-logs", "x.log", strings.NewReader("x"), 1, minio.PutObjectOptions{})
		if code := minio.ToErrorResponse(err).Code; code != tc.want {
			t.Errorf("%s: put error %v (code %q), want %s", tc.name, err, code, tc.want)
		}
	}
	if objs := s.ListObjects(t, "tarn-logs", ""); len(objs) != 0 {
		t.Errorf("refused puts stored %s", keys(objs))
	}
}

// TestLifecycle records that lifecycle rules are stored and read back
// (weed server does not run the worker that enforces them).
func TestLifecycle(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := s.Client(t)
	s.MakeBucket(t, "tarn-logs")
	cfg := lifecycle.NewConfiguration()
	cfg.Rules = []lifecycle.Rule{{
		ID: "retention", Status: "Enabled",
		RuleFilter: lifecycle.Filter{Prefix: "web1/"},
		Expiration: lifecycle.Expiration{Days: 7},
	}}
	ctx := context.Background()
	if err := c.SetBucketLifecycle(ctx, "tarn-logs", cfg); err != nil {
		t.Fatalf("put bucket lifecycle: %v", err)
	}
	got, err := c.GetBucketLifecycle(ctx, "tarn-logs")
	if err != nil {
		t.Fatalf("get bucket lifecycle: %v", err)
	}
	if len(got.Rules) != 1 || got.Rules[0].ID != "retention" || got.Rules[0].Expiration.Days != 7 ||
		got.Rules[0].RuleFilter.Prefix != "web1/" || got.Rules[0].Status != "Enabled" {
		t.Errorf("lifecycle read back as %+v", got.Rules)
	}
}

// TestSSE checks SSE-S3 per object and as bucket default, that such
// objects are encrypted on disk, and that SSE-KMS is refused.
func TestSSE(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := s.Client(t)
	ctx := context.Background()
	s.MakeBucket(t, "tarn-logs")
	s.MakeBucket(t, "tarn-default")
	if err := c.SetBucketEncryption(ctx, "tarn-default", sse.NewConfigurationSSES3()); err != nil {
		t.Fatalf("put bucket encryption: %v", err)
	}
	plain := []byte("PLAIN-7d1e0c marker of an unencrypted object")
	perObject := []byte("SSES3-91b2aa marker of an SSE-S3 object")
	byDefault := []byte("DEFAULT-c3f7e1 marker of a bucket-default object")
	put(t, c, "tarn-logs", "plain.log", plain, minio.PutObjectOptions{})
	put(t, c, "tarn-logs", "sse.log", perObject, minio.PutObjectOptions{ServerSideEncryption: encrypt.NewSSE()})
	put(t, c, "tarn-default", "default.log", byDefault, minio.PutObjectOptions{})
	for _, o := range []struct {
		bucket, key string
		data        []byte
		sse         string
	}{
		{"tarn-logs", "plain.log", plain, ""},
		{"tarn-logs", "sse.log", perObject, "AES256"},
		{"tarn-default", "default.log", byDefault, "AES256"},
	} {
		st, err := c.StatObject(ctx, o.bucket, o.key, minio.StatObjectOptions{})
		if err != nil {
			t.Fatalf("stat %s: %v", o.key, err)
		}
		if got := st.Metadata.Get("X-Amz-Server-Side-Encryption"); got != o.sse {
			t.Errorf("%s: X-Amz-Server-Side-Encryption %q, want %q", o.key, got, o.sse)
		}
		if got := s.Get(t, o.bucket, o.key); !bytes.Equal(got, o.data) {
			t.Errorf("%s read back as %q", o.key, got)
		}
		if onDisk := grepDir(t, s.dir, o.data[:12]); onDisk != (o.sse == "") {
			t.Errorf("%s: plaintext on disk %t, want %t", o.key, onDisk, o.sse == "")
		}
	}

	kms, err := encrypt.NewSSEKMS("tarn-key", nil)
	if err != nil {
		t.Fatal(err)
	}
	once, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), Region: s.Region, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = once.PutObject(ctx, "tarn-logs", "kms.log", bytes.NewReader(plain), int64(len(plain)), minio.PutObjectOptions{ServerSideEncryption: kms})
	if resp := minio.ToErrorResponse(err); resp.StatusCode != 500 {
		t.Errorf("put with SSE-KMS: %v (status %d), want 500 (no KMS configured)", err, resp.StatusCode)
	}
}

// grepDir reports whether a file under dir contains b.
func grepDir(t *testing.T, dir string, b []byte) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || found {
			return err
		}
		data, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			return nil // a temporary file gone
		}
		found = bytes.Contains(data, b)
		return err
	})
	if err != nil {
		t.Fatalf("search %s: %v", dir, err)
	}
	return found
}

// TestRestart checks that objects survive a crash and a graceful restart,
// and that many buckets (each a collection of its own) get volumes.
func TestRestart(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := s.Client(t)
	data := []byte("kept across restarts\n")
	for i := range 12 {
		b := fmt.Sprintf("bucket-%02d", i)
		s.MakeBucket(t, b)
		put(t, c, b, "a.log", data, minio.PutObjectOptions{})
	}
	t.Logf("weed RSS after 12 buckets: %s", rss(t, s))
	s.Kill(t)
	s.Restart(t)
	if got := s.Get(t, "bucket-03", "a.log"); !bytes.Equal(got, data) {
		t.Errorf("after kill: %q", got)
	}
	begin := time.Now()
	put(t, s.Client(t), "bucket-03", "b.log", data, minio.PutObjectOptions{})
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("first put after restart took %s: Restart returned before the master's warm-up ended", d)
	}
	s.Restart(t)
	if got := keys(s.ListObjects(t, "bucket-03", "")); got != "a.log:21 b.log:21" {
		t.Errorf("after restart: %s", got)
	}
}

// rss returns weed's resident memory as /proc reports it.
func rss(t *testing.T, s *Server) string {
	pid := s.proc.Pid()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err.Error()
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
		}
	}
	return "unknown"
}
