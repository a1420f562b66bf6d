package page

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/tarn-project/tarn/rules/aggregate"
)

// classes are the status classes in the order the page shows them.
var classes = [...]string{"2xx", "3xx", "4xx", "5xx", "1xx", "other"}

// point is one step of a host's time series.
type point struct {
	start                 time.Time
	requests, bytes, bots uint64
}

// site is everything the page shows of one virtual host (or of all).
type site struct {
	name      string
	requests  uint64
	bytes     uint64
	bots      uint64
	classes   [len(classes)]uint64
	dur       aggregate.Histogram
	routes    []aggregate.RouteCount
	other     aggregate.RouteCount
	series    []point
	visitors  []aggregate.Visitors // by day
	firstSeen time.Time
}

// span is the time range of a report and the step of its series.
type span struct {
	from, to time.Time
	step     time.Duration
}

// niceSteps are the steps a series may use; the smallest that keeps it at
// most maxPoints long wins.
var niceSteps = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

const maxPoints = 120

// reportSpan returns the range of r's windows and a step for its series.
func reportSpan(r *aggregate.Report) span {
	var s span
	for _, w := range r.Windows {
		if s.from.IsZero() || w.Start.Before(s.from) {
			s.from = w.Start
		}
		if w.End.After(s.to) {
			s.to = w.End
		}
	}
	s.step = niceSteps[len(niceSteps)-1]
	for _, st := range niceSteps {
		if s.to.Sub(s.from.Truncate(st)) <= st*maxPoints {
			s.step = st
			break
		}
	}
	// A step is never finer than the windows themselves.
	for _, w := range r.Windows {
		if d := w.End.Sub(w.Start); d > s.step {
			s.step = d
		}
	}
	s.from = s.from.Truncate(s.step)
	return s
}

// buildSites folds r's windows into one site per host, busiest first,
// and one for all hosts together. Visitor counts of all hosts come from
// merging the sketches, so a visitor of two hosts counts once.
func buildSites(r *aggregate.Report, sp span, topRoutes int) (all *site, hosts []*site) {
	byHost := map[string]*site{}
	all = &site{name: "all virtual hosts"}
	get := func(h string) *site {
		s, ok := byHost[h]
		if !ok {
			s = &site{name: h}
			byHost[h] = s
		}
		return s
	}
	for i := range r.Windows {
		w := &r.Windows[i]
		for _, s := range []*site{all, get(w.Host)} {
			s.add(w, sp)
		}
	}
	// all's routes are named with their host when there are several.
	all.routes = nil
	for _, s := range byHost {
		for _, rc := range s.routes {
			if len(byHost) > 1 {
				rc.Route = s.name + " " + rc.Route
			}
			all.routes = append(all.routes, rc)
		}
	}
	for _, s := range append([]*site{all}, mapValues(byHost)...) {
		s.routes, s.other = topN(s.routes, s.other, topRoutes)
	}
	for _, v := range r.Visitors {
		get(v.Host).visitors = append(get(v.Host).visitors, v)
	}
	all.visitors = mergeVisitors(r.Visitors)
	hosts = mapValues(byHost)
	sort.Slice(hosts, func(i, j int) bool {
		return hosts[i].requests > hosts[j].requests || hosts[i].requests == hosts[j].requests && hosts[i].name < hosts[j].name
	})
	return all, hosts
}

func mapValues(m map[string]*site) []*site {
	out := make([]*site, 0, len(m))
	for _, s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// add counts a window into s.
func (s *site) add(w *aggregate.Window, sp span) {
	s.requests += w.Requests
	s.bytes += w.Bytes
	s.bots += w.Bots
	for _, byClass := range w.ByMethod {
		for c, n := range byClass {
			s.classes[classIndex(c)] += n
		}
	}
	if w.Duration != nil {
		s.dur.Merge(w.Duration)
	}
	s.routes = append(s.routes, w.Routes...)
	s.other.Requests += w.OtherRoutes.Requests
	s.other.Bytes += w.OtherRoutes.Bytes
	if s.series == nil {
		n := max(1, int((sp.to.Sub(sp.from)+sp.step-1)/sp.step))
		s.series = make([]point, n)
		for i := range s.series {
			s.series[i].start = sp.from.Add(time.Duration(i) * sp.step)
		}
	}
	if i := int(w.Start.Sub(sp.from) / sp.step); i >= 0 && i < len(s.series) {
		p := &s.series[i]
		p.requests += w.Requests
		p.bytes += w.Bytes
		p.bots += w.Bots
	}
}

func classIndex(c string) int {
	for i, name := range classes {
		if name == c {
			return i
		}
	}
	return len(classes) - 1
}

// topN sums routes by name over the windows and keeps the n busiest; the
// rest adds to other. Each route was k-anonymous in the window that named
// it, so a sum of them is too.
func topN(routes []aggregate.RouteCount, other aggregate.RouteCount, n int) ([]aggregate.RouteCount, aggregate.RouteCount) {
	sum := map[string]*aggregate.RouteCount{}
	for _, r := range routes {
		s, ok := sum[r.Route]
		if !ok {
			s = &aggregate.RouteCount{Route: r.Route}
			sum[r.Route] = s
		}
		s.Requests += r.Requests
		s.Bytes += r.Bytes
		s.Visitors = max(s.Visitors, r.Visitors)
	}
	out := make([]aggregate.RouteCount, 0, len(sum))
	for _, s := range sum {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Requests > out[j].Requests || out[i].Requests == out[j].Requests && out[i].Route < out[j].Route
	})
	if len(out) > n {
		for _, r := range out[n:] {
			other.Requests += r.Requests
			other.Bytes += r.Bytes
		}
		out = out[:n]
	}
	return out, other
}

// mergeVisitors merges the sketches of every host per day.
func mergeVisitors(vs []aggregate.Visitors) []aggregate.Visitors {
	r := &aggregate.Report{}
	for _, v := range vs {
		v.Host = "all"
		r.Visitors = append(r.Visitors, v)
	}
	m, err := aggregate.Merge(1, r)
	if err != nil { // a bad sketch: fall back to the largest estimate per day
		best := map[string]uint64{}
		for _, v := range vs {
			best[v.Day] = max(best[v.Day], v.Estimate)
		}
		var out []aggregate.Visitors
		for day, n := range best {
			out = append(out, aggregate.Visitors{Day: day, Estimate: n})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
		return out
	}
	return m.Visitors
}

// quantile estimates the q-quantile of h by linear interpolation within
// the bucket, as Prometheus' histogram_quantile does; ok is false without
// observations, and above is true when it falls in the last, open bucket.
func quantile(h *aggregate.Histogram, q float64) (v float64, above, ok bool) {
	if h.Count == 0 {
		return 0, false, false
	}
	rank := q * float64(h.Count)
	var cum uint64
	for i, n := range h.Buckets {
		if float64(cum+n) >= rank && n > 0 {
			if i == len(aggregate.Bounds) {
				return aggregate.Bounds[i-1], true, true
			}
			lo := 0.0
			if i > 0 {
				lo = aggregate.Bounds[i-1]
			}
			hi := aggregate.Bounds[i]
			return lo + (hi-lo)*(rank-float64(cum))/float64(n), false, true
		}
		cum += n
	}
	return aggregate.Bounds[len(aggregate.Bounds)-1], true, true
}

// share is n/of as a percentage, 0 when of is 0.
func share(n, of uint64) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// anchor is a fragment id for a host name.
func anchor(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else if r >= 'A' && r <= 'Z' {
			b.WriteRune(r + 'a' - 'A')
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
