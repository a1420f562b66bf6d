package lokipush

import (
	"fmt"
	"testing"
	"time"

	"github.com/grafana/loki/pkg/push"
)

const benchEntries = 1000

// benchStreams is a request of benchEntries access-log entries in 4
// streams, every other one with structured metadata.
func benchStreams() []push.Stream {
	streams := make([]push.Stream, 4)
	base := time.Unix(1700000000, 0)
	for i := range streams {
		streams[i].Labels = fmt.Sprintf(`{job="nginx", host="web-%d", filename="/var/log/nginx/access.log"}`, i)
		for j := range benchEntries / len(streams) {
			e := push.Entry{
				Timestamp: base.Add(time.Duration(j) * time.Millisecond),
				Line: fmt.Sprintf(`203.0.113.%d - - [14/Nov/2023:22:13:20 +0000] "GET /api/v1/items/%d?user=u%d HTTP/1.1" 200 %d "-" "Mozilla/5.0 (X11; Linux x86_64)"`,
					j%256, j, j*7, 1000+j),
			}
			if j%2 == 0 {
				e.StructuredMetadata = push.LabelsAdapter{{Name: "trace_id", Value: fmt.Sprintf("%032x", j)}}
			}
			streams[i].Entries = append(streams[i].Entries, e)
		}
	}
	return streams
}

// BenchmarkDecodeProtobuf decodes a Promtail-style request of 1000
// entries (snappy block of a push.PushRequest).
func BenchmarkDecodeProtobuf(b *testing.B) {
	body := protoBody(b, benchStreams()...)
	benchDecode(b, ctProto, "", body)
}

// BenchmarkDecodeProtobufGzip is BenchmarkDecodeProtobuf with the body
// also gzip-compressed.
func BenchmarkDecodeProtobufGzip(b *testing.B) {
	body := gzipBytes(b, protoBody(b, benchStreams()...))
	benchDecode(b, ctProto, "gzip", body)
}

// BenchmarkDecodeJSON decodes the same request in Loki's JSON format.
func BenchmarkDecodeJSON(b *testing.B) {
	body := []byte(`{"streams":[`)
	for i, s := range benchStreams() {
		if i > 0 {
			body = append(body, ',')
		}
		ls, _ := ParseLabels(s.Labels)
		body = append(body, `{"stream":{`...)
		for k, l := range ls {
			if k > 0 {
				body = append(body, ',')
			}
			body = fmt.Appendf(body, "%q:%q", l.Name, l.Value)
		}
		body = append(body, `},"values":[`...)
		for k, e := range s.Entries {
			if k > 0 {
				body = append(body, ',')
			}
			body = fmt.Appendf(body, `["%d",%q`, e.Timestamp.UnixNano(), e.Line)
			for _, m := range e.StructuredMetadata {
				body = fmt.Appendf(body, `,{%q:%q}`, m.Name, m.Value)
			}
			body = append(body, ']')
		}
		body = append(body, "]}"...)
	}
	body = append(body, "]}"...)
	benchDecode(b, ctJSON, "", body)
}

func benchDecode(b *testing.B, ct, ce string, body []byte) {
	if streams, err := Decode(ct, ce, body, 0); err != nil || countEntries(streams) != benchEntries {
		b.Fatalf("decode: %d entries, %v", countEntries(streams), err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(ct, ce, body, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*benchEntries/b.Elapsed().Seconds(), "entries/s")
}
