package benchmarks

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent"
	_ "github.com/tarn-project/tarn/agent/inputs/all"
	"github.com/tarn-project/tarn/benchmarks/corpus"
	_ "github.com/tarn-project/tarn/sinks/all"
)

// BenchmarkAgentEndToEnd runs the whole agent in run-once mode: tail a
// generated combined log → default rules → spool (fsync per chunk) → file
// sink (fsync per batch), with positions committed along the way. One op
// is one complete run over agentLines lines; lines/s is reported. Run with
// -cpu 1 for the one-core figure. The sub-benchmark "aggregate" adds the
// rules' aggregate section (windows, routes, visitors) to the same run;
// "cri" reads the same lines as a container's CRI log (every eighth line
// split into a partial and a final record) with format cri.
func BenchmarkAgentEndToEnd(b *testing.B) {
	for _, c := range []struct{ name, rules, format string }{
		{"default", "rules: builtin:default\n", "combined"},
		{"aggregate", "rules:\n  extends: [builtin:default]\n  aggregate: {}\n", "combined"},
		{"cri", "rules: builtin:default\n", "cri, message_format: combined"},
	} {
		b.Run(c.name, func(b *testing.B) { agentEndToEnd(b, c.rules, c.format) })
	}
}

func agentEndToEnd(b *testing.B, rulesSection, format string) {
	const agentLines = 200000
	dir := b.TempDir()
	logs := filepath.Join(dir, "logs", "ns_pod_uid", "app")
	os.MkdirAll(logs, 0o755)
	g := corpus.New(corpus.Options{Kind: corpus.Combined, Seed: 1, Start: corpusStart})
	var buf bytes.Buffer
	if _, err := g.WriteN(&buf, agentLines); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	if format != "combined" {
		data = corpus.WrapCRI(data, corpusStart, 8)
	}
	if err := os.WriteFile(filepath.Join(logs, "0.log"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	size := int64(len(data))
	cfg := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(cfg, []byte(`data_dir: data
`+rulesSection+`inputs:
  - {name: web, type: file, paths: ["logs/*/*/*.log"], format: `+format+`, start_at: beginning}
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
