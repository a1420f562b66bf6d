package benchmarks

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPushSmall is the load test of issue 12: many tiny pushes (one
// JSON entry each) from 16 concurrent clients into a loki_push input with
// the default rules and a file sink; every request is answered only after
// its entries are fsynced in the spool. One op is one request; requests/s
// and the 99th percentile latency are reported. Run it as
//
//	go test -run '^$' -bench BenchmarkPushSmall -benchtime 10000x ./benchmarks/
func BenchmarkPushSmall(b *testing.B) {
	dir := b.TempDir()
	addr := freeAddr(b)
	cfg := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(cfg, []byte(`data_dir: data
rules: builtin:default
inputs:
  - {name: push, type: loki_push, listen: "`+addr+`", format: auto}
sinks:
  - {name: archive, type: file, path: out}
server: {listen: ""}
`), 0o644)
	serveAgent(b, cfg, nil, addr)
	url := "http://" + addr + "/loki/api/v1/push"
	const clients = 16
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	lat := make([]time.Duration, b.N)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < b.N; i = int(next.Add(1) - 1) {
				body := fmt.Sprintf(`{"streams":[{"stream":{"app":"load"},"values":[["%d","request %d from 198.51.100.%d"]]}]}`, time.Now().UnixNano(), i, i%250)
				t0 := time.Now()
				resp, err := cl.Post(url, "application/json", strings.NewReader(body))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat[i] = time.Since(t0)
				if err != nil || resp.StatusCode != http.StatusNoContent {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests not answered 204", n, b.N)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
	b.ReportMetric(float64(lat[b.N*99/100].Microseconds())/1000, "p99_ms")
	b.ReportMetric(float64(lat[b.N/2].Microseconds())/1000, "p50_ms")
}
