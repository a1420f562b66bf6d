package page

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules/aggregate"
)

// report builds a report of hosts × windows one minute apart.
func report(hosts []string, windows int, route string) *aggregate.Report {
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	r := &aggregate.Report{}
	for i := range windows {
		for j, h := range hosts {
			d := &aggregate.Histogram{}
			for k := range 10 {
				d.Observe(float64(k+1) / 100)
			}
			r.Windows = append(r.Windows, aggregate.Window{Start: start.Add(time.Duration(i) * time.Minute), End: start.Add(time.Duration(i+1) * time.Minute),
				Host: h, Requests: uint64(100 + j), Bytes: 1 << 20, Bots: 10,
				ByMethod: map[string]map[string]uint64{"GET": {"2xx": 90, "5xx": uint64(10 + j)}},
				Duration: d, Routes: []aggregate.RouteCount{{Route: route, Requests: 60, Bytes: 1000, Visitors: 10}},
				OtherRoutes: aggregate.RouteCount{Requests: uint64(40 + j)}})
		}
	}
	for _, h := range hosts {
		r.Visitors = append(r.Visitors, aggregate.Visitors{Day: "2026-11-20", Host: h, Estimate: 1234, Sketch: []byte("SKETCH-BYTES-" + h)})
	}
	return r
}

func render(t *testing.T, r *aggregate.Report, o Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, r, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestRenderEscapesAndOmitsSketches(t *testing.T) {
	evil := `"><script>alert(1)</script>`
	r := report([]string{"shop.example.com", "x" + evil}, 30, "/a/"+evil)
	out := render(t, r, Options{Generated: time.Unix(0, 0)})
	if strings.Contains(out, "<script") || strings.Contains(out, evil) {
		t.Fatal("a route or host name reached the page unescaped")
	}
	for _, v := range r.Visitors {
		if strings.Contains(out, string(v.Sketch)) || strings.Contains(out, base64.StdEncoding.EncodeToString(v.Sketch)) {
			t.Fatal("a visitor sketch is in the page")
		}
	}
	if !strings.Contains(out, `content="default-src &#39;none&#39;`) || strings.Count(out, "<svg") < 10 {
		t.Fatalf("no CSP or too few charts:\n%.3000s", out)
	}
	for _, want := range []string{"shop.example.com", "1234", "&lt;script&gt;", "median duration", "2026-11-20 08:00 – 2026-11-20 08:30 UTC"} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestRenderEmpty(t *testing.T) {
	out := render(t, &aggregate.Report{Windows: []aggregate.Window{}, Visitors: []aggregate.Visitors{}}, Options{Title: "t"})
	if !strings.Contains(out, "No aggregates yet") || !strings.Contains(out, "<title>t</title>") {
		t.Fatalf("empty page:\n%s", out)
	}
}

func TestRenderManyHosts(t *testing.T) {
	var hosts []string
	for i := range 30 {
		hosts = append(hosts, fmt.Sprintf("h%02d.example.com", i))
	}
	out := render(t, report(hosts, 3, "/"), Options{MaxHosts: 25})
	if n := strings.Count(out, `<section class="site" id="host-`); n != 25 {
		t.Errorf("%d host sections, want 25", n)
	}
	if !strings.Contains(out, "5 less busy virtual hosts") || !strings.Contains(out, "h00.example.com") {
		t.Error("the overview does not list the hosts without a section")
	}
	// The busiest host (h29: most requests) comes first.
	if i, j := strings.Index(out, `id="host-h29_example_com"`), strings.Index(out, `id="host-h20_example_com"`); i < 0 || j < 0 || i > j {
		t.Error("hosts are not ordered by requests")
	}
}

func TestSpanSteps(t *testing.T) {
	for _, c := range []struct {
		windows int
		want    time.Duration
	}{{30, time.Minute}, {300, 5 * time.Minute}, {7 * 1440, 3 * time.Hour}} {
		sp := reportSpan(report([]string{"a"}, c.windows, "/"))
		if sp.step != c.want {
			t.Errorf("%d windows: step %v, want %v", c.windows, sp.step, c.want)
		}
		all, _ := buildSites(report([]string{"a"}, c.windows, "/"), sp, 20)
		if len(all.series) > maxPoints+1 {
			t.Errorf("%d windows: %d points", c.windows, len(all.series))
		}
		var sum uint64
		for _, p := range all.series {
			sum += p.requests
		}
		if sum != uint64(100*c.windows) {
			t.Errorf("%d windows: series sums to %d", c.windows, sum)
		}
	}
}

func TestQuantile(t *testing.T) {
	h := &aggregate.Histogram{}
	if _, _, ok := quantile(h, 0.5); ok {
		t.Fatal("quantile of nothing")
	}
	for range 100 {
		h.Observe(0.2) // bucket (0.1, 0.25]
	}
	v, above, _ := quantile(h, 0.5)
	if above || v <= 0.1 || v > 0.25 {
		t.Fatalf("median %v", v)
	}
	h.Observe(60)
	if v, above, _ := quantile(h, 1); !above || v != 10 {
		t.Fatalf("max %v above %v", v, above)
	}
}

func TestUnits(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{count(999), "999"}, {count(12345), "12.3k"}, {count(2.5e6), "2.5M"},
		{size(512), "512 B"}, {size(1536), "1.5 KiB"}, {size(3 << 30), "3 GiB"},
		{seconds(0.0421), "42.1 ms"}, {seconds(2.5), "2.5 s"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if ticks := niceTicks(930); ticks[len(ticks)-1] < 930 || len(ticks) > 6 {
		t.Errorf("ticks %v", ticks)
	}
	if ticks := niceTicks(math.SmallestNonzeroFloat64); len(ticks) < 2 {
		t.Errorf("ticks %v", ticks)
	}
}
