package aggregate

import (
	"fmt"
	"sort"
	"time"

	"github.com/axiomhq/hyperloglog"
)

// Report is what aggregation produces: windows and daily visitor counts.
// Its JSON form is the output of `tarn aggregate` and the input of
// `tarn aggregate --merge`.
type Report struct {
	// Windows are the per-window, per-host aggregates, oldest first.
	Windows []Window `json:"windows"`
	// Visitors are the distinct-visitor sketches per day and host.
	Visitors []Visitors `json:"visitors"`
}

// Window is the aggregate of one window and virtual host.
type Window struct {
	// Start and End bound the window [Start, End).
	Start time.Time `json:"start"`
	// End is the end of the window.
	End time.Time `json:"end"`
	// Host is the virtual host, "-" when the log has none, "other" for
	// hosts past the limit or that are not host names.
	Host string `json:"vhost"`
	// Requests counts all requests.
	Requests uint64 `json:"requests"`
	// ByMethod counts requests by method and status class (1xx … 5xx,
	// other).
	ByMethod map[string]map[string]uint64 `json:"by_method_status"`
	// Bytes is the sum of response sizes.
	Bytes uint64 `json:"bytes"`
	// Bots counts requests from robots.
	Bots uint64 `json:"bots"`
	// Duration is the request-duration histogram, when the log has one.
	Duration *Histogram `json:"duration_seconds,omitempty"`
	// Routes are the top routes with at least k distinct visitors.
	Routes []RouteCount `json:"routes"`
	// OtherRoutes sums the requests of every other route.
	OtherRoutes RouteCount `json:"other_routes"`
	// API are the application-telemetry groups, most records first.
	API []APIGroup `json:"api,omitempty"`
}

// Visitors is the distinct-visitor sketch of one UTC day and host.
type Visitors struct {
	// Day is the UTC day, YYYY-MM-DD.
	Day string `json:"day"`
	// Host is the virtual host.
	Host string `json:"vhost"`
	// Estimate is the sketch's distinct count.
	Estimate uint64 `json:"estimate"`
	// Sketch is the serialized HyperLogLog (base64 in JSON); sketches of
	// the same day and host merge.
	Sketch []byte `json:"sketch"`
}

func newVisitors(day int64, host string, sk *hyperloglog.Sketch) Visitors {
	b, _ := sk.MarshalBinary()
	return Visitors{Day: time.Unix(day, 0).UTC().Format(time.DateOnly), Host: host, Estimate: sk.Estimate(), Sketch: b}
}

// Merge combines reports of the same windows from several nodes or
// files: counts add up, routes are summed by name (each was already
// k-anonymous where it was counted) and cut to the top n again, and the
// visitor sketches of a day and host merge into the distinct count of
// the union.
func Merge(n int, reports ...*Report) (*Report, error) {
	out := &Report{Windows: mergeWindows(n, reports), Visitors: []Visitors{}}
	sketches := map[[2]string]*hyperloglog.Sketch{}
	for _, r := range reports {
		for _, v := range r.Visitors {
			sk := hyperloglog.New16()
			if err := sk.UnmarshalBinary(v.Sketch); err != nil {
				return nil, fmt.Errorf("aggregate: visitors %s %s: bad sketch: %w", v.Day, v.Host, err)
			}
			key := [2]string{v.Day, v.Host}
			if have, ok := sketches[key]; ok {
				if err := have.Merge(sk); err != nil {
					return nil, fmt.Errorf("aggregate: visitors %s %s: %w", v.Day, v.Host, err)
				}
				continue
			}
			sketches[key] = sk
		}
	}
	for key, sk := range sketches {
		b, _ := sk.MarshalBinary()
		out.Visitors = append(out.Visitors, Visitors{Day: key[0], Host: key[1], Estimate: sk.Estimate(), Sketch: b})
	}
	sort.Slice(out.Visitors, func(i, j int) bool {
		a, b := out.Visitors[i], out.Visitors[j]
		return a.Day < b.Day || a.Day == b.Day && a.Host < b.Host
	})
	return out, nil
}

// mergeWindows adds up windows with the same start and host.
func mergeWindows(n int, reports []*Report) []Window {
	type key struct {
		start int64
		host  string
	}
	merged := map[key]*Window{}
	var keys []key
	for _, r := range reports {
		for _, w := range r.Windows {
			k := key{w.Start.Unix(), w.Host}
			m, ok := merged[k]
			if !ok {
				m = &Window{Start: w.Start, End: w.End, Host: w.Host, ByMethod: map[string]map[string]uint64{}}
				merged[k] = m
				keys = append(keys, k)
			}
			m.add(&w)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].start < keys[j].start || keys[i].start == keys[j].start && keys[i].host < keys[j].host
	})
	out := make([]Window, 0, len(keys))
	for _, k := range keys {
		w := merged[k]
		w.cutRoutes(n)
		w.sumAPI()
		out = append(out, *w)
	}
	return out
}

// add adds the counts of o to w.
func (w *Window) add(o *Window) {
	w.Requests += o.Requests
	w.Bytes += o.Bytes
	w.Bots += o.Bots
	for m, classes := range o.ByMethod {
		if w.ByMethod[m] == nil {
			w.ByMethod[m] = map[string]uint64{}
		}
		for c, n := range classes {
			w.ByMethod[m][c] += n
		}
	}
	if o.Duration != nil {
		if w.Duration == nil {
			w.Duration = &Histogram{}
		}
		w.Duration.Merge(o.Duration)
	}
	w.Routes = append(w.Routes, o.Routes...)
	w.API = append(w.API, o.API...)
	w.OtherRoutes.Requests += o.OtherRoutes.Requests
	w.OtherRoutes.Bytes += o.OtherRoutes.Bytes
}

// sumAPI adds up the API groups with the same group and key.
func (w *Window) sumAPI() {
	if len(w.API) == 0 {
		return
	}
	sums := map[string]*APIGroup{}
	var names []string
	for _, g := range w.API {
		name := apiName(g)
		s, ok := sums[name]
		if !ok {
			s = &APIGroup{Group: g.Group, Key: g.Key}
			sums[name] = s
			names = append(names, name)
		}
		s.Requests += g.Requests
		s.Bytes += g.Bytes
		if g.Duration != nil {
			if s.Duration == nil {
				s.Duration = &Histogram{}
			}
			s.Duration.Merge(g.Duration)
		}
	}
	sort.Strings(names)
	w.API = w.API[:0]
	for _, name := range names {
		w.API = append(w.API, *sums[name])
	}
}

// cutRoutes sums routes of the same name and keeps the top n; the rest
// goes to OtherRoutes.
func (w *Window) cutRoutes(n int) {
	sum := map[string]*RouteCount{}
	var names []string
	for _, r := range w.Routes {
		s, ok := sum[r.Route]
		if !ok {
			s = &RouteCount{Route: r.Route}
			sum[r.Route] = s
			names = append(names, r.Route)
		}
		s.Requests += r.Requests
		s.Bytes += r.Bytes
		s.Visitors = max(s.Visitors, r.Visitors)
	}
	routes := make([]RouteCount, 0, len(names))
	for _, name := range names {
		routes = append(routes, *sum[name])
	}
	sort.Slice(routes, func(i, j int) bool {
		return routes[i].Requests > routes[j].Requests || routes[i].Requests == routes[j].Requests && routes[i].Route < routes[j].Route
	})
	if len(routes) > n {
		for _, r := range routes[n:] {
			w.OtherRoutes.Requests += r.Requests
			w.OtherRoutes.Bytes += r.Bytes
		}
		routes = routes[:n]
	}
	w.Routes = routes
}
