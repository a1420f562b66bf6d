package agent

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/rules/aggregate"
)

func statsWindow(start time.Time, host string, requests uint64) aggregate.Window {
	return aggregate.Window{Start: start, End: start.Add(time.Minute), Host: host, Requests: requests, Bytes: 10 * requests,
		ByMethod: map[string]map[string]uint64{"GET": {"2xx": requests}},
		Routes:   []aggregate.RouteCount{{Route: "/products/:id", Requests: requests, Visitors: 10}}}
}

// TestStatsHistory merges minute windows into steps, bounds the hosts
// and forgets what is older than statsKeep.
func TestStatsHistory(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	h := newStatsHistory()
	var ws []aggregate.Window
	for i := range 10 { // 11:50 … 11:59: two steps of five minutes
		ws = append(ws, statsWindow(now.Add(time.Duration(i-10)*time.Minute), "shop.example.com", 1))
	}
	h.add(ws, now)
	h.add([]aggregate.Window{statsWindow(now.Add(-25*time.Hour), "shop.example.com", 7)}, now) // past statsKeep
	for i := range statsMaxHosts + 5 {
		h.add([]aggregate.Window{statsWindow(now.Add(-time.Minute), fmt.Sprintf("h%d.example.com", i), 1)}, now)
	}
	r := h.report(nil)
	steps := map[string]uint64{}
	hosts := map[string]bool{}
	for _, w := range r.Windows {
		hosts[w.Host] = true
		if w.Host == "shop.example.com" {
			steps[w.Start.Format("15:04")] += w.Requests
			if w.End.Sub(w.Start) != statsStep {
				t.Errorf("window %v–%v is not one step", w.Start, w.End)
			}
		}
	}
	if len(steps) != 2 || steps["11:50"] != 5 || steps["11:55"] != 5 {
		t.Errorf("steps %v, want 11:50 and 11:55 with 5 requests each (and nothing past 24h)", steps)
	}
	if len(hosts) != statsMaxHosts+1 || !hosts["other"] {
		t.Errorf("%d hosts (other: %v), want %d and other", len(hosts), hosts["other"], statsMaxHosts+1)
	}
}

// TestStatsPageOffByDefault: /stats answers 404 unless server.stats
// turned the history on; then it serves the page with its CSP.
func TestStatsPageOffByDefault(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	a := New(Options{Now: func() time.Time { return now }})
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/stats", nil))
		return rec
	}
	if rec := get(); rec.Code != 404 || !strings.Contains(rec.Body.String(), "server.stats") {
		t.Fatalf("/stats while off: %d %q", rec.Code, rec.Body.String())
	}
	a.m.web.addWindows([]aggregate.Window{statsWindow(now.Add(-time.Hour), "before.example.com", 3)})
	a.m.web.keepHistory()
	a.m.web.addWindows([]aggregate.Window{statsWindow(now.Add(-2*time.Minute), "shop.example.com", 42)})
	rec := get()
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") ||
		rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("/stats: %d %v", rec.Code, rec.Header())
	}
	if !strings.Contains(body, "shop.example.com") || !strings.Contains(body, "/products/:id") || strings.Contains(body, "before.example.com") {
		t.Fatalf("/stats page:\n%.2000s", body)
	}
}

func TestStatsOffInDefaultConfig(t *testing.T) {
	if config.Default().Server.Stats {
		t.Fatal("server.stats is on by default")
	}
}
