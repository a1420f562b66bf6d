package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tarn-project/tarn/benchmarks/corpus"
)

// BenchmarkFilterCRI runs `tarn filter --format cri` (default rules, both
// workers) in process over 200,000 combined lines of the benchmark corpus
// wrapped as a container's CRI log: "split" splits every eighth line into
// a partial and a final record (the joining stage joins them), "full"
// writes every line as one record (records pass the stage verbatim), and
// "text" is the same combined lines unwrapped, with --format auto, which
// also goes through the stage; "combined" bypasses it. One op is one run
// over all lines; lines/s counts logical lines.
func BenchmarkFilterCRI(b *testing.B) {
	const n = 200000
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	g := corpus.New(corpus.Options{Kind: corpus.Combined, Seed: 1, Start: start})
	var buf bytes.Buffer
	if _, err := g.WriteN(&buf, n); err != nil {
		b.Fatal(err)
	}
	plain := buf.Bytes()
	dir := b.TempDir()
	key := filepath.Join(dir, "key")
	if err := os.WriteFile(key, []byte(mustTarn(b, "", "keygen").stdout), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, format string
		data         []byte
	}{
		{"split", "cri", corpus.WrapCRI(plain, start, 8)},
		{"full", "cri", corpus.WrapCRI(plain, start, 0)},
		{"text", "auto", plain},
		{"combined", "combined", plain},
	} {
		b.Run(c.name, func(b *testing.B) {
			args := []string{"filter", "--format", c.format, "--key-file", key, "--now", "2026-11-20T12:00:00Z"}
			b.SetBytes(int64(len(c.data)))
			t0 := time.Now()
			for b.Loop() {
				if code := run(args, bytes.NewReader(c.data), io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/time.Since(t0).Seconds(), "lines/s")
		})
	}
}
