package lokitest

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks/sinktest/testbin"
)

const (
	readyTimeout = 60 * time.Second
	stopTimeout  = 10 * time.Second
	logTailLines = 50
)

// Loki is a running (or stopped) Loki server started by Start.
type Loki struct {
	bin     string
	dir     string // data directory, kept across restarts
	cfgPath string
	logPath string
	ports   ports
	client  *http.Client

	proc testbin.Proc
}

// Start runs a Loki configured by o with its data in a temporary
// directory, waits until it is ready and stops it when the test ends. On
// test failure the end of Loki's log is printed.
func Start(t testing.TB, o Options) *Loki {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	l := &Loki{
		bin:     bin,
		dir:     dir,
		cfgPath: filepath.Join(dir, "loki.yaml"),
		logPath: filepath.Join(dir, "loki.log"),
		ports:   freePorts(t),
		client:  &http.Client{Timeout: 30 * time.Second},
	}
	cfg := config(o, filepath.Join(dir, "data"), l.ports)
	if err := os.WriteFile(l.cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatalf("write loki config: %v", err)
	}
	t.Cleanup(func() {
		if err := l.proc.Stop(stopTimeout); err != nil {
			t.Logf("stop loki: %v", err)
		}
		if t.Failed() {
			t.Logf("last lines of %s:\n%s", l.logPath, l.logTail())
		}
	})
	l.run(t)
	return l
}

// URL is the base URL of Loki's HTTP API, http://127.0.0.1:PORT.
func (l *Loki) URL() string {
	return "http://127.0.0.1:" + strconv.Itoa(l.ports.http)
}

// PushURL is the URL of Loki's push API, URL()+"/loki/api/v1/push".
func (l *Loki) PushURL() string {
	return l.URL() + "/loki/api/v1/push"
}

// Stop shuts Loki down gracefully (SIGTERM, then SIGKILL after 10s) and
// waits for it to exit. The data directory is kept for Restart.
func (l *Loki) Stop(t testing.TB) {
	t.Helper()
	if err := l.proc.Stop(stopTimeout); err != nil {
		t.Logf("stop loki: %v", err)
	}
}

// Kill stops Loki with SIGKILL, as a crash would, and waits for it to
// exit. The data directory is kept for Restart.
func (l *Loki) Kill(t testing.TB) {
	t.Helper()
	l.proc.Kill()
}

// Restart stops Loki if it is running and starts it again on the same
// ports and data directory, waiting until it is ready. Data acknowledged
// before the stop is recovered from the ingester's write-ahead log.
func (l *Loki) Restart(t testing.TB) {
	t.Helper()
	l.Stop(t)
	l.run(t)
}

// run starts the process and waits for /ready.
func (l *Loki) run(t testing.TB) {
	t.Helper()
	if err := l.proc.Start(testbin.Process{Bin: l.bin, Args: []string{"-config.file=" + l.cfgPath}, Dir: l.dir, Log: l.logPath}); err != nil {
		t.Fatalf("start loki: %v", err)
	}
	begin := time.Now()
	if err := l.waitReady(); err != nil {
		l.proc.Stop(stopTimeout)
		t.Fatalf("loki did not become ready: %v\nlast lines of %s:\n%s", err, l.logPath, l.logTail())
	}
	t.Logf("lokitest: Loki ready at %s after %s", l.URL(), time.Since(begin).Round(time.Millisecond))
}

// waitReady polls GET /ready until it answers 200, the process exits or
// readyTimeout passes.
func (l *Loki) waitReady() error {
	done := l.proc.Done()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	last := "no answer"
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("loki exited during startup: %v", l.proc.Exited())
		default:
		}
		status, body, err := do(client, http.MethodGet, l.URL()+"/ready", "", nil, nil)
		if err == nil && status == http.StatusOK {
			return nil
		}
		if err == nil {
			last = fmt.Sprintf("%d %s", status, bytes.TrimSpace(body))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("GET /ready still not 200 after %s (last: %s)", readyTimeout, last)
}

// logTail returns the last lines of Loki's log file.
func (l *Loki) logTail() string {
	b, err := os.ReadFile(l.logPath)
	if err != nil {
		return err.Error()
	}
	return testbin.Tail(b, logTailLines)
}

// Metrics returns Loki's Prometheus metrics (GET /metrics), e.g. to read
// loki_discarded_samples_total.
func (l *Loki) Metrics(t testing.TB) string {
	t.Helper()
	status, body, err := do(l.client, http.MethodGet, l.URL()+"/metrics", "", nil, nil)
	if err != nil {
		t.Fatalf("get loki metrics: %v", err)
	}
	if status != http.StatusOK {
		t.Fatalf("get loki metrics: status %d: %s", status, body)
	}
	return string(body)
}

// Push posts body, a push request in Loki's JSON format, to PushURL as
// tenant (no X-Scope-OrgID header when empty) and returns the response
// status and body without judging them.
func (l *Loki) Push(t testing.TB, tenant string, body []byte) (int, string) {
	t.Helper()
	status, b, err := do(l.client, http.MethodPost, l.PushURL(), tenant, body, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		t.Fatalf("push to loki: %v", err)
	}
	return status, string(b)
}

// do sends a request with body (none when nil) and header as tenant (no
// X-Scope-OrgID header when empty) and returns the response status and
// body.
func do(c *http.Client, method, url, tenant string, body []byte, header http.Header) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, err
	}
	maps.Copy(req.Header, header)
	if tenant != "" {
		req.Header.Set("X-Scope-OrgID", tenant)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// freePorts picks distinct free loopback ports for Loki.
func freePorts(t testing.TB) ports {
	t.Helper()
	p := testbin.FreePorts(t, 3)
	return ports{http: p[0], grpc: p[1], memberlist: p[2]}
}
