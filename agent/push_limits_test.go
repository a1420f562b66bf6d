package agent

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/inputs/lokipush"
)

// filePushConfig writes a configuration with one loki_push input on addr
// (extra holds more of its keys, each line indented by four spaces) and a
// file sink; top is added at the end (e.g. a server section).
func filePushConfig(t *testing.T, dir, addr, extra, top string) string {
	t.Helper()
	body := fmt.Sprintf(`data_dir: data
rules: builtin:default
inputs:
  - name: push
    type: loki_push
    listen: %s
    format: auto
%ssinks:
  - {name: archive, type: file, path: out}
%s`, addr, extra, top)
	if !strings.Contains(top, "server:") {
		body += "server: {listen: \"\"}\n"
	}
	p := filepath.Join(dir, "tarn.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// jsonPush is a JSON push body of lines from..to-1 (appLine) in one stream.
func jsonPush(from, to int) string {
	var b strings.Builder
	b.WriteString(`{"streams":[{"stream":{"app":"x"},"values":[`)
	now := time.Now()
	for i := from; i < to; i++ {
		if i > from {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `[%q,%q]`, fmt.Sprint(now.Add(time.Duration(i)*time.Millisecond).UnixNano()), appLine(i))
	}
	b.WriteString(`]}]}`)
	return b.String()
}

// TestPushConcurrentRequestsAllSpooled: many concurrent pushes through the
// real receiver all get 204, and every entry reaches the sink exactly once.
func TestPushConcurrentRequestsAllSpooled(t *testing.T) {
	const n = 40
	dir, addr := t.TempDir(), freePort(t)
	s := start(t, filePushConfig(t, dir, addr, fmt.Sprintf("    max_concurrent_requests: %d\n", n), ""), Options{})
	waitListening(t, addr)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post("http://"+addr+lokipush.PushPath, "application/json", strings.NewReader(jsonPush(5*i, 5*i+5)))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Errorf("push %d answered %d", i, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	waitFor(t, "the file sink", func() bool { return len(s.output(t)) >= 5*n })
	checkExactlyOnce(t, s.output(t), 0, 5*n)
}

// TestPushReceiverLimitsFromConfig: the limits keys reach the receiver,
// and each rejection is counted by reason.
func TestPushReceiverLimitsFromConfig(t *testing.T) {
	dir, addr := t.TempDir(), freePort(t)
	os.WriteFile(filepath.Join(dir, "token"), []byte("s3cret\n"), 0o600)
	s := start(t, filePushConfig(t, dir, addr, "    bearer_token_file: token\n    max_entries_per_request: 10\n    read_timeout: 100ms\n    idle_timeout: 100ms\n", ""), Options{})
	waitListening(t, addr)
	post := func(body, token string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+lokipush.PushPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(jsonPush(0, 11), "s3cret"); c != http.StatusRequestEntityTooLarge {
		t.Errorf("11 entries over a limit of 10 answered %d", c)
	}
	if c := post(jsonPush(0, 10), "wrong"); c != http.StatusUnauthorized {
		t.Errorf("a wrong token answered %d", c)
	}
	if c := post(jsonPush(0, 10), "s3cret"); c != http.StatusNoContent {
		t.Errorf("10 entries answered %d", c)
	}

	// A body that does not come: 408 and the connection closed.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a safety net far beyond the timeouts
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 1000\r\n\r\n{", lokipush.PushPath)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("slow body: %v %v, want 408", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("connection not closed after read_timeout: %v", err)
	}

	// An idle keep-alive connection is closed after idle_timeout.
	k, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	k.SetReadDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(k, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", lokipush.ReadyPath)
	kr := bufio.NewReader(k)
	if resp, err := http.ReadResponse(kr, nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("ready: %v %v", resp, err)
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	if _, err := kr.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection not closed after idle_timeout: %v", err)
	}

	for _, reason := range []string{lokipush.ReasonTooManyEntries, lokipush.ReasonUnauthorized, lokipush.ReasonReadTimeout} {
		if v := s.metric(`tarn_push_rejected_requests_total{input="push",reason="` + reason + `"}`); v != 1 {
			t.Errorf("rejections %s counted %v, want 1", reason, v)
		}
	}
	if strings.Contains(s.logs.String(), "s3cret") {
		t.Error("the bearer token was logged")
	}
}

// TestPushReceiverWarnsWhenOpen: a push input on a non-loopback address
// without a token, or with a token but without TLS, warns at start-up,
// without logging the token.
func TestPushReceiverWarnsWhenOpen(t *testing.T) {
	for _, c := range []struct{ extra, want string }{
		{"", "no bearer_token_file is set: any host that reaches it can push"},
		{"    bearer_token_file: token\n", "has no TLS: the bearer token travels in clear text"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "token"), []byte("s3cret"), 0o600)
		port := freePort(t)[len("127.0.0.1:"):]
		s := start(t, filePushConfig(t, dir, "0.0.0.0:"+port, c.extra, ""), Options{})
		waitFor(t, "the warning", func() bool { return strings.Contains(s.logs.String(), c.want) })
		logs := s.logs.String()
		if !strings.Contains(logs, `{"level":"warn"`) || !strings.Contains(logs, `"msg":"inputs[0].`) {
			t.Errorf("warning %q not logged as a warning about inputs[0]:\n%s", c.want, logs)
		}
		if strings.Contains(logs, "s3cret") {
			t.Error("the bearer token was logged")
		}
		s.stop(t)
	}
}
