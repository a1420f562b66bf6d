package loki

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks"
)

// BenchmarkSend measures the sink's side of one acknowledged batch of
// 1000 entries (labels, guard, sort, protobuf, snappy, HTTP to a local
// endpoint that reads and discards the body); entries/s is reported.
func BenchmarkSend(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s, err := New(Options{URL: srv.URL, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	labels := []sinks.Label{{Name: "filename", Value: "/var/log/nginx/access.log"}, {Name: "input", Value: "web"}, {Name: "job", Value: "nginx"}}
	batch := make([]sinks.Entry, 1000)
	for i := range batch {
		batch[i] = sinks.Entry{Time: now.Add(time.Duration(i) * time.Millisecond), Labels: labels,
			Line:     fmt.Appendf(nil, `203.0.113.0 - 5f2a9c0e41d7b3aa [20/Nov/2026:13:55:36 +0100] "GET /shop/item/%d?q=[redacted] HTTP/1.1" 200 %d "https://example.org/" "Firefox/131 (Linux; desktop)"`, i, i*7),
			Metadata: []sinks.Label{{Name: "client", Value: fmt.Sprintf("%016x", i*7919)}, {Name: "user", Value: "5f2a9c0e41d7b3aa"}}}
	}
	sb := &sinks.Batch{ID: "00000000000000000001-0-0", Entries: batch}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := s.Send(context.Background(), sb); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "entries/s")
}
