package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// picturesLog writes n JSON access-log lines ending at end, spread over
// span: three virtual hosts, a handful of routes, some bots, errors and
// durations, clients 0..clients-1.
func picturesLog(n, clients int, end time.Time, span time.Duration) string {
	hosts := []string{"shop.example.com", "shop.example.com", "blog.example.org", "api.example.net"}
	routes := []string{"/", "/products/%d", "/cart", "/blog/%d/comments", "/static/app.css"}
	statuses := []int{200, 200, 200, 200, 200, 200, 304, 404, 500, 301}
	var b strings.Builder
	for i := range n {
		t := end.Add(-span + time.Duration(i)*span/time.Duration(n))
		ua := "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0"
		if i%9 == 0 {
			ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
		}
		route := routes[i%len(routes)]
		if strings.Contains(route, "%d") {
			route = fmt.Sprintf(route, i)
		}
		c := i % clients
		line, _ := json.Marshal(map[string]any{"time": t.UTC().Format(time.RFC3339), "host": hosts[i%len(hosts)],
			"remote_addr": fmt.Sprintf("10.0.%d.%d", c>>8, c&255), "method": "GET", "uri": route,
			"status": statuses[i%len(statuses)], "bytes": 500 + i%7*1000, "user_agent": ua,
			"request_time": float64(i%40+1) / 200})
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// picturesRules aggregates in 1m windows and names routes from 2
// distinct visitors on, so a small test log shows routes.
const picturesRules = "extends: [builtin:analytics]\naggregate:\n  window: 1m\n  k_anonymity: 2\n"

// TestAggregateHTML writes the page with tarn aggregate --html, checks
// it is self-contained and holds no personal data, and renders it in a
// real headless Chromium.
func TestAggregateHTML(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	log := writeFile(t, dir, "access.log", picturesLog(20000, 300, now.Add(-2*time.Hour), 6*time.Hour))
	rulesFile := writeFile(t, dir, "rules.yaml", picturesRules)
	out := filepath.Join(dir, "report.html")
	mustTarn(t, "", "aggregate", "--rules", rulesFile, "--key-file", newKeyFile(t), "--format", "json",
		"--now", now.Format(time.RFC3339), "--input", log, "--html", out)
	html := readFile(t, out)
	checkSelfContained(t, html)
	for _, want := range []string{"shop.example.com", "blog.example.org", "/products/:id", "Distinct visitors per UTC day", "Request durations", "Status classes"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, raw := range []string{"10.0.0.", "Googlebot", "/products/1\"", "Firefox"} {
		if strings.Contains(html, raw) {
			t.Errorf("page holds record content %q", raw)
		}
	}
	abs, _ := filepath.Abs(out)
	checkInChromium(t, "file://"+abs, "aggregate-html", 5)
}

// checkSelfContained fails if the page could load anything: no scripts,
// no external references, a CSP that forbids everything else.
func checkSelfContained(t *testing.T, html string) {
	t.Helper()
	if !strings.Contains(html, `http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;`) {
		t.Error("no Content-Security-Policy meta tag")
	}
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", "src=", "srcset=", "javascript:"} {
		if strings.Contains(strings.ToLower(html), bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, u := range regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^"'\s<]*`).FindAllString(html, -1) {
		if u != "http://www.w3.org/2000/svg" {
			t.Errorf("page names an external URL %q", u)
		}
	}
}

// chromium returns the Chromium binary, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (Debian: apt-get install chromium); the page is not rendered in a browser")
	return ""
}

// recordingProxy is an HTTP proxy that answers 403 and records every
// request: the browser sends everything that is not loopback to it.
type recordingProxy struct {
	mu   sync.Mutex
	seen []string
}

func (p *recordingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.Host+r.URL.Path)
	p.mu.Unlock()
	http.Error(w, "no network in this test", http.StatusForbidden)
}

// browserOwn matches the browser's own background requests (network
// time, component updates, sign-in), which headless Chromium makes
// whatever page it shows; the page cannot cause them (it names no URL,
// checkSelfContained proves it).
var browserOwn = regexp.MustCompile(`^\S+ [^/]*(\.google\.com|\.googleapis\.com|\.gstatic\.com|\.gvt1\.com)(:443)?(/|$)`)

// requests returns what the page requested, without the browser's own.
func (p *recordingProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, r := range p.seen {
		if !browserOwn.MatchString(r) {
			out = append(out, r)
		}
	}
	return out
}

// checkInChromium loads url in headless Chromium with every non-loopback
// request sent to a recording proxy and every host name unresolvable,
// dumps the DOM and takes a screenshot: the page must render its charts
// (at least minSVG svg elements), the screenshot must be a PNG that is
// not blank, and the page must have made no network request. With
// TARN_SCREENSHOTS set, the screenshot is kept there as name.png.
func checkInChromium(t *testing.T, url, name string, minSVG int) {
	t.Helper()
	bin := chromium(t)
	proxy := &recordingProxy{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: proxy}
	go srv.Serve(ln)
	defer srv.Close()
	dir := t.TempDir()
	run := func(target string, extra ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--no-first-run", "--no-default-browser-check",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
			"--disable-default-apps", "--disable-domain-reliability", "--disable-breakpad", "--metrics-recording-only",
			"--proxy-server=http://" + ln.Addr().String(),
			`--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
			"--window-size=1280,2400", "--hide-scrollbars"}, extra...)
		cmd := exec.CommandContext(ctx, bin, append(args, target)...)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", extra, err, stderr.String())
		}
		return stdout.Bytes()
	}
	// The control: a page that loads an image from elsewhere must show up
	// at the proxy, or the check below proves nothing.
	control := writeFile(t, dir, "control.html", `<!DOCTYPE html><img src="http://tarn-probe.example/pixel.png">`)
	run("file://"+control, "--dump-dom")
	if seen := proxy.requests(); len(seen) == 0 || !strings.Contains(strings.Join(seen, " "), "tarn-probe.example") {
		t.Fatalf("the recording proxy saw no request of the control page (%v): the network check would prove nothing", seen)
	}
	proxy.mu.Lock()
	proxy.seen = nil
	proxy.mu.Unlock()
	dom := string(run(url, "--dump-dom"))
	if n := strings.Count(dom, "<svg"); n < minSVG {
		t.Errorf("the rendered DOM has %d svg elements, want at least %d:\n%.2000s", n, minSVG, dom)
	}
	for _, want := range []string{"<h1>Web statistics</h1>", "<path", "Top routes"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered DOM lacks %q", want)
		}
	}
	shot := filepath.Join(dir, name+".png")
	run(url, "--screenshot="+shot)
	checkScreenshot(t, shot)
	if keep := os.Getenv("TARN_SCREENSHOTS"); keep != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(keep, name+".png"), data, 0o644)
	}
	if seen := proxy.requests(); len(seen) > 0 {
		t.Errorf("the page made network requests: %v", seen)
	}
}

// checkScreenshot decodes the PNG and fails if it is blank: it must have
// many colours, and the chart colours among them.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 800 || b.Dy() < 800 {
		t.Fatalf("screenshot is %v", b)
	}
	colours := map[[3]uint32]int{}
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}]++
		}
	}
	if len(colours) < 50 {
		t.Errorf("screenshot looks blank: %d colours", len(colours))
	}
	if !near(img, 0x4f, 0x6b, 0xed) {
		t.Error("screenshot has no pixel of the requests chart's colour")
	}
}

// near reports whether img has a pixel of about the colour r, g, b.
func near(img image.Image, r, g, b uint32) bool {
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if diff(pr>>8, r) < 12 && diff(pg>>8, g) < 12 && diff(pb>>8, b) < 12 {
				return true
			}
		}
	}
	return false
}

func diff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// statsAgent runs the real binary on a JSON access log with a file sink
// and server.stats on, and waits until the aggregates of the log are in
// its /metrics. It returns the server's base URL.
func statsAgent(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the agent binary")
	}
	bin := buildTarn(t)
	dir := t.TempDir()
	now := time.Now()
	log := picturesLog(3000, 200, now.Add(-3*time.Minute), time.Hour)
	// A line no parser understands, scrubbed by the detectors, and a few
	// past retention, so the detection and drop counters exist.
	log += "login failed for someone@example.com\n"
	// A few lines past retention, so the drop counters exist.
	for i := range 3 {
		log += fmt.Sprintf(`{"time":%q,"host":"shop.example.com","remote_addr":"10.9.9.%d","method":"GET","uri":"/","status":200,"bytes":1}`+"\n",
			now.Add(-9*24*time.Hour).UTC().Format(time.RFC3339), i)
	}
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	writeFile(t, dir, "logs/access.log", log)
	writeFile(t, dir, "rules.yaml", picturesRules)
	writeFile(t, dir, "key", strings.Repeat("cd", 32)+"\n")
	os.Chmod(filepath.Join(dir, "key"), 0o600)
	addr := freeLoopback(t)
	// A stand-in Loki that accepts every push, so the counters of sinks
	// that report their own outcomes exist too.
	loki := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(loki.Close)
	writeFile(t, dir, "tarn.yaml", fmt.Sprintf(`data_dir: data
rules: rules.yaml
key_file: key
inputs:
  - {name: web, type: file, paths: ["logs/*.log"], format: json, start_at: beginning}
sinks:
  - {name: archive, type: file, path: out}
  - {name: loki, type: loki, url: %q}
server: {listen: %q, stats: true}
`, loki.URL+"/loki/api/v1/push", addr))
	a := startAgent(t, bin, dir)
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		body, _ := httpGet(base + "/metrics")
		if strings.Contains(body, "tarn_web_request_duration_seconds_bucket") && strings.Contains(body, "tarn_web_route_requests_total") &&
			strings.Contains(body, "tarn_sink_send_duration_seconds_bucket") && strings.Contains(body, `outcome="dropped_too_old"`) {
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent's /metrics never showed the aggregates:\n%s\nlog:\n%s", body, a.stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freeLoopback(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func httpGet(url string) (string, *http.Response) {
	resp, err := http.Get(url)
	if err != nil {
		return "", nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp
}

// TestAgentStatsPage serves /stats from a running agent and renders it in
// headless Chromium.
func TestAgentStatsPage(t *testing.T) {
	base := statsAgent(t)
	body, resp := httpGet(base + "/stats")
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("/stats: %v\n%s", resp, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	checkSelfContained(t, body)
	for _, want := range []string{"shop.example.com", "/products/:id", "tarn agent"} {
		if !strings.Contains(body, want) {
			t.Errorf("/stats lacks %q", want)
		}
	}
	if strings.Contains(body, "10.0.0.") || strings.Contains(body, "Firefox") {
		t.Error("/stats holds record content")
	}
	checkInChromium(t, base+"/stats", "agent-stats", 5)
}

// TestPrometheusGrafana validates packaging/prometheus and
// packaging/grafana with Prometheus' own parsers (the separate module
// testdata/promcheck) against the metric names a running agent exports.
func TestPrometheusGrafana(t *testing.T) {
	base := statsAgent(t)
	body, _ := httpGet(base + "/metrics")
	scrape := writeFile(t, t.TempDir(), "metrics.txt", body)
	glob := func(pattern string, min int) string {
		files, _ := filepath.Glob(filepath.Join("..", "..", "packaging", pattern))
		if len(files) < min {
			t.Fatalf("%s: %v", pattern, files)
		}
		for i, f := range files {
			files[i], _ = filepath.Abs(f)
		}
		return strings.Join(files, ",")
	}
	cmd := exec.Command("go", "run", ".", "-metrics", scrape,
		"-rules", glob("prometheus/*.yml", 1), "-dashboards", glob("grafana/*.json", 2))
	cmd.Dir = filepath.Join("..", "..", "testdata", "promcheck")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promcheck: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	// The checker itself: an unknown metric, PromQL that does not parse
	// and an alert without severity must each fail it.
	dir := t.TempDir()
	badRules := writeFile(t, dir, "bad.yml", "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(tarn_input_lines_total[5m]) >\n")
	badAlert := writeFile(t, dir, "bad2.yml", "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: tarn_spool_bytes > 1\n")
	badDash := writeFile(t, dir, "bad.json", `{"uid":"x","title":"x","schemaVersion":39,"panels":[{"type":"timeseries","title":"p","targets":[{"expr":"rate(tarn_no_such_metric_total[$__rate_interval])"}]}]}`)
	for _, c := range []struct{ flag, file, want string }{
		{"-rules", badRules, "parse error"},
		{"-rules", badAlert, "needs a severity label"},
		{"-dashboards", badDash, "metric tarn_no_such_metric_total is not exported"},
	} {
		cmd := exec.Command("go", "run", ".", "-metrics", scrape, c.flag, c.file)
		cmd.Dir = filepath.Join("..", "..", "testdata", "promcheck")
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("promcheck %s %s: %v, want an error with %q:\n%s", c.flag, filepath.Base(c.file), err, c.want, out)
		}
	}
}
