package agent

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tarn-project/tarn/agent/positions"

	_ "github.com/tarn-project/tarn/agent/inputs/all"
	_ "github.com/tarn-project/tarn/sinks/all"
)

// clock is a settable clock for retention tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// setup is one agent under test: its directory, configuration and logs.
type setup struct {
	dir, cfg string
	logs     *syncBuffer
	a        *Agent
	cancel   context.CancelFunc
	done     chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// config writes a configuration with one file input over dir/logs/*.log and
// one file sink in dir/out; extra is appended at the top level.
func writeConfig(t *testing.T, dir, extra string) string {
	t.Helper()
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	body := `data_dir: data
rules: builtin:default
inputs:
  - name: web
    type: file
    paths: ["logs/*.log"]
    format: combined
    start_at: beginning
    labels: {job: web}
sinks:
  - name: archive
    type: file
    path: out
    rotate: {max_bytes: 1KiB}
server: {listen: ""}
` + extra
	p := filepath.Join(dir, "tarn.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs an agent on cfg in the background.
func start(t *testing.T, cfg string, o Options) *setup {
	t.Helper()
	s := &setup{dir: filepath.Dir(cfg), cfg: cfg, logs: &syncBuffer{}, done: make(chan error, 1)}
	o.ConfigPath = cfg
	enc := zap.NewProductionEncoderConfig()
	o.Logger = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(s.logs), zapcore.DebugLevel))
	if o.Poll == 0 {
		o.Poll = 10 * time.Millisecond
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = time.Second
	}
	if o.MaxBackoff == 0 {
		o.MinBackoff, o.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	}
	s.a = New(o)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- s.a.Run(ctx) }()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// runOnce runs an agent in run-once mode to its end.
func runOnce(t *testing.T, cfg string) *setup {
	t.Helper()
	s := start(t, cfg, Options{Once: true})
	if err := <-s.done; err != nil {
		t.Fatal(err)
	}
	close(s.done)
	return s
}

// stop shuts the agent down and returns Run's error.
func (s *setup) stop(t *testing.T) error {
	s.cancel()
	select {
	case err, ok := <-s.done:
		if ok {
			close(s.done)
			return err
		}
		return nil
	case <-time.After(30 * time.Second):
		t.Fatal("agent did not stop within 30s")
		return nil
	}
}

// output returns the lines in the file sink's directory.
func (s *setup) output(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.dir, "out", "archive-*.log"))
	var lines []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
	}
	return lines
}

// metrics returns the /metrics page.
func (s *setup) metrics() string {
	rec := httptest.NewRecorder()
	s.a.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// metric returns the value of the sample whose name and labels are given
// exactly (e.g. `tarn_spool_entries`), or -1.
func (s *setup) metric(sample string) float64 {
	for _, l := range strings.Split(s.metrics(), "\n") {
		if v, ok := strings.CutPrefix(l, sample+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	return -1
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// accessLine is a combined-format line with a numbered path so every line
// can be told apart after anonymization; a hash of n in the path keeps the
// spool from compressing the lines to almost nothing.
func accessLine(n int, ts time.Time) string {
	h := uint64(n+1) * 0x9E3779B97F4A7C15
	h ^= h >> 31
	return fmt.Sprintf(`203.0.113.%d - alice [%s] "GET /r/%x/item/%d HTTP/1.1" 200 512 "-" "curl/8.0"`,
		n%250+1, ts.Format("02/Jan/2006:15:04:05 -0700"), h*0xBF58476D1CE4E5B9, n)
}

func appendLines(t *testing.T, path string, from, to int, ts time.Time) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := from; i < to; i++ {
		io.WriteString(w, accessLine(i, ts)+"\n")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// itemCounts counts how often each /item/N appears in lines.
func itemCounts(lines []string) map[string]int {
	seen := map[string]int{}
	for _, l := range lines {
		i := strings.Index(l, "/item/")
		if i < 0 {
			continue
		}
		j := strings.IndexByte(l[i:], ' ')
		seen[l[i:i+j]]++
	}
	return seen
}

// checkExactlyOnce fails unless items from..to-1 each appear exactly once.
func checkExactlyOnce(t *testing.T, lines []string, from, to int) {
	t.Helper()
	seen := itemCounts(lines)
	for i := from; i < to; i++ {
		if n := seen[fmt.Sprintf("/item/%d", i)]; n != 1 {
			t.Fatalf("/item/%d delivered %d times (want exactly once); %d lines in total", i, n, len(lines))
		}
	}
}

func TestOnceDeliversAnonymizedLines(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	now := time.Now().UTC()
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 500, now)
	s := start(t, cfg, Options{Once: true})
	select {
	case err := <-s.done:
		close(s.done)
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("--once did not finish")
	}
	lines := s.output(t)
	checkExactlyOnce(t, lines, 0, 500)
	for _, l := range lines {
		if strings.Contains(l, "alice") || !strings.HasPrefix(l, "203.0.113.0 ") {
			t.Fatalf("not anonymized: %q", l)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "data", "key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("generated key file: %v %v", st, err)
	}
	m := s.metrics()
	for _, want := range []string{`tarn_records_total{input="web",outcome="shipped"} 500`, `tarn_sink_sent_entries_total{sink="archive"} 500`,
		`tarn_input_lines_total{input="web"} 500`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestTailsAppendsAndRotationsWhileRunning(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	log := filepath.Join(dir, "logs", "access.log")
	now := time.Now().UTC()
	appendLines(t, log, 0, 100, now)
	s := start(t, cfg, Options{})
	const rounds, per = 12, 250
	for r := 0; r < rounds; r++ {
		appendLines(t, log, 100+r*per, 100+(r+1)*per, now)
		switch r % 3 {
		case 0: // rename rotation, out of the glob, once the file is open
			waitFor(t, "file opened", func() bool { return readAll(s, log, 1) })
			if err := os.Rename(log, filepath.Join(dir, "logs", fmt.Sprintf("access.log.%d", r))); err != nil {
				t.Fatal(err)
			}
		case 1: // copytruncate: wait until read, copy, truncate
			copyTruncate(t, s, log)
		}
	}
	total := 100 + rounds*per
	waitFor(t, "all lines delivered", func() bool {
		if n := len(s.output(t)); n >= total {
			return true
		} else if testing.Verbose() && time.Now().Second()%10 == 0 {
			seen := itemCounts(s.output(t))
			var miss []int
			for i := 0; i < total; i++ {
				if seen[fmt.Sprintf("/item/%d", i)] == 0 {
					miss = append(miss, i)
				}
			}
			t.Logf("%d of %d, missing %v", n, total, miss[:min(len(miss), 5)])
			t.Logf("%s", s.logs.String())
		}
		return false
	})
	time.Sleep(100 * time.Millisecond)
	checkExactlyOnce(t, s.output(t), 0, total)
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if m := s.metrics(); !strings.Contains(m, `tarn_tail_truncations_total{input="web"}`) {
		t.Error("no truncation counted")
	}
}

// copyTruncate copies the log aside and truncates it in place, the way
// logrotate's copytruncate does; the writer pauses meanwhile.
func copyTruncate(t *testing.T, s *setup, log string) {
	t.Helper()
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log+".copy", data, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "copied lines read", func() bool { return readAll(s, log, int64(len(data))) })
	if err := os.Truncate(log, 0); err != nil {
		t.Fatal(err)
	}
}

// readAll reports whether the agent committed the file at path (this
// inode) up to size.
func readAll(s *setup, path string, size int64) bool {
	s.a.mu.Lock()
	g := s.a.gen
	s.a.mu.Unlock()
	if g == nil {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	id, err := positions.Identify(f)
	if err != nil {
		return false
	}
	off, ok := g.cp.Lookup(id, f)
	return ok && off >= size
}

// TestRenameRotationUnderConcurrentWrites rotates the log by rename while
// a writer keeps appending; every line is delivered exactly once.
func TestRenameRotationUnderConcurrentWrites(t *testing.T) {
	dir := t.TempDir()
	s := start(t, writeConfig(t, dir, ""), Options{})
	log := filepath.Join(dir, "logs", "access.log")
	const total = 20000
	now := time.Now().UTC()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < total; i += 50 {
			appendLines(t, log, i, i+50, now)
		}
	}()
	for r := 0; ; r++ {
		select {
		case <-done:
		default:
			waitFor(t, "file opened", func() bool { return readAll(s, log, 1) })
			os.Rename(log, filepath.Join(dir, "logs", fmt.Sprintf("access.log.%d", r)))
			time.Sleep(15 * time.Millisecond)
			continue
		}
		break
	}
	waitFor(t, "all lines", func() bool { return len(s.output(t)) >= total })
	time.Sleep(50 * time.Millisecond)
	checkExactlyOnce(t, s.output(t), 0, total)
}
