package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTopOnce runs the real agent, feeds it lines and reads it with tarn
// top --once: the input's lines and rate, the spool and the sink appear.
func TestTopOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	bin := buildTarn(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	writeFile(t, dir, "tarn.yaml", strings.Replace(crashConfig, `server: {listen: ""}`, "server: {listen: \""+addr+"\"}", 1))
	log := filepath.Join(dir, "logs", "access.log")
	appendAccess(t, log, 0, 300)
	a := startAgent(t, bin, dir)
	url := "http://" + addr + "/metrics"
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), `tarn_sink_sent_entries_total{sink="archive"} 300`) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("agent did not ship 300 lines:\n%s", a.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Lines arrive while top measures, so the rate is above 0.
	go func() {
		time.Sleep(100 * time.Millisecond)
		appendAccess(t, log, 300, 200)
	}()
	r := mustTarn(t, "", "top", "--once", "--url", addr, "--interval", "700ms")
	out := r.stdout
	for _, re := range []string{
		`INPUT\s+LINES/S`,
		`(?m)^web\s+[1-9][0-9]*\s+\S+ \S*B\s+(300|500)\s`,
		`(?m)^SPOOL`,
		`(?m)^archive\s+\d+\s+(300|500)\s+0\s+0\s+\d+\s+ok`, // backlog a number
		`(?m)^\s+\S+ \S*B\s+\d+\.\d%\s`,                     // spool fill
		`DROPS .*too_old 0`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("tarn top lacks %s:\n%s", re, out)
		}
	}
	if r := tarn(t, "", "top", "--once", "--url", "127.0.0.1:1"); r.code != 1 || !strings.Contains(r.stderr, "is the agent running") {
		t.Errorf("no agent: exit %d, %q", r.code, r.stderr)
	}
}
