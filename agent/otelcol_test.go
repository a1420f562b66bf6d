package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"

	"github.com/tarn-project/tarn/agent/inputs/otlp/otelcoltest"
)

// The exporters of the real collector, by the transport they use to reach
// tarn: protocol is the label of tarn's otlp metrics, listener picks the
// otlp input's address from its gRPC and HTTP ones, throttled is what the
// collector logs when tarn answers "spool full".
var collectorExporters = []struct {
	name      string
	exporter  otelcoltest.Exporter
	protocol  string
	listener  func(grpcAddr, httpAddr string) string
	throttled string
}{
	{"otlp_grpc", otelcoltest.GRPC, "grpc", func(g, _ string) string { return g }, "code = ResourceExhausted desc = spool full"},
	{"otlp_http", otelcoltest.HTTP, "http", func(_, h string) string { return h }, "responded with HTTP Status Code 429"},
}

// sendToCollector emits n records numbered via-0 ... via-(n-1) with the
// OpenTelemetry Go SDK (e-mails, IPs and tokens in body and attributes,
// see emit) to the collector's OTLP/HTTP receiver.
func sendToCollector(t *testing.T, c *otelcoltest.Collector, via string, n int, at time.Time) {
	t.Helper()
	exp, err := otlploghttp.New(context.Background(), otlploghttp.WithEndpoint(c.HTTPEndpoint), otlploghttp.WithInsecure(),
		otlploghttp.WithCompression(otlploghttp.GzipCompression))
	if err != nil {
		t.Fatal(err)
	}
	emit(t, exp, via, n, at)
}

// collectorDropped is what the collector's exporter logs when it gives
// up on a batch: tarn's answer was not retryable, or the retries ran out.
const collectorDropped = "Exporting failed. Dropping data."

// waitCollector waits up to d for cond, failing at once if the collector
// c drops data, for what waits on the collector's retries.
func waitCollector(t *testing.T, c *otelcoltest.Collector, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if strings.Contains(c.Log(), collectorDropped) {
			t.Fatalf("the collector dropped data while waiting for %s", what)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkCollectorOutput requires every record sent (counts[via] numbered
// records per via) exactly once in the file sink's output and nothing
// else, each anonymized with its resource labels and metadata, and no
// secret of otlpSecrets anywhere.
func checkCollectorOutput(t *testing.T, s *setup, counts map[string]int, at time.Time) {
	t.Helper()
	out := otlpOutput(t, s)
	seen := map[string]int{}
	total := 0
	for _, e := range out {
		_, seq, ok := strings.Cut(e.Line, "seq=")
		if !ok {
			t.Fatalf("line without seq: %q", e.Line)
		}
		seen[seq]++
		if e.Labels["service_name"] != "checkout" || e.Labels["k8s_namespace_name"] != "shop" || e.Labels["input"] != "otel" || e.Labels["via"] != "tarn" {
			t.Fatalf("labels %v", e.Labels)
		}
		m := e.Metadata
		if m["client.address"] != "198.51.100.0" || m["http.response.status_code"] != "401" || m["severity_text"] != "WARN" ||
			m["scope.name"] != "shop/auth" || m["scope.version"] != "1.2.3" || len(m["user.email"]) != 16 || m["session.sid"] == "" ||
			m["host.name"] == "" || m["url.full"] == "" || m["http.request.header.authorization"] == "" {
			t.Fatalf("metadata %v", m)
		}
		if !strings.HasPrefix(e.Line, "login failed for ") || !strings.Contains(e.Line, " from 203.0.113.0 ") {
			t.Fatalf("line %q", e.Line)
		}
		if e.Time.Before(at) || e.Time.After(at.Add(time.Minute)) {
			t.Fatalf("time %v, want the record's own (from %v)", e.Time, at)
		}
	}
	for via, n := range counts {
		total += n
		for i := range n {
			if c := seen[fmt.Sprintf("%s-%d", via, i)]; c != 1 {
				t.Fatalf("record %s-%d arrived %d times", via, i, c)
			}
		}
	}
	if len(out) != total {
		t.Fatalf("%d entries, want %d", len(out), total)
	}
	raw, _ := json.Marshal(out)
	for _, secret := range append(otlpSecrets, "s3cret-token", "shop.example/pay?token=tok") {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%q reached the output", secret)
		}
	}
}

// TestOTLPFromCollector sends records with e-mails, IPs and bearer tokens
// in body and attributes with the OpenTelemetry Go SDK to a real
// OpenTelemetry Collector (otlp receiver, batch processor, otlp_grpc or
// otlp_http exporter with tarn's bearer token, sending queue and retries
// on, as users run it), which forwards them to tarn's otlp input: every
// record arrives exactly once, anonymized, with its resource labels and
// metadata.
func TestOTLPFromCollector(t *testing.T) {
	for _, ex := range collectorExporters {
		t.Run(ex.name, func(t *testing.T) {
			otelcoltest.Binary(t) // skip before starting tarn
			grpcAddr, httpAddr := freePort(t), freePort(t)
			s := start(t, otlpConfig(t, t.TempDir(), grpcAddr, httpAddr, "", ""), Options{})
			waitListening(t, grpcAddr)
			waitListening(t, httpAddr)
			c := otelcoltest.Start(t, otelcoltest.Options{Exporter: ex.exporter, Endpoint: ex.listener(grpcAddr, httpAddr), Token: "s3cret-token"})
			at := time.Now().Add(-time.Minute).UTC().Truncate(time.Millisecond)
			const n = 1000
			sendToCollector(t, c, "a", n, at)
			sendToCollector(t, c, "b", n, at)
			waitFor(t, "the records in the file sink", func() bool { return len(s.output(t)) >= 2*n })
			c.Stop(t) // drains the collector's queue: a duplicate would arrive now
			if want := fmt.Sprintf(`tarn_otlp_log_records_total{input="otel",outcome="kept",protocol=%q} %d`, ex.protocol, 2*n); !strings.Contains(s.metrics(), want) {
				t.Errorf("metrics lack %s:\n%s", want, metricLines(s.metrics(), "tarn_otlp_"))
			}
			if strings.Contains(c.Log(), "Exporting failed") {
				t.Errorf("the collector's exports failed")
			}
			if strings.Contains(s.metrics(), "tarn_otlp_rejected_requests_total") {
				t.Errorf("requests rejected:\n%s", metricLines(s.metrics(), "tarn_otlp_rejected"))
			}
			if err := s.stop(t); err != nil {
				t.Fatal(err)
			}
			checkCollectorOutput(t, s, map[string]int{"a": n, "b": n}, at)
		})
	}
}

// TestOTLPCollectorRetriesFullSpool fills tarn's spool (1MiB) while its
// only sink cannot write: tarn answers the collector's exports
// RESOURCE_EXHAUSTED with RetryInfo (gRPC) or 429 with Retry-After
// (HTTP), the collector keeps the batches in its sending queue and
// retries them, and once the sink works again and the spool drains,
// every record arrives exactly once.
func TestOTLPCollectorRetriesFullSpool(t *testing.T) {
	for _, ex := range collectorExporters {
		t.Run(ex.name, func(t *testing.T) {
			otelcoltest.Binary(t)
			grpcAddr, httpAddr := freePort(t), freePort(t)
			cfg := otlpConfig(t, t.TempDir(), grpcAddr, httpAddr, "", "spool: {max_bytes: 1MiB}\n")
			s := start(t, cfg, Options{})
			waitListening(t, grpcAddr)
			waitListening(t, httpAddr)
			out := filepath.Join(s.dir, "out")
			waitFor(t, "the sink's directory", func() bool { _, err := os.Stat(out); return err == nil })
			repair := breakDir(t, out) // before its first file: every send fails
			c := otelcoltest.Start(t, otelcoltest.Options{Exporter: ex.exporter, Endpoint: ex.listener(grpcAddr, httpAddr), Token: "s3cret-token"})
			at := time.Now().Add(-time.Minute).UTC().Truncate(time.Millisecond)

			busy := fmt.Sprintf(`tarn_otlp_rejected_requests_total{input="otel",protocol=%q,reason="busy"}`, ex.protocol)
			counts := map[string]int{}
			const perRound, maxRounds = 2000, 100 // the SDK queues 2048 records; one takes about 14 bytes in the spool
			for round := 0; s.metric(busy) <= 0; round++ {
				if round == maxRounds {
					t.Fatalf("%d records did not fill the spool: %v bytes", round*perRound, s.metric("tarn_spool_bytes"))
				}
				via := fmt.Sprintf("r%d", round)
				sendToCollector(t, c, via, perRound, at)
				counts[via] = perRound
				waitCollector(t, c, "the round spooled or refused", 30*time.Second, func() bool {
					return s.metric(busy) > 0 || s.metric(fmt.Sprintf(`tarn_otlp_log_records_total{input="otel",outcome="kept",protocol=%q}`, ex.protocol)) >= float64((round+1)*perRound)
				})
			}
			// One more round while the spool is full, then let tarn
			// refuse the retries for a few seconds.
			sendToCollector(t, c, "full", perRound, at)
			counts["full"] = perRound
			retried := s.metric(busy) + 3
			waitCollector(t, c, "the collector's retries refused", time.Minute, func() bool { return s.metric(busy) >= retried })
			if n := len(s.output(t)); n != 0 {
				t.Fatalf("%d entries written by a broken sink", n)
			}
			if log := c.Log(); !strings.Contains(log, ex.throttled) || !strings.Contains(log, "Will retry the request after interval") {
				t.Errorf("the collector did not log the refusal %q and its retry", ex.throttled)
			}
			t.Logf("spool full after %d records, %v refusals; repairing the sink", sumCounts(counts), s.metric(busy))

			repair()
			waitCollector(t, c, "every record after the repair", 2*time.Minute, func() bool { return len(s.output(t)) >= sumCounts(counts) })
			c.Stop(t)
			if strings.Contains(c.Log(), collectorDropped) {
				t.Errorf("the collector dropped data")
			}
			if err := s.stop(t); err != nil {
				t.Fatal(err)
			}
			checkCollectorOutput(t, s, counts, at)
		})
	}
}

// sumCounts adds up the counts.
func sumCounts(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// metricLines returns the lines of text that contain sub.
func metricLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
