package s3_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks"
	"github.com/tarn-project/tarn/sinks/s3"
	"github.com/tarn-project/tarn/sinks/s3/s3test"
)

// BenchmarkSend uploads batches of 10,000 anonymized access-log entries
// (about 200-byte lines, four labels, one metadata pseudonym) into a real
// SeaweedFS on loopback, one object per batch, a new batch ID per op, for
// each compression. entries/s is the sink's throughput including the
// PUT; obj-B/op is the object's size.
//
//	go test -run '^$' -bench BenchmarkSend -cpu 1 -benchtime 20x ./sinks/s3/
func BenchmarkSend(b *testing.B) {
	srv := s3test.Start(b, s3test.Options{})
	srv.MakeBucket(b, "bench")
	entries := benchEntries(10000)
	lineBytes := 0
	for _, e := range entries {
		lineBytes += len(e.Line)
	}
	for _, compress := range []string{"gzip", "zstd", "lz4", "none"} {
		b.Run(compress, func(b *testing.B) {
			set := s3.DefaultSettings()
			set.Endpoint = "http://" + srv.Endpoint
			set.Bucket = "bench"
			set.PathStyle = new(true)
			set.AccessKeyID, set.SecretAccessKey = srv.AccessKey, srv.SecretKey
			set.Compress = compress
			if err := set.Validate(); err != nil {
				b.Fatal(err)
			}
			k, err := s3.New(set, sinks.Env{Name: "bench", Node: "bench-node", Retention: 7 * 24 * time.Hour, Now: time.Now})
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close(context.Background())
			ctx := context.Background()
			// One upload first: the connection, the bucket's first volume.
			if err := k.Send(ctx, &sinks.Batch{ID: fmt.Sprintf("%020d-0-0", 0), Entries: entries}); err != nil {
				b.Fatal(err)
			}
			before := k.Report().WrittenBytes
			b.SetBytes(int64(lineBytes))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := k.Send(ctx, &sinks.Batch{ID: fmt.Sprintf("%020d-%d-0", 1, i), Entries: entries}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*len(entries))/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(k.Report().WrittenBytes-before)/float64(b.N), "obj-B/op")
		})
	}
}

// benchEntries returns n entries as the default rules leave an nginx
// combined log: masked address, pseudonymized user, redacted query
// values, with the labels of a file input and the client pseudonym as
// metadata.
func benchEntries(n int) []sinks.Entry {
	now := time.Now()
	labels := []sinks.Label{{Name: "filename", Value: "/var/log/nginx/access.log"}, {Name: "host", Value: "web-1"},
		{Name: "input", Value: "web"}, {Name: "job", Value: "nginx"}}
	paths := []string{"/shop/item/%d", "/api/v1/cart/%d", "/static/img/%d.webp", "/search/%d", "/account/orders/%d"}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148", "curl/8.5.0"}
	es := make([]sinks.Entry, n)
	for i := range es {
		path := fmt.Sprintf(paths[i%len(paths)], i*7919%100000)
		line := fmt.Sprintf(`203.0.%d.0 - %016x [%s] "GET %s?q=[redacted]&page=%d HTTP/1.1" %d %d "https://shop.example.org/" "%s"`,
			i%250, uint64(i)*0x9e3779b97f4a7c15, now.Format("02/Jan/2006:15:04:05 -0700"), path, i%9,
			[]int{200, 200, 200, 304, 404}[i%5], 512+i*37%40000, agents[i%len(agents)])
		es[i] = sinks.Entry{Time: now.Add(time.Duration(i) * time.Millisecond), Labels: labels, Line: []byte(line),
			Metadata: []sinks.Label{{Name: "client", Value: fmt.Sprintf("%016x", uint64(i%997)*0x2545f4914f6cdd1d)}}}
	}
	return es
}
