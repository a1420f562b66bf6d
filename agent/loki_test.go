package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/benchmarks/plant"
	"github.com/tarn-project/tarn/sinks/loki/lokitest"
)

// These tests run tarn against a real Loki binary (sinks/loki/lokitest
// builds it once and caches it); they skip only when it cannot be built.

// lokiConfig writes a configuration with the file input of writeConfig
// and a loki sink pushing to l; extra is appended to the sink.
func lokiConfig(t *testing.T, dir string, l *lokitest.Loki, sinkExtra, top string) string {
	t.Helper()
	p := writeConfig(t, dir, top)
	body, _ := os.ReadFile(p)
	sink := fmt.Sprintf("  - name: loki\n    type: loki\n    url: %s\n    batch_wait: 50ms\n%s", l.PushURL(), sinkExtra)
	s := strings.Replace(string(body), "  - name: archive\n    type: file\n    path: out\n    rotate: {max_bytes: 1KiB}\n", sink, 1)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// lokiLines returns the lines of the entries.
func lokiLines(es []lokitest.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Line
	}
	return out
}

// window is the query range of a test that writes lines stamped now.
func window() (time.Time, time.Time) {
	now := time.Now()
	return now.Add(-2 * time.Hour), now.Add(time.Hour)
}

func TestLokiEndToEndAnonymizedOnce(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{})
	dir := t.TempDir()
	cfg := lokiConfig(t, dir, l, "", "")
	// A second input with the leak corpus (mixed formats).
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(body), "sinks:\n", `  - name: mixed
    type: file
    paths: ["mixed/*.log"]
    format: auto
    start_at: beginning
    labels: {job: mixed}
sinks:
`, 1)), 0o644)
	now := time.Now().UTC()
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 3000, now.Add(-time.Minute))
	corpus := plant.Generate(5, 100, now.Add(-time.Minute))
	var b strings.Builder
	for _, cl := range corpus.Lines {
		b.WriteString(cl.Text + "\n")
	}
	os.MkdirAll(filepath.Join(dir, "mixed"), 0o755)
	os.WriteFile(filepath.Join(dir, "mixed", "corpus.log"), []byte(b.String()), 0o644)

	runOnce(t, cfg)
	from, to := window()
	web := l.WaitFor(t, "", `{job="web"}`, from, to, 3000, 30*time.Second)
	checkExactlyOnce(t, lokiLines(web), 0, 3000)
	clients := map[string]bool{}
	for _, e := range web {
		if strings.Contains(e.Line, "alice") || !strings.HasPrefix(e.Line, "203.0.113.0 ") {
			t.Fatalf("line not anonymized: %q", e.Line)
		}
		if e.Labels["input"] != "web" || e.Labels["filename"] == "" || e.Labels["host"] == "" || len(e.Metadata["client"]) != 16 || len(e.Metadata["user"]) != 16 {
			t.Fatalf("labels %v metadata %v", e.Labels, e.Metadata)
		}
		if _, isLabel := e.Labels["client"]; isLabel {
			t.Fatal("a pseudonym became a stream label")
		}
		clients[e.Metadata["client"]] = true
	}
	// 250 client addresses in the input: one pseudonym each, so an SRE can
	// follow one of them with | client="...".
	if len(clients) != 250 {
		t.Errorf("%d distinct client pseudonyms, want 250", len(clients))
	}
	one := web[0].Metadata["client"]
	if n := len(l.Query(t, "", `{job="web"} | client="`+one+`"`, from, to)); n != 12 {
		t.Errorf("filtering by one client found %d lines, want 12 (3000 lines / 250 clients)", n)
	}
	mixed := l.WaitFor(t, "", `{job="mixed"}`, from, to, len(corpus.Lines)*9/10, 30*time.Second)
	var everything strings.Builder
	for _, e := range mixed {
		fmt.Fprintln(&everything, e.Line, e.Labels, e.Metadata)
	}
	for _, secret := range corpus.Forms() {
		if strings.Contains(everything.String(), secret) {
			t.Fatalf("loki holds planted value %q", secret)
		}
	}
}

func TestLokiOutageNothingLostNoDuplicates(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{})
	dir := t.TempDir()
	cfg := lokiConfig(t, dir, l, "", "")
	log := filepath.Join(dir, "logs", "access.log")
	now := time.Now().UTC()
	appendLines(t, log, 0, 1000, now)
	s := start(t, cfg, Options{})
	from, to := window()
	l.WaitFor(t, "", `{job="web"}`, from, to, 1000, 30*time.Second)

	l.Stop(t)
	for i := 1000; i < 3000; i += 250 {
		appendLines(t, log, i, i+250, now)
		time.Sleep(50 * time.Millisecond)
	}
	waitFor(t, "failed sends while loki is down", func() bool { return s.metric(`tarn_sink_failures_total{sink="loki"}`) > 0 })
	l.Restart(t)
	got := l.WaitFor(t, "", `{job="web"}`, from, to, 3000, 60*time.Second)
	time.Sleep(500 * time.Millisecond) // let any late re-send land before the final count
	got = l.Query(t, "", `{job="web"}`, from, to)
	checkExactlyOnce(t, lokiLines(got), 0, 3000)
	if len(got) != 3000 {
		t.Fatalf("%d entries visible, want 3000", len(got))
	}
}

func TestLokiRateLimitRetriedUntilDelivered(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{IngestionRateMB: 0.02, IngestionBurstMB: 0.03})
	dir := t.TempDir()
	cfg := lokiConfig(t, dir, l, "    batch_size: 8KiB\n", "")
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 1500, time.Now().UTC())
	s := start(t, cfg, Options{})
	from, to := window()
	got := l.WaitFor(t, "", `{job="web"}`, from, to, 1500, 60*time.Second)
	checkExactlyOnce(t, lokiLines(got), 0, 1500)
	if r := s.metric(`tarn_sink_retries_total{sink="loki"}`); r <= 0 {
		t.Errorf("no retries counted (%v): the rate limit was not hit", r)
	}
	if !strings.Contains(l.Metrics(t), `reason="rate_limited"`) {
		t.Error("loki counted no rate-limited samples")
	}
	if d := s.metric(`tarn_sink_dead_lettered_entries_total{sink="loki"}`); d != 0 {
		t.Errorf("%v entries dead-lettered; 429 must be retried", d)
	}
}

func TestLokiPermanentRejectionDeadLettered(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{MaxLineSize: 1024})
	dir := t.TempDir()
	cfg := lokiConfig(t, dir, l, "", "")
	log := filepath.Join(dir, "logs", "access.log")
	now := time.Now().UTC()
	appendLines(t, log, 0, 100, now)
	long := strings.Replace(accessLine(100, now), "/item/100", "/"+strings.Repeat("long", 500)+"/item/100", 1)
	f, _ := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(long + "\n")
	f.Close()
	s := start(t, cfg, Options{})
	waitFor(t, "the long line rejected", func() bool {
		return s.metric(`tarn_sink_rejected_entries_total{reason="line_too_long",sink="loki"}`) == 1
	})
	// Delivery goes on after the rejection.
	appendLines(t, log, 101, 300, now)
	from, to := window()
	got := l.WaitFor(t, "", `{job="web"}`, from, to, 299, 30*time.Second)
	lines := lokiLines(got)
	checkExactlyOnce(t, lines, 0, 100)
	checkExactlyOnce(t, lines, 101, 300)
	days, err := filepath.Glob(filepath.Join(dir, "data", "deadletter-loki-*.ndjson")) // one file per UTC day
	var dead []byte
	for _, d := range days {
		b, rerr := os.ReadFile(d)
		dead, err = append(dead, b...), errors.Join(err, rerr)
	}
	if err != nil || len(days) == 0 || !strings.Contains(string(dead), "/item/100 ") || strings.Contains(string(dead), "alice") {
		t.Fatalf("dead-letter file (%v) lacks the rejected, anonymized line", err)
	}
	if d := s.metric(`tarn_sink_dead_lettered_entries_total{sink="loki"}`); d != 1 {
		t.Errorf("%v dead-lettered entries counted, want the 1 rejected", d)
	}
}

func TestLokiTenantsAreSeparate(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{MultiTenant: true})
	dir := t.TempDir()
	// Input web gets tenant customer-a; input vhosts routes by virtual
	// host with a rule: shop.example → customer-b, others → customer-c.
	top := `
`
	cfg := lokiConfig(t, dir, l, "    tenant_id: hoster\n", top)
	body, _ := os.ReadFile(cfg)
	s := strings.Replace(string(body), "    labels: {job: web}\n", "    labels: {job: web}\n    tenant: customer-a\n", 1)
	s = strings.Replace(s, "rules: builtin:default\n", `rules:
  extends: [builtin:default]
  tenant: {field: vhost, map: {shop.example: customer-b}, default: customer-c}
`, 1)
	s = strings.Replace(s, "sinks:\n", `  - name: vhosts
    type: file
    paths: ["vhosts/*.log"]
    format: combined
    start_at: beginning
    labels: {job: vhosts}
sinks:
`, 1)
	os.WriteFile(cfg, []byte(s), 0o644)
	now := time.Now().UTC()
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 50, now)
	os.MkdirAll(filepath.Join(dir, "vhosts"), 0o755)
	var vb strings.Builder
	for i := 50; i < 100; i++ {
		host := "shop.example:443"
		if i%2 == 1 {
			host = "blog.example:443"
		}
		vb.WriteString(host + " " + accessLine(i, now) + "\n")
	}
	os.WriteFile(filepath.Join(dir, "vhosts", "other_vhosts_access.log"), []byte(vb.String()), 0o644)
	runOnce(t, cfg)
	from, to := window()
	a := l.WaitFor(t, "customer-a", `{input=~".+"}`, from, to, 50, 30*time.Second)
	b := l.WaitFor(t, "customer-b", `{input=~".+"}`, from, to, 25, 30*time.Second)
	c := l.WaitFor(t, "customer-c", `{input=~".+"}`, from, to, 25, 30*time.Second)
	checkExactlyOnce(t, lokiLines(a), 0, 50)
	for _, e := range b {
		if !strings.HasPrefix(e.Line, "shop.example") {
			t.Fatalf("customer-b sees %q", e.Line)
		}
	}
	for _, e := range c {
		if strings.HasPrefix(e.Line, "shop.example") || e.Labels["job"] != "vhosts" {
			t.Fatalf("customer-c sees %q", e.Line)
		}
	}
	if len(a)+len(b)+len(c) != 100 {
		t.Fatalf("%d+%d+%d entries, want 100", len(a), len(b), len(c))
	}
	if n := len(l.Query(t, "hoster", `{input=~".+"}`, from, to)); n != 0 {
		t.Errorf("the default tenant got %d entries", n)
	}
}
