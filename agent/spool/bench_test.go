package spool

import (
	"fmt"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks"
)

// benchBatch returns 1000 entries with ~250-byte access-log lines.
func benchBatch() ([]sinks.Entry, int64) {
	es := make([]sinks.Entry, 1000)
	var n int64
	for i := range es {
		line := fmt.Appendf(nil, `198.51.100.0 - - [01/Mar/2026:12:00:%02d +0000] "GET /shop/products/%d?page=%d&sort=price HTTP/1.1" %d %d "https://www.example.com/shop/category/%d" "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"`,
			i%60, i*37, i%9, 200+i%3, 1000+i*13, i%17)
		es[i] = sinks.Entry{
			Time:     base.Add(time.Duration(i) * time.Microsecond),
			Labels:   []sinks.Label{{Name: "job", Value: "nginx"}, {Name: "host", Value: "web-1"}},
			Line:     line,
			Metadata: []sinks.Label{{Name: "client", Value: fmt.Sprintf("c%015x", i*7919)}},
		}
		n += int64(len(line))
	}
	return es, n
}

// benchSpool opens a spool for one sink "a" and sets the byte count.
func benchSpool(b *testing.B, n int64) *Spool {
	s, err := Open(Options{Dir: b.TempDir(), MaxBytes: 1 << 40, MaxAge: week}, []string{"a"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	b.SetBytes(n)
	b.ReportAllocs()
	return s
}

func BenchmarkAppend(b *testing.B) {
	es, n := benchBatch()
	s := benchSpool(b, n)
	for b.Loop() {
		if err := s.Append(es); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadAck(b *testing.B) {
	es, n := benchBatch()
	s := benchSpool(b, n)
	for b.Loop() {
		b.StopTimer()
		if err := s.Append(es); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		batch, err := s.Read("a", 1000, 0)
		if err != nil || len(batch.Entries) != 1000 {
			b.Fatalf("read %d, %v", len(batch.Entries), err)
		}
		if err := s.Ack(batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode measures the CPU cost of Read without the disk: parsing,
// decompressing and decoding one record of 1000 entries.
func BenchmarkDecode(b *testing.B) {
	es, n := benchBatch()
	rec, _, err := newEncoder().encode(es)
	if err != nil {
		b.Fatal(err)
	}
	p := append([]byte(nil), rec[headerSize:]...)
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		meta, err := parsePayload(p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := decodePayload(p, meta); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode is encoding a batch of 1000 entries into a record
// (msgpack and lz4), without writing it.
func BenchmarkEncode(b *testing.B) {
	es, n := benchBatch()
	e := newEncoder()
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := e.encode(es); err != nil {
			b.Fatal(err)
		}
	}
}
