package aggregate

import (
	"bytes"
	"sort"
	"strings"
)

// apiGroup is the running state of one API group in a window.
type apiGroup struct {
	values   []string
	key      string
	requests uint64
	bytes    uint64
	dur      Histogram
}

// APIGroup is the aggregate of one group of application records in a
// window.
type APIGroup struct {
	// Group maps the group_by fields to their (templated) values.
	Group map[string]string `json:"group"`
	// Key is the pseudonymous API-key id, when key_field is set.
	Key string `json:"key,omitempty"`
	// Requests counts the records.
	Requests uint64 `json:"requests"`
	// Bytes sums their payload sizes.
	Bytes uint64 `json:"bytes"`
	// Duration is their duration histogram, when they carry durations.
	Duration *Histogram `json:"duration_seconds,omitempty"`
}

// addAPI counts an application record in window w.
func (a *Aggregator) addAPI(w *window, o *Obs) {
	a.key = a.key[:0]
	for _, v := range o.Groups {
		a.key = appendGroupValue(a.key, v)
		a.key = append(a.key, 0)
	}
	a.key = append(a.key, o.Key...)
	if w.api == nil {
		w.api = map[string]*apiGroup{}
	}
	g, ok := w.api[string(a.key)]
	if !ok {
		if len(w.api) >= a.c.API.MaxGroups {
			g = w.apiOther(len(o.Groups))
		} else {
			g = newAPIGroup(a.key, len(o.Groups))
			w.api[string(a.key)] = g
		}
	}
	g.requests++
	g.bytes += o.Bytes
	if o.Duration >= 0 {
		g.dur.Observe(o.Duration)
	}
}

// appendGroupValue appends a group value templated like a route segment,
// so numbers, ids, tokens and e-mail-like values become :id; a value that
// is a path ("/invoices/123") is templated as a route; numbers of up to
// four digits (status codes, small enums) stay. Any other value holding a
// '/' is an :id as a whole; else, as in a path, '?' or '#' ends it.
func appendGroupValue(dst, v []byte) []byte {
	switch {
	case v == nil:
		return append(dst, '-')
	case len(v) <= 4 && allDigits(v):
		return append(dst, v...)
	case len(v) > 0 && v[0] == '/':
		return AppendRoute(dst, v)
	case bytes.IndexByte(v, '/') >= 0:
		return append(dst, routeID...)
	}
	if v = cutQuery(v); len(v) == 0 {
		return dst
	}
	return appendSegment(dst, v)
}

func newAPIGroup(key []byte, n int) *apiGroup {
	parts := strings.Split(string(key), "\x00")
	return &apiGroup{values: parts[:n], key: parts[n]}
}

// apiOther is the group of a window's records past MaxGroups.
func (w *window) apiOther(n int) *apiGroup {
	const other = "\x00other"
	g, ok := w.api[other]
	if !ok {
		g = &apiGroup{values: make([]string, n), key: "other"}
		for i := range g.values {
			g.values[i] = "other"
		}
		w.api[other] = g
	}
	return g
}

// apiReport turns the API groups of a window into records, by requests.
func (a *Aggregator) apiReport(w *window) []APIGroup {
	var out []APIGroup
	for _, g := range w.api {
		r := APIGroup{Group: map[string]string{}, Key: g.key, Requests: g.requests, Bytes: g.bytes}
		for i, f := range a.c.API.GroupBy {
			if i < len(g.values) {
				r.Group[f] = g.values[i]
			}
		}
		if g.dur.Count > 0 {
			d := g.dur
			r.Duration = &d
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Requests > out[j].Requests || out[i].Requests == out[j].Requests && apiName(out[i]) < apiName(out[j])
	})
	return out
}

func apiName(g APIGroup) string {
	keys := make([]string, 0, len(g.Group))
	for k, v := range g.Group {
		keys = append(keys, k+"="+v)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",") + "|" + g.Key
}
