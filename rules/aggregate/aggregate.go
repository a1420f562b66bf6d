package aggregate

import (
	"bytes"
	"sort"
	"time"

	"github.com/axiomhq/hyperloglog"
	"github.com/cespare/xxhash/v2"
)

// Obs is one request as the rules engine hands it over: raw field values
// that are only read during Add, never kept (routes are templated, the
// host is checked, the visitor is already a keyed hash).
type Obs struct {
	// Time is the request's time.
	Time time.Time
	// Host is the virtual host ("" when the log has none).
	Host []byte
	// Method is the request method.
	Method []byte
	// Status is the response status, 0 when unknown.
	Status int
	// Bytes is the response size.
	Bytes uint64
	// URI is the request target; nil when the record has none.
	URI []byte
	// Duration is the request duration in seconds, negative when unknown.
	Duration float64
	// Bot says the user agent is a robot.
	Bot bool
	// Visitor is a 64-bit hash of the visitor's pseudonym (a MAC of
	// address and user agent under the day's key); 0 when unknown.
	Visitor uint64
	// Web says the record is a web request (it has a method, status or
	// URI); the web aggregates count only those.
	Web bool
	// Groups are the raw values of the API group_by fields (nil entries
	// for missing fields); nil when the record is no API record.
	Groups [][]byte
	// Key is the pseudonym of the API key field, nil without one.
	Key []byte
}

// Aggregator accumulates windows and daily visitor sketches. It is not
// safe for concurrent use; Merge combines the reports of several.
type Aggregator struct {
	c         Config
	windows   map[int64]map[string]*window // window start (Unix s) → host → window
	days      map[int64]map[string]*hyperloglog.Sketch
	host      []byte
	rawHost   []byte // the Obs.Host a.host was made from
	free      []*TopK
	hosts     map[string]*window // the windows of lastStart
	lastStart int64
	last      *window           // the window of the previous request
	routes    map[uint64][]byte // route templates by a hash of the path
	key       []byte
}

// maxRouteCache bounds the cache of route templates.
const maxRouteCache = 8192

// window is the running state of one window and host.
type window struct {
	start    int64
	host     string
	requests uint64
	bytes    uint64
	bots     uint64
	byMS     [len(methods)][numClasses]uint64
	dur      Histogram
	routes   *TopK
	api      map[string]*apiGroup
	sketch   *hyperloglog.Sketch // the visitor sketch of the window's day and host
}

// New returns an Aggregator for c (defaults filled in).
func New(c Config) *Aggregator {
	c = c.WithDefaults()
	return &Aggregator{c: c, windows: map[int64]map[string]*window{}, days: map[int64]map[string]*hyperloglog.Sketch{}}
}

// Window returns the window length.
func (a *Aggregator) Window() time.Duration { return time.Duration(a.c.Window) }

// Add counts one request or application record.
func (a *Aggregator) Add(o *Obs) {
	if !bytes.Equal(o.Host, a.rawHost) || a.rawHost == nil {
		a.rawHost = append(a.rawHost[:0], o.Host...)
		a.host = appendHost(a.host[:0], o.Host)
	}
	w := a.window(o.Time)
	if a.c.API != nil && (o.Groups != nil || o.Key != nil) {
		a.addAPI(w, o)
	}
	if o.Web {
		a.addWeb(w, o)
	}
}

// addWeb counts a web request in w.
func (a *Aggregator) addWeb(w *window, o *Obs) {
	w.requests++
	w.bytes += o.Bytes
	if o.Bot {
		w.bots++
	}
	w.countMethod(o.Method, o.Status)
	if o.Duration >= 0 {
		w.dur.Observe(o.Duration)
	}
	if o.URI != nil {
		w.routes.Add(a.template(o.URI), o.Visitor, o.Bytes)
	}
	if *a.c.Visitors && o.Visitor != 0 {
		a.sketch(w, o.Time).InsertHash(o.Visitor)
	}
}

// template returns the route template of uri, cached by a hash of its
// path (the query string does not change the template, and paths repeat).
func (a *Aggregator) template(uri []byte) []byte {
	path := uri
	if i := bytes.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if i := bytes.IndexByte(path, '#'); i >= 0 {
		path = path[:i]
	}
	h := xxhash.Sum64(path)
	if r, ok := a.routes[h]; ok {
		return r
	}
	if a.routes == nil || len(a.routes) >= maxRouteCache {
		a.routes = make(map[uint64][]byte, 1024)
	}
	r := AppendRoute(nil, path)
	a.routes[h] = r
	return r
}

// window returns the window of t and a.host, creating it (hosts past
// MaxHosts share "other").
func (a *Aggregator) window(t time.Time) *window {
	step := int64(time.Duration(a.c.Window) / time.Second)
	start := t.Unix() - mod(t.Unix(), step)
	if w := a.last; w != nil && w.start == start && w.host == string(a.host) {
		return w
	}
	w := a.lookup(start)
	a.last = w
	return w
}

// lookup finds or creates the window of start and a.host.
func (a *Aggregator) lookup(start int64) *window {
	hosts := a.hosts
	if hosts == nil || a.lastStart != start {
		hosts = a.windows[start]
		if hosts == nil {
			hosts = map[string]*window{}
			a.windows[start] = hosts
		}
		a.hosts, a.lastStart = hosts, start
	}
	if w, ok := hosts[string(a.host)]; ok {
		return w
	}
	name := string(a.host)
	if len(hosts) >= a.c.MaxHosts {
		name = otherHost
		if w, ok := hosts[name]; ok {
			return w
		}
	}
	w := &window{start: start, host: name, routes: a.topK()}
	hosts[name] = w
	return w
}

// sketch returns the visitor sketch of t's UTC day and w's host (so
// hosts past MaxHosts share the sketch of "other"). A window lies within
// one day, so it keeps its day's sketch.
func (a *Aggregator) sketch(w *window, t time.Time) *hyperloglog.Sketch {
	if w.sketch == nil {
		w.sketch = a.daySketch(t.Unix()-mod(t.Unix(), 86400), w.host)
	}
	return w.sketch
}

// daySketch finds or creates the sketch of day and host.
func (a *Aggregator) daySketch(day int64, host string) *hyperloglog.Sketch {
	hosts := a.days[day]
	if hosts == nil {
		hosts = map[string]*hyperloglog.Sketch{}
		a.days[day] = hosts
	}
	sk, ok := hosts[host]
	if !ok {
		sk = hyperloglog.New16()
		hosts[host] = sk
	}
	return sk
}

func (a *Aggregator) topK() *TopK {
	if n := len(a.free); n > 0 {
		t := a.free[n-1]
		a.free = a.free[:n-1]
		t.Reset()
		return t
	}
	return NewTopK(10*a.c.TopRoutes, a.c.KAnonymity)
}

// Flush returns the windows that ended at or before until, oldest first,
// and forgets them.
func (a *Aggregator) Flush(until time.Time) []Window {
	step := int64(time.Duration(a.c.Window) / time.Second)
	var out []Window
	for _, start := range sortedKeys(a.windows) {
		if start+step > until.Unix() {
			break
		}
		for _, host := range sortedKeys(a.windows[start]) {
			w := a.windows[start][host]
			out = append(out, a.report(w, step))
			a.free = append(a.free, w.routes)
			if a.last == w {
				a.last = nil
			}
		}
		delete(a.windows, start)
		if a.lastStart == start {
			a.hosts = nil
		}
	}
	return out
}

// Report returns every window and the visitor sketches of every day,
// flushing all windows.
func (a *Aggregator) Report() *Report {
	r := &Report{Windows: a.Flush(time.Unix(1<<62, 0))}
	for _, day := range sortedKeys(a.days) {
		for _, host := range sortedKeys(a.days[day]) {
			r.Visitors = append(r.Visitors, newVisitors(day, host, a.days[day][host]))
		}
	}
	if r.Windows == nil {
		r.Windows = []Window{}
	}
	if r.Visitors == nil {
		r.Visitors = []Visitors{}
	}
	return r
}

// report turns a window's state into its record.
func (a *Aggregator) report(w *window, step int64) Window {
	out := Window{Start: time.Unix(w.start, 0).UTC(), End: time.Unix(w.start+step, 0).UTC(), Host: w.host,
		Requests: w.requests, Bytes: w.bytes, Bots: w.bots, ByMethod: map[string]map[string]uint64{}}
	for m, counts := range w.byMS {
		byClass := map[string]uint64{}
		for c, n := range counts {
			if n > 0 {
				byClass[classNames[c]] = n
			}
		}
		if len(byClass) > 0 {
			out.ByMethod[methods[m]] = byClass
		}
	}
	if w.dur.Count > 0 {
		d := w.dur
		out.Duration = &d
	}
	out.Routes, out.OtherRoutes = w.routes.Report(a.c.TopRoutes)
	if out.Routes == nil {
		out.Routes = []RouteCount{}
	}
	if len(w.api) > 0 {
		out.API = a.apiReport(w)
	}
	return out
}

// countMethod counts a request by method and status class.
func (w *window) countMethod(method []byte, status int) {
	w.byMS[methodIndex(method)][statusClass(status)]++
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func sortedKeys[K int64 | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// FlushDays returns the visitor sketches of the UTC days that ended at
// or before until, and forgets them.
func (a *Aggregator) FlushDays(until time.Time) []Visitors {
	var out []Visitors
	for _, day := range sortedKeys(a.days) {
		if day+86400 > until.Unix() {
			break
		}
		for _, host := range sortedKeys(a.days[day]) {
			out = append(out, newVisitors(day, host, a.days[day][host]))
		}
		delete(a.days, day)
	}
	return out
}

// DayVisitors returns the current visitor sketches of t's UTC day, one
// per host, without forgetting them (for a live gauge).
func (a *Aggregator) DayVisitors(t time.Time) []Visitors {
	day := t.Unix() - mod(t.Unix(), 86400)
	var out []Visitors
	for _, host := range sortedKeys(a.days[day]) {
		out = append(out, newVisitors(day, host, a.days[day][host]))
	}
	return out
}
