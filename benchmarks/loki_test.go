package benchmarks

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/benchmarks/corpus"
	"github.com/tarn-project/tarn/sinks/loki/lokitest"
)

// BenchmarkLokiShip measures one tarn process (the real binary, `tarn run
// --once`) tailing a generated combined log with the default rules into a
// local Loki (the real binary, limits raised so they do not throttle):
// lines/s delivered, tarn's CPU seconds per million lines shipped, and
// Loki's own CPU seconds for the same lines (from its
// process_cpu_seconds_total), reported separately. Every line is counted
// back from Loki. Run it once:
//
//	go test -run '^$' -bench BenchmarkLokiShip -benchtime 1x ./benchmarks/
//
// TARN_LOKI_BENCH_LINES sets the number of lines (default 300000).
func BenchmarkLokiShip(b *testing.B) {
	n := 300000
	if v, err := strconv.Atoi(os.Getenv("TARN_LOKI_BENCH_LINES")); err == nil && v > 0 {
		n = v
	}
	l := lokitest.Start(b, lokitest.Options{IngestionRateMB: 1024, IngestionBurstMB: 2048})
	dir := b.TempDir()
	bin := filepath.Join(dir, "tarn")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/tarn").CombinedOutput(); err != nil {
		b.Fatalf("build tarn: %v\n%s", err, out)
	}
	// The corpus advances 0.75 s per line on average; it must end before
	// now (Loki rejects entries from the future) and start within Loki's
	// and tarn's 7 days.
	span := time.Duration(n) * 750 * time.Millisecond
	if span > 6*24*time.Hour {
		b.Fatalf("%d lines span %s of log time, more than the 7 days Loki accepts", n, span)
	}
	start := time.Now().Add(-span - 2*time.Hour).Truncate(time.Second)
	writeCorpus(b, filepath.Join(dir, "logs", "access.log"), n, start)
	cfg := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: data
rules: builtin:default
inputs:
  - {name: web, type: file, paths: ["logs/*.log"], format: combined, start_at: beginning, labels: {job: bench}}
sinks:
  - {name: loki, type: loki, url: %q, batch_wait: 100ms, batch_size: 1MiB}
server: {listen: ""}
`, l.PushURL())), 0o644)
	for range b.N {
		os.RemoveAll(filepath.Join(dir, "data"))
		lokiBefore := metricSum(l.Metrics(b), "process_cpu_seconds_total")
		cmd := exec.Command(bin, "run", "--config", cfg, "--once", "--log-level", "warn")
		cmd.Stderr = os.Stderr
		began := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("tarn run: %v", err)
		}
		wall := time.Since(began)
		tarnCPU := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		lokiCPU := metricSum(l.Metrics(b), "process_cpu_seconds_total") - lokiBefore
		b.ReportMetric(float64(n)/wall.Seconds(), "lines/s")
		b.ReportMetric(tarnCPU*1e6/float64(n), "tarn-cpu-s/1M-lines")
		b.ReportMetric(lokiCPU*1e6/float64(n), "loki-cpu-s/1M-lines")
	}
	b.StopTimer()
	// Loki's own counters: every line received once per run, none
	// discarded. (The lines span days of log time; a query over them
	// sees recent chunks late, so counting is done by Loki's metrics.)
	m := l.Metrics(b)
	if got := metricSum(m, "loki_distributor_lines_received_total"); got != float64(n*b.N) {
		b.Fatalf("loki received %.0f lines, want %d", got, n*b.N)
	}
	if d := metricSum(m, "loki_discarded_samples_total"); d != 0 {
		b.Fatalf("loki discarded %.0f lines", d)
	}
}

// writeCorpus writes n combined lines starting at start.
func writeCorpus(b *testing.B, path string, n int, start time.Time) {
	b.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	g := corpus.New(corpus.Options{Kind: corpus.Combined, Seed: 1, Start: start})
	if _, err := g.WriteN(w, n); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// metricSum adds up the samples of one metric on a metrics page.
func metricSum(page, name string) float64 {
	sum := 0.0
	for _, line := range strings.Split(page, "\n") {
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		f, err := strconv.ParseFloat(rest[strings.LastIndexByte(rest, ' ')+1:], 64)
		if err == nil {
			sum += f
		}
	}
	return sum
}
