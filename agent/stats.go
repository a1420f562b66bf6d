package agent

import (
	"bytes"
	"net/http"
	"sync"
	"time"

	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/rules/aggregate/page"
)

// Bounds of the /stats page's history: the flushed windows of the last
// statsKeep, merged into steps of statsStep (or of the window, when it is
// longer), for at most statsMaxHosts virtual hosts (more are "other"),
// each step naming its statsTopRoutes busiest routes.
const (
	statsStep      = 5 * time.Minute
	statsKeep      = 24 * time.Hour
	statsMaxHosts  = 50
	statsTopRoutes = 20
)

// statsHistory keeps the recent aggregate windows for the /stats page
// (server.stats). It holds what the windows hold — counts, histograms,
// k-anonymous route templates — and nothing else.
type statsHistory struct {
	mu      sync.Mutex
	windows []aggregate.Window // merged by step and host
	hosts   map[string]bool
}

func newStatsHistory() *statsHistory { return &statsHistory{hosts: map[string]bool{}} }

// add merges flushed windows into their steps and forgets steps older
// than statsKeep.
func (h *statsHistory) add(windows []aggregate.Window, now time.Time) {
	if len(windows) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	in := make([]aggregate.Window, 0, len(windows))
	for _, w := range windows {
		if d := w.End.Sub(w.Start); d <= statsStep {
			w.Start = w.Start.Truncate(statsStep)
			w.End = w.Start.Add(statsStep)
		}
		w.API = nil // the page does not show them
		if !h.hosts[w.Host] {
			if len(h.hosts) >= statsMaxHosts {
				w.Host = "other"
			} else {
				h.hosts[w.Host] = true
			}
		}
		in = append(in, w)
	}
	merged, _ := aggregate.Merge(statsTopRoutes, &aggregate.Report{Windows: h.windows}, &aggregate.Report{Windows: in})
	cut := now.Add(-statsKeep)
	keep := merged.Windows[:0]
	for _, w := range merged.Windows {
		if w.End.After(cut) {
			keep = append(keep, w)
		}
	}
	h.windows = keep
}

// report returns the history and today's visitors as one report.
func (h *statsHistory) report(visitors []aggregate.Visitors) *aggregate.Report {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := &aggregate.Report{Windows: append([]aggregate.Window(nil), h.windows...), Visitors: visitors}
	return r
}

// keepHistory turns the /stats history on (server.stats).
func (w *webMetrics) keepHistory() {
	w.mu.Lock()
	if w.stats == nil {
		w.stats = newStatsHistory()
	}
	w.mu.Unlock()
}

// statsReport is the page's report: the history and today's visitors of
// every input, merged per host; nil when the page is off.
func (w *webMetrics) statsReport() *aggregate.Report {
	w.mu.Lock()
	st, aggs := w.stats, w.aggs
	w.mu.Unlock()
	if st == nil {
		return nil
	}
	now := w.now()
	var reports []*aggregate.Report
	for _, a := range aggs {
		reports = append(reports, &aggregate.Report{Visitors: a.visitors(now)})
	}
	var visitors []aggregate.Visitors
	if merged, err := aggregate.Merge(1, reports...); err == nil {
		visitors = merged.Visitors
	}
	return st.report(visitors)
}

// statsHandler serves the /stats page (404 unless server.stats is on).
func (a *Agent) statsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := a.m.web.statsReport()
		if rep == nil {
			http.Error(w, "the stats page is off (server.stats: true turns it on)", http.StatusNotFound)
			return
		}
		var buf bytes.Buffer
		err := page.Render(&buf, rep, page.Options{Title: "Web statistics", Generated: a.now(),
			Source: "tarn agent, the last 24 hours",
			Note:   "Windows appear once they are over; visitors are those of the current UTC day."})
		if err != nil {
			http.Error(w, "rendering the page failed", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", page.CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(buf.Bytes())
	})
}
