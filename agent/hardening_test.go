package agent

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks/sinktest"
)

// readyz returns the status code of /readyz.
func (s *setup) readyz() int {
	rec := httptest.NewRecorder()
	s.a.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	return rec.Code
}

// logCount counts the agent's log lines holding every one of parts.
func (s *setup) logCount(parts ...string) int {
	n := 0
	for _, l := range strings.Split(s.logs.String(), "\n") {
		all := l != ""
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			n++
		}
	}
	return n
}

// withSink replaces the file sink of a writeConfig configuration by sink.
func withSink(t *testing.T, cfg, sink string) {
	t.Helper()
	body, _ := os.ReadFile(cfg)
	s := strings.Replace(string(body), "  - name: archive\n    type: file\n    path: out\n    rotate: {max_bytes: 1KiB}\n", sink, 1)
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIdenticalLinesDeliveredOnce: a burst of identical health checks
// compresses far below a byte per entry; the spool must still read back
// what it wrote (the audit lost 3,000 of 3,000 in run-once mode, exit 0).
func TestIdenticalLinesDeliveredOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	line := `10.0.0.1 - - [` + time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700") + `] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "logs", "access.log"), []byte(strings.Repeat(line, 3000)), 0o644); err != nil {
		t.Fatal(err)
	}
	s := runOnce(t, cfg)
	if got := len(s.output(t)); got != 3000 {
		t.Fatalf("delivered %d of 3000 identical lines", got)
	}
}

// TestSendFailuresLogged: a sink refusing connections is logged at the
// first failure, not again for every retry, and its recovery is logged;
// a permanently rejected batch is logged with its count and file.
func TestSendFailuresLogged(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	withSink(t, cfg, "  - name: loki\n    type: loki\n    url: http://"+addr+"/loki/api/v1/push\n    batch_wait: 10ms\n")
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 10, time.Now())
	s := start(t, cfg, Options{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	waitFor(t, "many failed sends", func() bool { return s.metric(`tarn_sink_failures_total{sink="loki"}`) > 20 })
	if n := s.logCount(`"sink send failed"`, `"sink":"loki"`, "connection refused", `"attempt":1`, `"next_retry_in"`); n != 1 {
		t.Fatalf("%d log lines of the first failure, want 1:\n%s", n, s.logs.String())
	}
	if n := s.logCount(`"sink send failed"`); n != 1 {
		t.Fatalf("repeated failures logged %d times within a minute, want once", n)
	}
	status := http.StatusNoContent
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	waitFor(t, "recovery logged", func() bool { return s.logCount(`"sink works again"`, `"sink":"loki"`) == 1 })

	status = http.StatusBadRequest
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 10, 17, time.Now())
	waitFor(t, "dead letter logged", func() bool {
		return s.logCount(`"batch dead-lettered"`, `"sink":"loki"`, `"entries":7`, "400", "deadletter-loki-") == 1
	})
	if strings.Contains(s.logs.String(), "/item/") {
		t.Fatal("the log holds record content")
	}
}

// TestDiskFullSpoolPausesInputs puts the spool on a small tmpfs and stops
// the sink: the disk fills, inputs pause (logged once, /readyz 503), the
// agent keeps running, and once the sink is back every line arrives once.
func TestDiskFullSpoolPausesInputs(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o700)
	spoolDir := sinktest.Tmpfs(t, "512k")
	if err := os.Symlink(spoolDir, filepath.Join(data, "spool")); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, "")
	log := filepath.Join(dir, "logs", "access.log")
	now := time.Now().UTC()
	appendLines(t, log, 0, 10, now)
	s := start(t, cfg, Options{})
	waitFor(t, "first lines", func() bool { return len(s.output(t)) == 10 })
	repair := breakDir(t, filepath.Join(dir, "out"))
	const total = 40000
	appendLines(t, log, 10, total, now)
	waitFor(t, "inputs paused on the full disk", func() bool {
		return s.logCount(`"spool full, input paused"`, "no space left") == 1 && s.readyz() == http.StatusServiceUnavailable
	})
	repair()
	waitFor(t, "all lines after the disk had room again", func() bool { return len(s.output(t)) >= total })
	checkExactlyOnce(t, s.output(t), 0, total)
	waitFor(t, "ready again", func() bool { return s.readyz() == http.StatusOK })
	if s.logCount(`input resumed"`) == 0 {
		t.Error("resume not logged")
	}
}

// TestDamagedPositionsNamesTheWayOn: a damaged positions file stops the
// start with a message naming --reset-positions; with it, the agent
// moves the file aside and runs.
func TestDamagedPositionsNamesTheWayOn(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 5, time.Now())
	os.MkdirAll(filepath.Join(dir, "data"), 0o700)
	pos := filepath.Join(dir, "data", "positions.json")
	os.WriteFile(pos, []byte(`[{"dev": 1, "ino": `), 0o600)
	s := start(t, cfg, Options{Once: true})
	err := <-s.done
	close(s.done)
	if err == nil || !strings.Contains(err.Error(), "--reset-positions") || !strings.Contains(err.Error(), "spool is intact") {
		t.Fatalf("start with a damaged positions file: %v", err)
	}
	s = start(t, cfg, Options{Once: true, ResetPositions: true})
	if err := <-s.done; err != nil {
		t.Fatal(err)
	}
	close(s.done)
	if len(s.output(t)) != 5 {
		t.Fatalf("after reset: %d lines", len(s.output(t)))
	}
	if aside, _ := filepath.Glob(pos + ".damaged-*"); len(aside) != 1 {
		t.Fatalf("damaged file not moved aside: %v", aside)
	}
}

// TestMissingSpoolDirectoryLogged: the spool directory deleted while the
// agent was stopped (with undelivered entries gone) is an error in the
// log, not silence.
func TestMissingSpoolDirectoryLogged(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 5, time.Now())
	runOnce(t, cfg)
	if err := os.RemoveAll(filepath.Join(dir, "data", "spool")); err != nil {
		t.Fatal(err)
	}
	s := runOnce(t, cfg)
	if s.logCount(`"spool directory was missing`) != 1 {
		t.Fatalf("missing spool not logged:\n%s", s.logs.String())
	}
}
