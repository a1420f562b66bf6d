package syslog_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tarn-project/tarn/agent"

	_ "github.com/tarn-project/tarn/agent/inputs/all"
	_ "github.com/tarn-project/tarn/sinks/all"
)

// testKey is the fixed pseudonym key of the tests.
const testKey = "73797374656d2d6c6f672d746573742d6b65792d666f722d7461726e2d313521"

// running is an agent under test with a syslog input and an NDJSON file
// sink in dir/out.
type running struct {
	dir, addr string
	a         *agent.Agent
	logs      *lockedWriter
	cancel    context.CancelFunc
	done      chan error
}

// freePort returns a free local port for network ("tcp" or "udp").
func freePort(t testing.TB, network string) string {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().String()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startAgent runs an agent whose syslog input has the keys of extra
// (YAML flow keys, e.g. "protocol: udp") besides listen.
func startAgent(t testing.TB, network, extra string) *running {
	t.Helper()
	dir := t.TempDir()
	r := &running{dir: dir, addr: freePort(t, network), logs: &lockedWriter{}, done: make(chan error, 1)}
	key := filepath.Join(dir, "key")
	if err := os.WriteFile(key, []byte(testKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`data_dir: data
rules: builtin:default
key_file: key
inputs:
  - name: syslog
    type: syslog
    listen: "%s"
    format: syslog
    batch_wait: 20ms
%ssinks:
  - {name: archive, type: file, path: out, format: ndjson}
server: {listen: ""}
`, r.addr, extra)
	p := filepath.Join(dir, "tarn.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	logger := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(r.logs), zapcore.DebugLevel))
	r.a = agent.New(agent.Options{ConfigPath: p, Logger: logger, ShutdownTimeout: 2 * time.Second,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- r.a.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	if network == "tcp" {
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.Dial("tcp", r.addr)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the syslog input does not listen: %v\n%s", err, r.logs)
			}
			time.Sleep(10 * time.Millisecond)
		}
	} else {
		time.Sleep(300 * time.Millisecond) // no way to probe a UDP socket
	}
	return r
}

// lockedWriter is the agent's log, written from its goroutines.
type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func (r *running) stop(t testing.TB) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("agent: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the agent did not stop")
	}
}

// entry is one NDJSON line of the file sink.
type entry struct {
	Line     string            `json:"line"`
	Labels   map[string]string `json:"labels"`
	Metadata map[string]string `json:"metadata"`
}

// entries reads the sink's entries.
func (r *running) entries(t *testing.T) []entry {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(r.dir, "out", "*.log"))
	sort.Strings(files)
	var out []entry
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var e entry
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("%v: %s", err, sc.Text())
			}
			out = append(out, e)
		}
	}
	return out
}

// waitEntries waits until the sink holds n entries (and a moment more,
// so duplicates would show), and returns them.
func (r *running) waitEntries(t *testing.T, n int) []entry {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(r.entries(t)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d entries of %d arrived\nlogs:\n%s", len(r.entries(t)), n, r.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	return r.entries(t)
}

// sshdLine is an sshd message full of personal data; the port numbers
// the message (the rules keep ports).
func sshdLine(i int) string {
	return fmt.Sprintf("Failed password for invalid user bob%d from 203.0.113.7 port %d ssh2", i, 50000+i)
}

// postfixLine is a postfix message with e-mail addresses and a client.
func postfixLine(i int) string {
	return fmt.Sprintf("3F2A%03d: to=<carol%d@example.net>, orig_to=<dave@example.org>, relay=mx.example.net[198.51.100.7]:%d, status=sent", i, i, 20000+i)
}

// checkAnonymized fails on any raw personal data of sshdLine and
// postfixLine in the entries, and checks that every port 50000+i (sshd)
// and 20000+i (postfix) for i < n arrived exactly once.
func checkAnonymized(t *testing.T, es []entry, sshd, postfix int) {
	t.Helper()
	seen := map[string]int{}
	for _, e := range es {
		all := e.Line
		for _, v := range e.Labels {
			all += " " + v
		}
		for _, v := range e.Metadata {
			all += " " + v
		}
		for _, raw := range []string{"bob", "203.0.113.7", "carol", "dave@", "example.org>", "@example.net", "198.51.100.7"} {
			if strings.Contains(all, raw) {
				t.Errorf("raw %q in the output: %s", raw, all)
			}
		}
		// The numbers are the sshd line's port and the postfix line's relay
		// port (not any 5-digit field: logger's PID may be one).
		for _, marker := range []string{"port ", "]:"} {
			if _, rest, ok := strings.Cut(e.Line, marker); ok && len(rest) >= 5 {
				seen[rest[:5]]++
			}
		}
	}
	for i := range sshd {
		if k := fmt.Sprint(50000 + i); seen[k] != 1 {
			t.Errorf("sshd message %d arrived %d times", i, seen[k])
		}
	}
	for i := range postfix {
		if k := fmt.Sprint(20000 + i); seen[k] != 1 {
			t.Errorf("postfix message %d arrived %d times", i, seen[k])
		}
	}
	if want := sshd + postfix; len(es) != want {
		t.Errorf("%d entries, want %d", len(es), want)
	}
}

// need skips the test when a sender binary is missing (.ci/run installs
// them).
func need(t *testing.T, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s is not installed (Debian: util-linux for logger, rsyslog and rsyslog-gnutls for rsyslogd; .ci/run installs them)", b)
		}
	}
}

// logger runs util-linux logger with args, one message per line of
// stdin (one connection for all of them).
func logger(t *testing.T, stdin string, args ...string) {
	t.Helper()
	cmd := exec.Command("logger", args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("logger %q: %v\n%s", args, err, out)
	}
}

func lines(n int, f func(int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(f(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestLogger sends sshd and postfix messages with util-linux logger in
// every protocol and framing it speaks; they arrive anonymized, exactly
// once, with the header's labels.
func TestLogger(t *testing.T) {
	need(t, "logger")
	for _, c := range []struct {
		name, network, extra string
		args                 []string
	}{
		{"tcp rfc5424 non-transparent", "tcp", "", []string{"--rfc5424", "--tcp"}},
		{"tcp rfc3164 octet counting", "tcp", "", []string{"--rfc3164", "--tcp", "--octet-count"}},
		{"tcp rfc5424 octet counting strict", "tcp", "    framing: octet_counting\n", []string{"--rfc5424", "--tcp", "--octet-count"}},
		{"udp rfc5424", "udp", "    protocol: udp\n", []string{"--rfc5424", "--udp"}},
		{"udp rfc3164", "udp", "    protocol: udp\n", []string{"--rfc3164", "--udp"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := startAgent(t, c.network, c.extra)
			host, port, _ := net.SplitHostPort(r.addr)
			base := append(c.args, "--server", host, "--port", port)
			n := 200
			if c.network == "udp" {
				n = 50 // a loopback burst this small fits any receive buffer
			}
			logger(t, lines(n, sshdLine), append(base, "-t", "sshd", "-p", "auth.info", "-i")...)
			logger(t, lines(n, postfixLine), append(base, "-t", "postfix/smtp", "-p", "mail.notice")...)
			es := r.waitEntries(t, 2*n)
			checkAnonymized(t, es, n, n)
			t.Logf("first entry: %+v\n last: %+v", es[0], es[len(es)-1])
			hostname, _ := os.Hostname()
			// The two logger runs are two connections: their batches may be
			// ingested in either order, each connection's in its own.
			var sshd, postfix []entry
			for _, e := range es {
				if e.Labels["app"] == "sshd" {
					sshd = append(sshd, e)
				} else {
					postfix = append(postfix, e)
				}
			}
			if len(sshd) != n || len(postfix) != n {
				t.Fatalf("%d sshd and %d postfix entries, want %d each", len(sshd), len(postfix), n)
			}
			for _, e := range sshd[:1] {
				if e.Labels["app"] != "sshd" || e.Labels["facility"] != "auth" || e.Labels["severity"] != "info" || e.Labels["hostname"] == "" || e.Labels["input"] != "syslog" {
					t.Errorf("labels %v (host %s)", e.Labels, hostname)
				}
				if !strings.Contains(e.Line, "sshd") || !strings.Contains(e.Line, "port 50000") {
					t.Errorf("line %q", e.Line)
				}
			}
			last := postfix[len(postfix)-1]
			if last.Labels["app"] != "postfix/smtp" || last.Labels["facility"] != "mail" || last.Labels["severity"] != "notice" {
				t.Errorf("labels %v", last.Labels)
			}
			// A connection's messages keep their order.
			for i := 1; i < n && c.network == "tcp"; i++ {
				if !strings.Contains(sshd[i].Line, fmt.Sprintf("port %d ", 50000+i)) {
					t.Fatalf("sshd entry %d out of order: %s", i, sshd[i].Line)
				}
			}
		})
	}
}
