package otelcoltest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks/sinktest/testbin"
)

const (
	readyTimeout = 30 * time.Second
	stopTimeout  = 30 * time.Second
	logTailLines = 60
	// readyLine is what the collector logs once every pipeline has
	// started.
	readyLine = "Everything is ready. Begin running and processing data."
)

// Exporter is the collector exporter that sends to tarn.
type Exporter string

// The exporters, by their component type (v0.165.0 still accepts the
// deprecated names otlp and otlphttp for them).
const (
	// GRPC is the otlp_grpc exporter: OTLP/gRPC to tarn's grpc listener.
	GRPC Exporter = "otlp_grpc"
	// HTTP is the otlp_http exporter: OTLP/HTTP, protobuf, to tarn's
	// http listener.
	HTTP Exporter = "otlp_http"
)

// The exporter's retry settings (retry_on_failure), shorter than the
// defaults (5s to 30s, giving up after 5m) so that a test waits seconds.
// A RESOURCE_EXHAUSTED with RetryInfo, or a 429 with Retry-After, makes
// the exporter wait at least the server's delay.
const (
	RetryInitialInterval = 100 * time.Millisecond
	RetryMaxInterval     = time.Second
	RetryMaxElapsed      = 3 * time.Minute
)

// Options tune the collector that Start runs.
type Options struct {
	// Exporter sends the logs pipeline to tarn; the zero value is GRPC.
	Exporter Exporter
	// Endpoint is tarn's listener for the exporter, host:port: the otlp
	// input's grpc.listen for GRPC, its http.listen for HTTP.
	Endpoint string
	// Token, if set, is sent as "authorization: Bearer <Token>" on every
	// export (the exporter's headers).
	Token string
}

// Collector is a running (or stopped) OpenTelemetry Collector started by
// Start. Its pipeline: otlp receiver, batch processor, the exporter to
// tarn.
type Collector struct {
	// GRPCEndpoint and HTTPEndpoint are the otlp receiver's listeners,
	// 127.0.0.1:PORT (plain text, no authentication).
	GRPCEndpoint, HTTPEndpoint string
	// ConfigPath is the collector's configuration file.
	ConfigPath string

	bin     string
	dir     string
	logPath string

	proc testbin.Proc
}

// Start runs the collector exporting to o.Endpoint, its receiver on free
// loopback ports, waits until it is ready and kills its process group
// when the test ends. On test failure the end of its log is printed.
func Start(t testing.TB, o Options) *Collector {
	t.Helper()
	if o.Endpoint == "" {
		t.Fatal("otelcoltest: Options.Endpoint is empty")
	}
	if o.Exporter == "" {
		o.Exporter = GRPC
	}
	if o.Exporter != GRPC && o.Exporter != HTTP {
		t.Fatalf("otelcoltest: unknown exporter %q", o.Exporter)
	}
	bin := Binary(t)
	dir := t.TempDir()
	ports := testbin.FreePorts(t, 2)
	c := &Collector{
		GRPCEndpoint: "127.0.0.1:" + strconv.Itoa(ports[0]),
		HTTPEndpoint: "127.0.0.1:" + strconv.Itoa(ports[1]),
		ConfigPath:   filepath.Join(dir, "otelcol.yaml"),
		bin:          bin,
		dir:          dir,
		logPath:      filepath.Join(dir, "otelcol.log"),
	}
	if err := os.WriteFile(c.ConfigPath, config(c, o), 0o600); err != nil {
		t.Fatalf("write collector config: %v", err)
	}
	t.Cleanup(func() {
		c.proc.Kill()
		if t.Failed() {
			t.Logf("last lines of %s:\n%s", c.logPath, c.logTail())
		}
	})
	c.run(t)
	return c
}

// config renders the collector's configuration: the otlp receiver on both
// protocols, the batch processor with a short timeout, the exporter to
// tarn with a sending queue and retries, no telemetry server of its own.
func config(c *Collector, o Options) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `receivers:
  otlp:
    protocols:
      grpc: {endpoint: %q}
      http: {endpoint: %q}
processors:
  batch: {timeout: 100ms, send_batch_size: 256}
exporters:
  %s:
`, c.GRPCEndpoint, c.HTTPEndpoint, o.Exporter)
	if o.Exporter == GRPC {
		fmt.Fprintf(&b, "    endpoint: %q\n    tls: {insecure: true}\n", o.Endpoint)
	} else {
		fmt.Fprintf(&b, "    endpoint: %q\n", "http://"+o.Endpoint)
	}
	if o.Token != "" {
		fmt.Fprintf(&b, "    headers: {authorization: %q}\n", "Bearer "+o.Token)
	}
	fmt.Fprintf(&b, `    timeout: 10s
    sending_queue: {enabled: true, num_consumers: 4, queue_size: 1000}
    retry_on_failure: {enabled: true, initial_interval: %s, max_interval: %s, max_elapsed_time: %s}
service:
  telemetry:
    metrics: {level: none}
    logs: {level: info}
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [%s]
`, RetryInitialInterval, RetryMaxInterval, RetryMaxElapsed, o.Exporter)
	return b.Bytes()
}

// Stop shuts the collector down gracefully (SIGTERM, then SIGKILL to the
// process group after 30s) and waits for it to exit. On SIGTERM the
// collector stops its receiver first and drains its sending queue.
func (c *Collector) Stop(t testing.TB) {
	t.Helper()
	if err := c.proc.Stop(stopTimeout); err != nil {
		t.Logf("otelcoltest: %v", err)
	}
}

// Log returns the collector's log so far.
func (c *Collector) Log() string {
	b, _ := os.ReadFile(c.logPath)
	return string(b)
}

// run starts the process and waits until it is ready.
func (c *Collector) run(t testing.TB) {
	t.Helper()
	begin := time.Now()
	if err := c.proc.Start(testbin.Process{Bin: c.bin, Args: []string{"--config", c.ConfigPath}, Dir: c.dir, Log: c.logPath}); err != nil {
		t.Fatalf("start the collector: %v", err)
	}
	if err := c.waitReady(); err != nil {
		c.proc.Kill()
		t.Fatalf("the collector did not become ready: %v\nlast lines of %s:\n%s", err, c.logPath, c.logTail())
	}
	t.Logf("otelcoltest: collector ready after %s, receiving on %s (gRPC) and %s (HTTP)",
		time.Since(begin).Round(time.Millisecond), c.GRPCEndpoint, c.HTTPEndpoint)
}

// waitReady waits until the collector logs that it is ready and both
// receiver ports accept connections, or the process exits, or
// readyTimeout passes.
func (c *Collector) waitReady() error {
	done := c.proc.Done()
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("the collector exited during startup: %v", c.proc.Exited())
		default:
		}
		if bytes.Contains([]byte(c.Log()), []byte(readyLine)) && accepts(c.GRPCEndpoint) && accepts(c.HTTPEndpoint) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s", readyTimeout)
}

// accepts reports whether addr accepts a TCP connection.
func accepts(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// logTail returns the last lines of the collector's log.
func (c *Collector) logTail() string {
	b, err := os.ReadFile(c.logPath)
	if err != nil {
		return err.Error()
	}
	return testbin.Tail(b, logTailLines)
}
