package main

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPushAnsweredOnlyWhenDurable runs the real binary with a loki_push
// input while its sink cannot deliver (a Loki sink pointing at a closed
// port), pushes requests until each is answered 204, kills the process
// with SIGKILL, and runs once more with the sink (same name, so the same
// spool cursor) writing files: every pushed line must arrive, since a 204
// is only sent after the entries are in the spool.
func TestPushAnsweredOnlyWhenDurable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := buildTarn(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + dead.Addr().String() + "/loki/api/v1/push"
	dead.Close() // nothing listens: every push to it fails
	config := `data_dir: data
rules: builtin:default
inputs:
  - {name: push, type: loki_push, listen: %q, format: auto}
sinks:
  - %s
server: {listen: ""}
`
	writeFile(t, dir, "tarn.yaml", fmt.Sprintf(config, addr, "{name: local, type: loki, url: "+deadURL+"}"))
	ag := startAgent(t, bin, dir)
	url := "http://" + addr + "/loki/api/v1/push"
	waitUp(t, url)
	now := time.Now()
	for r := range 20 {
		var b strings.Builder
		b.WriteString(`{"streams":[{"stream":{"app":"x"},"values":[`)
		for i := range 100 {
			n := r*100 + i
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `[%q,%q]`, fmt.Sprint(now.Add(time.Duration(n)*time.Microsecond).UnixNano()),
				fmt.Sprintf(`{"msg":"order","email":"buyer%d@example.com","item":"/item/%d "}`, n, n))
		}
		b.WriteString(`]}]}`)
		resp, err := http.Post(url, "application/json", strings.NewReader(b.String()))
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("push %d: %v %v", r, err, resp)
		}
		resp.Body.Close()
	}
	ag.kill(t, 0)

	writeFile(t, dir, "tarn.yaml", fmt.Sprintf(config, addr, "{name: local, type: file, path: out}"))
	runOnceBin(t, bin, dir)
	got := strings.Join(sinkLines(t, filepath.Join(dir, "out"), "local"), "\n") + "\n"
	if strings.Contains(got, "@example.com") {
		t.Fatal("raw e-mail address in the output")
	}
	for n := range 2000 {
		if c := strings.Count(got, fmt.Sprintf("/item/%d ", n)); c != 1 {
			t.Fatalf("/item/%d delivered %d times, want once", n, c)
		}
	}
}

// waitUp waits until the push receiver answers /ready.
func waitUp(t *testing.T, push string) {
	t.Helper()
	ready := strings.Replace(push, "/loki/api/v1/push", "/ready", 1)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("push receiver not up: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
