package agent

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tarn-project/tarn/rules/aggregate"
)

// Bounds of the series over the agent's life: hosts past maxHostSeries
// and routes past maxRouteSeries are counted as "other" (a host name may
// come from the client's Host header).
const (
	maxHostSeries  = 1000
	maxRouteSeries = 2000
)

// webMetrics exports the flushed aggregate windows as Prometheus metrics
// and today's distinct-visitor estimate. Label values are host names
// (sanitized and bounded by the aggregator), methods, status classes and
// route templates that passed k-anonymity — never record content.
type webMetrics struct {
	mu       sync.Mutex
	requests map[[3]string]uint64
	bytes    map[string]uint64
	dur      map[string]*aggregate.Histogram
	routes   map[[2]string]uint64
	hosts    map[string]bool // the hosts with series
	aggs     []*aggregates
	now      func() time.Time
	stats    *statsHistory // the /stats page's history; nil when off
}

var (
	descWebRequests = prometheus.NewDesc("tarn_web_requests_total", "Web requests by virtual host, method and status class (from aggregation).", []string{"vhost", "method", "status_class"}, nil)
	descWebBytes    = prometheus.NewDesc("tarn_web_response_bytes_total", "Response bytes by virtual host.", []string{"vhost"}, nil)
	descWebDuration = prometheus.NewDesc("tarn_web_request_duration_seconds", "Request durations by virtual host, when the log carries them.", []string{"vhost"}, nil)
	descWebRoutes   = prometheus.NewDesc("tarn_web_route_requests_total", "Requests by route template (top routes with at least k distinct visitors per window; the rest is \"other\").", []string{"vhost", "route"}, nil)
	descWebVisitors = prometheus.NewDesc("tarn_web_unique_visitors", "Estimated distinct visitors of the current UTC day (HyperLogLog over daily-keyed pseudonyms).", []string{"vhost", "day"}, nil)
)

func newWebMetrics(now func() time.Time) *webMetrics {
	return &webMetrics{requests: map[[3]string]uint64{}, bytes: map[string]uint64{},
		dur: map[string]*aggregate.Histogram{}, routes: map[[2]string]uint64{}, hosts: map[string]bool{}, now: now}
}

// setAggregates names the running generation's aggregations (for the
// visitor gauge).
func (w *webMetrics) setAggregates(aggs []*aggregates) {
	w.mu.Lock()
	w.aggs = aggs
	w.mu.Unlock()
}

// addWindows adds flushed windows to the counters.
func (w *webMetrics) addWindows(windows []aggregate.Window) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range windows {
		win := &windows[i]
		host := w.host(win.Host)
		for method, classes := range win.ByMethod {
			for class, n := range classes {
				w.requests[[3]string{host, method, class}] += n
			}
		}
		w.bytes[host] += win.Bytes
		if win.Duration != nil {
			h := w.dur[host]
			if h == nil {
				h = &aggregate.Histogram{}
				w.dur[host] = h
			}
			h.Merge(win.Duration)
		}
		for _, r := range win.Routes {
			w.addRoute(host, r.Route, r.Requests)
		}
		w.addRoute(host, "other", win.OtherRoutes.Requests)
	}
	if w.stats != nil {
		w.stats.add(windows, w.now())
	}
}

// host returns the label value of a host: itself, or "other" once
// maxHostSeries hosts have series.
func (w *webMetrics) host(h string) string {
	if !w.hosts[h] {
		if len(w.hosts) >= maxHostSeries {
			return "other"
		}
		w.hosts[h] = true
	}
	return h
}

func (w *webMetrics) addRoute(host, route string, n uint64) {
	key := [2]string{host, route}
	if _, ok := w.routes[key]; !ok && len(w.routes) >= maxRouteSeries {
		key[1] = "other"
	}
	w.routes[key] += n
}

// Describe implements prometheus.Collector.
func (w *webMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descWebRequests, descWebBytes, descWebDuration, descWebRoutes, descWebVisitors} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. The visitor gauge is read
// without w.mu held (each aggregation takes its own lock).
func (w *webMetrics) Collect(ch chan<- prometheus.Metric) {
	w.collectCounters(ch)
	w.mu.Lock()
	aggs := w.aggs
	w.mu.Unlock()
	collectVisitors(ch, aggs, w.now())
}

// collectCounters sends the counters and histograms.
func (w *webMetrics) collectCounters(ch chan<- prometheus.Metric) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, n := range w.requests {
		ch <- prometheus.MustNewConstMetric(descWebRequests, prometheus.CounterValue, float64(n), k[0], k[1], k[2])
	}
	for host, n := range w.bytes {
		ch <- prometheus.MustNewConstMetric(descWebBytes, prometheus.CounterValue, float64(n), host)
	}
	for host, h := range w.dur {
		buckets := make(map[float64]uint64, len(aggregate.Bounds))
		var cum uint64
		for i, b := range aggregate.Bounds {
			cum += h.Buckets[i]
			buckets[b] = cum
		}
		ch <- prometheus.MustNewConstHistogram(descWebDuration, h.Count, h.Sum, buckets, host)
	}
	for k, n := range w.routes {
		ch <- prometheus.MustNewConstMetric(descWebRoutes, prometheus.CounterValue, float64(n), k[0], k[1])
	}
}

// collectVisitors merges today's sketches of every input per host.
func collectVisitors(ch chan<- prometheus.Metric, aggs []*aggregates, now time.Time) {
	var reports []*aggregate.Report
	for _, a := range aggs {
		reports = append(reports, &aggregate.Report{Visitors: a.visitors(now)})
	}
	if len(reports) == 0 {
		return
	}
	merged, err := aggregate.Merge(1, reports...)
	if err != nil {
		return
	}
	for _, v := range merged.Visitors {
		ch <- prometheus.MustNewConstMetric(descWebVisitors, prometheus.GaugeValue, float64(v.Estimate), v.Host, v.Day)
	}
}
