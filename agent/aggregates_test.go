package agent

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/rules/aggregate"
)

func TestAggregatesToMetricsAndTheirOwnSink(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	body, _ := os.ReadFile(cfg)
	s := strings.Replace(string(body), "rules: builtin:default\n", "rules:\n  extends: [builtin:default]\n  aggregate: {k_anonymity: 2}\n", 1)
	s = strings.Replace(s, "    rotate: {max_bytes: 1KiB}\n", `    rotate: {max_bytes: 1KiB}
    entries: records
  - name: aggregates
    type: file
    path: aggs
    format: ndjson
    entries: aggregates
`, 1)
	os.WriteFile(cfg, []byte(s), 0o644)
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Hour)
	log := filepath.Join(dir, "logs", "access.log")
	for i := range 3000 { // one line per second: 50 one-minute windows
		appendLines(t, log, i, i+1, start.Add(time.Duration(i)*time.Second))
	}
	st := runOnce(t, cfg)

	records := st.output(t)
	checkExactlyOnce(t, records, 0, 3000)
	if strings.Contains(strings.Join(records, "\n"), "tarn_aggregate") {
		t.Fatal("aggregates in the records sink")
	}
	var requests, bytes uint64
	var windows int
	var visitors []aggregate.Visitors
	files, _ := filepath.Glob(filepath.Join(dir, "aggs", "aggregates-*.log"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var e struct {
				Labels map[string]string `json:"labels"`
				Line   string            `json:"line"`
			}
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatal(err)
			}
			switch e.Labels["tarn_aggregate"] {
			case "web":
				var w aggregate.Window
				json.Unmarshal([]byte(e.Line), &w)
				requests, bytes, windows = requests+w.Requests, bytes+w.Bytes, windows+1
				if len(w.Routes) != 1 || w.Routes[0].Route != "/r/:id/item/:id" {
					t.Errorf("routes %+v", w.Routes)
				}
			case "visitors":
				var v aggregate.Visitors
				json.Unmarshal([]byte(e.Line), &v)
				visitors = append(visitors, v)
			default:
				t.Fatalf("not an aggregate: %s", l)
			}
			if strings.Contains(l, "203.0.113.") || strings.Contains(l, "alice") {
				t.Fatalf("personal data in an aggregate: %s", l)
			}
		}
	}
	if requests != 3000 || bytes != 3000*512 || windows < 50 {
		t.Fatalf("aggregates: %d requests, %d bytes in %d windows", requests, bytes, windows)
	}
	var distinct uint64
	for _, v := range visitors {
		distinct += v.Estimate // one host, at most two days
	}
	if math.Abs(float64(distinct)-250) > 5 {
		t.Errorf("distinct visitors %d, want 250 ± 2%%", distinct)
	}
	for sample, want := range map[string]float64{
		`tarn_web_requests_total{method="GET",status_class="2xx",vhost="-"}`: 3000,
		`tarn_web_response_bytes_total{vhost="-"}`:                           3000 * 512,
		`tarn_web_route_requests_total{route="/r/:id/item/:id",vhost="-"}`:   3000,
	} {
		if got := st.metric(sample); got != want {
			t.Errorf("%s = %v, want %v", sample, got, want)
		}
	}
}

func TestUniqueVisitorsGauge(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(body), "rules: builtin:default\n", "rules:\n  extends: [builtin:default]\n  aggregate: {}\n", 1)), 0o644)
	now := time.Now().UTC()
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 1000, now)
	st := start(t, cfg, Options{})
	sample := `tarn_web_unique_visitors{day="` + now.Format(time.DateOnly) + `",vhost="-"}`
	waitFor(t, "the visitor gauge", func() bool { return st.metric(sample) > 0 })
	waitFor(t, "all lines counted", func() bool { v := st.metric(sample); return v >= 245 && v <= 255 })
}

func TestPodLogPath(t *testing.T) {
	ns, pod, c, ok := podLogPath("/var/log/pods/shop_web-7d9f_0c1e-22aa/nginx/0.log")
	if !ok || ns != "shop" || pod != "web-7d9f" || c != "nginx" {
		t.Errorf("got %q %q %q %v", ns, pod, c, ok)
	}
	for _, p := range []string{"/var/log/nginx/access.log", "/var/log/pods/a_b/c/0.log", "/x/a_b_c/d/0.gz", "-"} {
		if _, _, _, ok := podLogPath(p); ok {
			t.Errorf("%s taken for a pod log", p)
		}
	}
}

func TestPodLabelsAndNamespaceTenants(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	body, _ := os.ReadFile(cfg)
	s := strings.Replace(string(body), `    paths: ["logs/*.log"]`, `    paths: ["pods/*/*/*.log"]`+"\n    namespace_tenants: {shop: customer-shop}", 1)
	s = strings.Replace(s, "    path: out\n", "    path: out\n    format: ndjson\n", 1)
	os.WriteFile(cfg, []byte(s), 0o644)
	for _, p := range []string{"shop_web-1_aa-11/nginx", "blog_web-2_bb-22/nginx"} {
		os.MkdirAll(filepath.Join(dir, "pods", p), 0o755)
		appendLines(t, filepath.Join(dir, "pods", p, "0.log"), 0, 3, time.Now().UTC())
	}
	st := runOnce(t, cfg)
	got := map[string]int{}
	for _, l := range st.output(t) {
		var e struct {
			Tenant string            `json:"tenant"`
			Labels map[string]string `json:"labels"`
		}
		json.Unmarshal([]byte(l), &e)
		got[e.Tenant+" "+e.Labels["namespace"]+" "+e.Labels["pod"]+" "+e.Labels["container"]]++
	}
	if got["customer-shop shop web-1 nginx"] != 3 || got[" blog web-2 nginx"] != 3 {
		t.Errorf("entries by tenant and pod labels: %v", got)
	}
}

// TestFlushAndScrapeDoNotDeadlock flushes windows while /metrics is
// scraped: both take the aggregation's and the web metrics' locks.
func TestFlushAndScrapeDoNotDeadlock(t *testing.T) {
	sp, err := spool.Open(spool.Options{Dir: t.TempDir(), MaxAge: 168 * time.Hour}, []string{"s"})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	m := newWebMetrics(func() time.Time { return base })
	a := newAggregates("web", "node-1", aggregate.Config{})
	m.setAggregates([]*aggregates{a})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 2000 {
			a.mu.Lock()
			a.addLocked(&aggregate.Obs{Time: base.Add(time.Duration(i) * time.Minute), Web: true, Method: []byte("GET"), Status: 200, URI: []byte("/"), Visitor: uint64(i) + 1})
			a.mu.Unlock()
			a.flush(base.Add(time.Duration(i)*time.Minute), false, sp, m, zap.NewNop())
		}
	}()
	scrape := func() {
		ch := make(chan prometheus.Metric, 1024)
		go func() { m.Collect(ch); close(ch) }()
		for range ch {
		}
	}
	for {
		select {
		case <-done:
			return
		case <-time.After(20 * time.Second):
			t.Fatal("flush and scrape deadlocked")
		default:
			scrape()
		}
	}
}
