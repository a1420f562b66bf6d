package agent

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang/snappy"
	lokiclient "github.com/grafana/loki-client-go/loki"
	"github.com/grafana/loki/pkg/push"
	"github.com/prometheus/common/model"

	"github.com/tarn-project/tarn/sinks/loki/lokitest"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// pushConfig writes a configuration with one loki_push input on addr and
// a loki sink pushing to l.
func pushConfig(t *testing.T, dir, addr string, l *lokitest.Loki, inputExtra string) string {
	t.Helper()
	body := fmt.Sprintf(`data_dir: data
rules: builtin:default
inputs:
  - name: push
    type: loki_push
    listen: %s
    format: auto
    labels: {via: tarn}
%ssinks:
  - name: loki
    type: loki
    url: %s
    batch_wait: 50ms
server: {listen: ""}
`, addr, inputExtra, l.PushURL())
	p := filepath.Join(dir, "tarn.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	waitFor(t, "the push receiver", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// appLine is a JSON application log line full of personal data.
func appLine(n int) string {
	return fmt.Sprintf(`{"level":"info","msg":"login","email":"user%d@example.com","client_ip":"198.51.100.%d","item":"/item/%d "}`, n, n%200+1, n)
}

func postPush(t *testing.T, url, contentType, encoding string, body []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("push answered %d", resp.StatusCode)
	}
}

func TestPushReceiverToLoki(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{})
	dir, addr := t.TempDir(), freePort(t)
	start(t, pushConfig(t, dir, addr, l, ""), Options{})
	waitListening(t, addr)
	url := "http://" + addr + "/loki/api/v1/push"
	now := time.Now()

	// A real client: loki-client-go, as Go services use it.
	cfg, err := lokiclient.NewDefaultConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BatchWait = 50 * time.Millisecond
	c, err := lokiclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		ls := model.LabelSet{"app": "shop", "owner": "carol@example.net"}
		if err := c.HandleWithMetadata(ls, now.Add(time.Duration(i)*time.Millisecond), appLine(i),
			push.LabelsAdapter{{Name: "trace_id", Value: "t" + fmt.Sprint(i)}, {Name: "mail", Value: "dave@example.org"}}); err != nil {
			t.Fatal(err)
		}
	}
	c.Stop()

	// Raw JSON, gzip-compressed, as Fluent Bit or curl send it.
	var js strings.Builder
	js.WriteString(`{"streams":[{"stream":{"app":"billing"},"values":[`)
	for i := 300; i < 400; i++ {
		if i > 300 {
			js.WriteString(",")
		}
		fmt.Fprintf(&js, `[%q,%q]`, fmt.Sprint(now.Add(time.Duration(i)*time.Millisecond).UnixNano()), appLine(i))
	}
	js.WriteString(`]}]}`)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(js.String()))
	w.Close()
	postPush(t, url, "application/json", "gzip", gz.Bytes())

	// Raw protobuf + snappy, as Promtail and Alloy send it.
	pr := push.PushRequest{Streams: []push.Stream{{Labels: `{app="search"}`}}}
	for i := 400; i < 500; i++ {
		pr.Streams[0].Entries = append(pr.Streams[0].Entries, push.Entry{Timestamp: now.Add(time.Duration(i) * time.Millisecond), Line: appLine(i)})
	}
	postProto(t, url, &pr)

	from, to := window()
	got := l.WaitFor(t, "", `{input="push"}`, from, to, 500, 30*time.Second)
	checkExactlyOnce(t, lokiLines(got), 0, 500)
	for _, e := range got {
		blob := e.Line + fmt.Sprint(e.Labels) + fmt.Sprint(e.Metadata)
		for _, secret := range []string{"@example.com", "carol@example.net", "dave@example.org"} {
			if strings.Contains(blob, secret) {
				t.Fatalf("personal data %q reached loki: %s", secret, blob)
			}
		}
		if !strings.Contains(e.Line, `"client_ip":"198.51.100.0"`) {
			t.Fatalf("address not truncated: %s", e.Line)
		}
		if e.Labels["via"] != "tarn" || e.Labels["app"] == "" {
			t.Fatalf("labels %v", e.Labels)
		}
	}
	if got[0].Metadata["trace_id"] != "t0" || got[0].Metadata["mail"] == "" || got[0].Labels["owner"] == "" {
		t.Errorf("sender's metadata/labels not kept (scrubbed): %v %v", got[0].Labels, got[0].Metadata)
	}
}

func TestPushReceiverTenantPassThrough(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{MultiTenant: true})
	dir, addr := t.TempDir(), freePort(t)
	start(t, pushConfig(t, dir, addr, l, "    pass_tenant: true\n    tenant_map: {team-a: customer-a}\n    tenant: shared\n"), Options{})
	waitListening(t, addr)
	url := "http://" + addr + "/loki/api/v1/push"
	now := time.Now()
	send := func(orgID string, from, to int) {
		var js strings.Builder
		js.WriteString(`{"streams":[{"stream":{"app":"x"},"values":[`)
		for i := from; i < to; i++ {
			if i > from {
				js.WriteString(",")
			}
			fmt.Fprintf(&js, `[%q,%q]`, fmt.Sprint(now.Add(time.Duration(i)*time.Millisecond).UnixNano()), appLine(i))
		}
		js.WriteString(`]}]}`)
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(js.String()))
		req.Header.Set("Content-Type", "application/json")
		if orgID != "" {
			req.Header.Set("X-Scope-OrgID", orgID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("push as %q: %v %v", orgID, err, resp)
		}
		resp.Body.Close()
	}
	send("team-a", 0, 10)      // mapped
	send("customer-z", 10, 20) // passed through
	send("", 20, 30)           // the input's tenant
	from, to := window()
	for _, c := range []struct {
		tenant   string
		from, to int
	}{{"customer-a", 0, 10}, {"customer-z", 10, 20}, {"shared", 20, 30}} {
		got := l.WaitFor(t, c.tenant, `{input="push"}`, from, to, 10, 30*time.Second)
		if len(got) != 10 {
			t.Fatalf("tenant %s: %d entries", c.tenant, len(got))
		}
		checkExactlyOnce(t, lokiLines(got), c.from, c.to)
	}
	if n := len(l.Query(t, "team-a", `{input="push"}`, from, to)); n != 0 {
		t.Errorf("the unmapped sender tenant got %d entries", n)
	}
}

// TestPushMetadataKeyCatalogue: a pushed entry's structured metadata and
// its stream's labels go through the rules' key catalogue, for a JSON body
// and a protobuf+snappy one alike: a user is pseudonymized, a client
// address truncated, a password and an authorization redacted, a
// look-alike (trace_id, version) kept, an unknown key scrubbed.
func TestPushMetadataKeyCatalogue(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{})
	dir, addr := t.TempDir(), freePort(t)
	start(t, pushConfig(t, dir, addr, l, ""), Options{})
	waitListening(t, addr)
	url := "http://" + addr + "/loki/api/v1/push"
	now := time.Now()
	ts := func(i int) string { return fmt.Sprint(now.Add(time.Duration(i) * time.Millisecond).UnixNano()) }
	meta := `{"user":"alice","client_ip":"203.0.113.7","password":"hunter2","authorization":"Bearer s3cr3tt0k3nvalue","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","version":"2.15.3.12","note":"mail erin@example.com"}`
	js := fmt.Sprintf(`{"streams":[{"stream":{"app":"json","username":"alice","remote_ip":"203.0.113.7"},"values":[[%q,"line 0",%s]]}]}`, ts(0), meta)
	postPush(t, url, "application/json", "", []byte(js))

	md := push.LabelsAdapter{{Name: "user", Value: "alice"}, {Name: "client_ip", Value: "203.0.113.7"},
		{Name: "password", Value: "hunter2"}, {Name: "authorization", Value: "Bearer s3cr3tt0k3nvalue"},
		{Name: "trace_id", Value: "4bf92f3577b34da6a3ce929d0e0e4736"}, {Name: "version", Value: "2.15.3.12"},
		{Name: "note", Value: "mail erin@example.com"}}
	pr := push.PushRequest{Streams: []push.Stream{{Labels: `{app="proto", username="alice", remote_ip="203.0.113.7"}`,
		Entries: []push.Entry{{Timestamp: now.Add(time.Millisecond), Line: "line 1", StructuredMetadata: md}}}}}
	postProto(t, url, &pr)

	from, to := window()
	got := l.WaitFor(t, "", `{input="push"}`, from, to, 2, 30*time.Second)
	if len(got) != 2 {
		t.Fatalf("%d entries", len(got))
	}
	for _, e := range got {
		blob := fmt.Sprint(e.Labels) + fmt.Sprint(e.Metadata)
		for _, secret := range []string{"alice", "203.0.113.7", "hunter2", "s3cr3tt0k3nvalue", "erin@example.com"} {
			if strings.Contains(blob, secret) {
				t.Errorf("%s: %q reached loki: %s", e.Labels["app"], secret, blob)
			}
		}
		m := e.Metadata
		// Stream labels get the same treatment (other names than the
		// metadata's: Loki renames metadata that shadows a label).
		if len(m["user"]) != 16 || e.Labels["username"] != m["user"] {
			t.Errorf("%s: user not pseudonymized: %v %v", e.Labels["app"], m, e.Labels)
		}
		if m["client_ip"] != "203.0.113.0" || e.Labels["remote_ip"] != "203.0.113.0" {
			t.Errorf("%s: client_ip not truncated: %v %v", e.Labels["app"], m, e.Labels)
		}
		if m["password"] != "[redacted]" || m["authorization"] != "[redacted]" {
			t.Errorf("%s: password/authorization: %v", e.Labels["app"], m)
		}
		if m["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || m["version"] != "2.15.3.12" {
			t.Errorf("%s: look-alikes not kept: %v", e.Labels["app"], m)
		}
		if !strings.HasPrefix(m["note"], "mail ") {
			t.Errorf("%s: note: %q", e.Labels["app"], m["note"])
		}
	}
	if got[0].Metadata["user"] != got[1].Metadata["user"] {
		t.Errorf("one user, two pseudonyms: %v %v", got[0].Metadata, got[1].Metadata)
	}
}

// postProto pushes pr as Promtail and Alloy send it: protobuf, snappy
// compressed.
func postProto(t *testing.T, url string, pr *push.PushRequest) {
	t.Helper()
	raw, err := pr.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	postPush(t, url, "application/x-protobuf", "", snappy.Encode(nil, raw))
}
