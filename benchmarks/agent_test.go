package benchmarks

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent"
	"github.com/tarn-project/tarn/benchmarks/corpus"
	_ "github.com/tarn-project/tarn/sinks/all"
)

// BenchmarkAgentEndToEnd runs the whole agent in run-once mode: tail a
// generated combined log → default rules → spool (fsync per chunk) → file
// sink (fsync per batch), with positions committed along the way. One op
// is one complete run over agentLines lines; lines/s is reported. Run with
// -cpu 1 for the one-core figure. The sub-benchmark "aggregate" adds the
// rules' aggregate section (windows, routes, visitors) to the same run.
func BenchmarkAgentEndToEnd(b *testing.B) {
	for _, c := range []struct{ name, rules string }{
		{"default", "rules: builtin:default\n"},
		{"aggregate", "rules:\n  extends: [builtin:default]\n  aggregate: {}\n"},
	} {
		b.Run(c.name, func(b *testing.B) { agentEndToEnd(b, c.rules) })
	}
}

func agentEndToEnd(b *testing.B, rulesSection string) {
	const agentLines = 200000
	dir := b.TempDir()
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	g := corpus.New(corpus.Options{Kind: corpus.Combined, Seed: 1, Start: corpusStart})
	f, err := os.Create(filepath.Join(dir, "logs", "access.log"))
	if err != nil {
		b.Fatal(err)
	}
	size, err := g.WriteN(f, agentLines)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	cfg := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(cfg, []byte(`data_dir: data
`+rulesSection+`inputs:
  - {name: web, type: file, paths: ["logs/*.log"], format: combined, start_at: beginning}
sinks:
  - {name: archive, type: file, path: out}
server: {listen: ""}
`), 0o644)
	now := corpusStart.Add(time.Hour)
	b.SetBytes(size)
	start := time.Now()
	for b.Loop() {
		os.RemoveAll(filepath.Join(dir, "data"))
		os.RemoveAll(filepath.Join(dir, "out"))
		a := agent.New(agent.Options{ConfigPath: cfg, Once: true, Now: func() time.Time { return now }})
		if err := a.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(agentLines)*float64(b.N)/time.Since(start).Seconds(), "lines/s")
}
