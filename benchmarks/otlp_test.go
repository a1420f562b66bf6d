package benchmarks

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// otlpBatch is the records of one export request: the OpenTelemetry
// SDKs' default batch (512 records) of an API gateway's access records,
// with the attributes the semantic conventions name.
const otlpBatch = 512

// otlpRequest builds export request n.
func otlpRequest(n int) plogotlp.ExportRequest {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "api-gateway")
	rl.Resource().Attributes().PutStr("k8s.namespace.name", "shop")
	rl.Resource().Attributes().PutStr("host.name", "gw-1")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("gateway/access")
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := range otlpBatch {
		k := n*otlpBatch + i
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(now)
		lr.SetSeverityText("INFO")
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		lr.Body().SetStr(fmt.Sprintf("POST /v1/chat/completions 200 in %dms for user%d@example.com", k%900, k%5000))
		a := lr.Attributes()
		a.PutStr("client.address", fmt.Sprintf("198.51.%d.%d", k%200, k%250))
		a.PutStr("user.id", fmt.Sprintf("u-%d", k%5000))
		a.PutStr("http.request.method", "POST")
		a.PutStr("url.full", fmt.Sprintf("https://api.example.com/v1/chat/completions?session=%x", k))
		a.PutInt("http.response.status_code", 200)
		a.PutStr("http.request.header.authorization", "Bearer sk-live-0123456789abcdef")
	}
	return plogotlp.NewExportRequestFromLogs(ld)
}

// BenchmarkOTLP measures the otlp input with the default rules and a
// file sink: 4 senders export 512-record requests over OTLP/HTTP
// (protobuf) or OTLP/gRPC, each answered after its records are fsynced
// in the spool. One op is one request; records/s is reported. Run it on
// one core as
//
//	go test -run '^$' -bench BenchmarkOTLP -cpu 1 -benchtime 200x ./benchmarks/
func BenchmarkOTLP(b *testing.B) {
	for _, proto := range []string{"http", "grpc"} {
		b.Run(proto, func(b *testing.B) { benchOTLP(b, proto) })
	}
}

func benchOTLP(b *testing.B, proto string) {
	dir := b.TempDir()
	addr := freeAddr(b)
	cfg := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`data_dir: data
rules: builtin:default
inputs:
  - {name: otel, type: otlp, %s: {listen: %q}}
sinks:
  - {name: archive, type: file, path: out}
server: {listen: ""}
`, proto, addr)), 0o644)
	serveAgent(b, cfg, nil, addr)
	reqs := make([]plogotlp.ExportRequest, 16)
	bodies := make([][]byte, len(reqs))
	for i := range reqs {
		reqs[i] = otlpRequest(i)
		bodies[i], _ = reqs[i].MarshalProto()
	}
	send := otlpSender(b, proto, addr, reqs, bodies)
	const senders = 4
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < b.N; i = int(next.Add(1) - 1) {
				if err := send(i % len(reqs)); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d of %d requests failed", failed.Load(), b.N)
	}
	b.ReportMetric(float64(b.N*otlpBatch)/b.Elapsed().Seconds(), "records/s")
}

// otlpSender returns a function that exports request i over proto.
func otlpSender(b *testing.B, proto, addr string, reqs []plogotlp.ExportRequest, bodies [][]byte) func(i int) error {
	if proto == "grpc" {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		client := plogotlp.NewGRPCClient(conn)
		return func(i int) error {
			_, err := client.Export(context.Background(), reqs[i])
			return err
		}
	}
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	url := "http://" + addr + "/v1/logs"
	return func(i int) error {
		resp, err := cl.Post(url, "application/x-protobuf", bytes.NewReader(bodies[i]))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
}
