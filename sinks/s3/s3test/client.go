package s3test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// opTimeout bounds each request a helper makes.
const opTimeout = 30 * time.Second

// Client returns a minio-go client for the server, signing with its
// credentials (path-style requests, plain HTTP).
func (s *Server) Client(t testing.TB) *minio.Client {
	t.Helper()
	return s.ClientWith(t, s.AccessKey, s.SecretKey)
}

// ClientWith returns a minio-go client for the server that signs with the
// given credentials, e.g. wrong ones.
func (s *Server) ClientWith(t testing.TB, accessKey, secretKey string) *minio.Client {
	t.Helper()
	c, err := minio.New(s.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(accessKey, secretKey, ""),
		Region:       s.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatalf("s3 client: %v", err)
	}
	return c
}

// MakeBucket creates bucket.
func (s *Server) MakeBucket(t testing.TB, bucket string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := s.Client(t).MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: s.Region}); err != nil {
		t.Fatalf("make bucket %s: %v", bucket, err)
	}
}

// ListObjects returns the objects in bucket whose keys start with prefix,
// recursively (no common prefixes), in key order.
func (s *Server) ListObjects(t testing.TB, bucket, prefix string) []minio.ObjectInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	var objs []minio.ObjectInfo
	for o := range s.Client(t).ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			t.Fatalf("list %s/%s: %v", bucket, prefix, o.Err)
		}
		objs = append(objs, o)
	}
	return objs
}

// Get returns the content of the object bucket/key.
func (s *Server) Get(t testing.TB, bucket, key string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	o, err := s.Client(t).GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	return b
}
