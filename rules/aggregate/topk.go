package aggregate

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// RouteCount is the count of one route in a window, or of the "other"
// routes.
type RouteCount struct {
	// Route is the route template; empty for "other".
	Route string `json:"route,omitempty"`
	// Requests counts the route's requests.
	Requests uint64 `json:"requests"`
	// Bytes sums the route's response sizes.
	Bytes uint64 `json:"bytes"`
	// Visitors counts the route's distinct visitors, capped at k; 0 for
	// "other", whose visitors are not tracked.
	Visitors int `json:"visitors,omitempty"`
}

// TopK counts routes in one window, in bounded memory, with the
// Space-Saving algorithm (Metwally, Agrawal, El Abbadi 2005): at most
// capacity routes are tracked; when a new route arrives and all slots are
// taken, it replaces the route with the smallest estimate and inherits
// that estimate (+1) for ranking evictions, so any route with more than
// total/capacity requests stays tracked.
//
// Reported counts are exact, not estimates: each tracked route counts the
// requests and bytes it received since it was (last) inserted. What an
// evicted route had counted, like every route not reported, is in the
// "other" bucket, which Report computes as the window's exact totals minus
// the reported routes, so routes + other always equal the sum of all Adds
// (modulo 2^64 for bytes).
//
// k-anonymity is strict: a route is reported only when at least k
// distinct visitors produced it since its insertion; a route that
// replaces an evicted one starts with no visitors.
//
// TopK is not safe for concurrent use.
type TopK struct {
	k        int
	capacity int
	index    map[string]int32 // route → entry
	entries  []topKEntry      // at most capacity
	heap     []int32          // entry indices, min-heap on estimate
	visitors []uint64         // k visitor hashes per entry
	requests uint64           // all requests of the window
	bytes    uint64           // all bytes of the window
}

// topKEntry is one tracked route.
type topKEntry struct {
	route    string
	estimate uint64 // Space-Saving count: requests plus inherited error
	requests uint64 // exact requests since insertion
	bytes    uint64 // exact bytes since insertion
	nvis     int32  // distinct visitors in the entry's visitor slots
	pos      int32  // index in heap
}

// NewTopK returns a TopK that tracks at most capacity distinct routes
// (e.g. 10 times the number reported) and names routes with at least k
// distinct visitors. It panics unless 1 <= capacity <= MaxInt32 and
// 1 <= k <= MaxKAnonymity: configurations are validated before this is
// called.
// Memory grows with the routes tracked, up to about capacity*(8k+100)
// bytes, so a window with few routes stays small.
func NewTopK(capacity, k int) *TopK {
	if capacity < 1 || capacity > math.MaxInt32 {
		panic("aggregate: topk capacity out of range")
	}
	if k < 1 || k > MaxKAnonymity {
		panic("aggregate: topk k must be 1..MaxKAnonymity")
	}
	return &TopK{k: k, capacity: capacity, index: map[string]int32{}}
}

// Add counts one request of route by visitor (a 64-bit hash of the
// visitor's pseudonym) with a response of bytes. It does not keep route;
// it allocates only when route is not tracked yet (one string copy).
func (t *TopK) Add(route []byte, visitor uint64, bytes uint64) {
	t.requests++
	t.bytes += bytes
	if i, ok := t.index[string(route)]; ok {
		e := &t.entries[i]
		e.estimate++
		e.requests++
		e.bytes += bytes
		t.addVisitor(i, visitor)
		t.down(int(e.pos))
		return
	}
	if len(t.entries) < t.capacity {
		t.insert(route, visitor, bytes)
		return
	}
	t.replaceMin(route, visitor, bytes)
}

// insert tracks a new route in a free slot.
func (t *TopK) insert(route []byte, visitor, bytes uint64) {
	s := string(route)
	i := int32(len(t.entries))
	t.entries = append(t.entries, topKEntry{route: s, estimate: 1, requests: 1, bytes: bytes, pos: int32(len(t.heap))})
	t.heap = append(t.heap, i)
	t.index[s] = i
	if need := len(t.entries) * t.k; len(t.visitors) < need {
		t.visitors = append(t.visitors, make([]uint64, need-len(t.visitors))...)
	}
	t.addVisitor(i, visitor)
	t.up(len(t.heap) - 1)
}

// replaceMin evicts the route with the smallest estimate for a new one,
// which inherits the estimate but none of the counts or visitors.
func (t *TopK) replaceMin(route []byte, visitor, bytes uint64) {
	i := t.heap[0]
	e := &t.entries[i]
	delete(t.index, e.route)
	s := string(route)
	*e = topKEntry{route: s, estimate: e.estimate + 1, requests: 1, bytes: bytes, pos: 0}
	t.index[s] = i
	t.addVisitor(i, visitor)
	t.down(0)
}

// addVisitor records visitor for entry i unless k are recorded already.
func (t *TopK) addVisitor(i int32, visitor uint64) {
	e := &t.entries[i]
	n := int(e.nvis)
	if n >= t.k {
		return
	}
	vs := t.visitors[int(i)*t.k : int(i)*t.k+n]
	for _, v := range vs {
		if v == visitor {
			return
		}
	}
	t.visitors[int(i)*t.k+n] = visitor
	e.nvis++
}

// Report returns the top n routes by requests among those with at least k
// distinct visitors, sorted by requests descending then route ascending,
// and the sum of everything else (unreported and evicted routes) as
// other, whose Route is empty. It does not change t.
func (t *TopK) Report(n int) (routes []RouteCount, other RouteCount) {
	if n > 0 {
		routes = t.named()
		slices.SortFunc(routes, compareRouteCounts)
		routes = slices.Clip(routes[:min(n, len(routes))])
	}
	other = RouteCount{Requests: t.requests, Bytes: t.bytes}
	for _, r := range routes {
		other.Requests -= r.Requests
		other.Bytes -= r.Bytes
	}
	return routes, other
}

// named returns the tracked routes with at least k visitors, unsorted,
// or nil.
func (t *TopK) named() []RouteCount {
	n := 0
	for i := range t.entries {
		if int(t.entries[i].nvis) >= t.k {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	routes := make([]RouteCount, 0, n)
	for i := range t.entries {
		if e := &t.entries[i]; int(e.nvis) >= t.k {
			routes = append(routes, RouteCount{Route: e.route, Requests: e.requests, Bytes: e.bytes, Visitors: int(e.nvis)})
		}
	}
	return routes
}

// compareRouteCounts orders by requests descending, then route ascending.
func compareRouteCounts(a, b RouteCount) int {
	if c := cmp.Compare(b.Requests, a.Requests); c != 0 {
		return c
	}
	return strings.Compare(a.Route, b.Route)
}

// Reset forgets all counts for the next window, keeping the memory.
func (t *TopK) Reset() {
	clear(t.index)
	clear(t.entries) // drop the route strings
	t.entries = t.entries[:0]
	t.heap = t.heap[:0]
	t.requests, t.bytes = 0, 0
}

// less reports whether heap slot a has a smaller estimate than slot b.
func (t *TopK) less(a, b int) bool {
	return t.entries[t.heap[a]].estimate < t.entries[t.heap[b]].estimate
}

// swap exchanges heap slots a and b.
func (t *TopK) swap(a, b int) {
	h := t.heap
	h[a], h[b] = h[b], h[a]
	t.entries[h[a]].pos = int32(a)
	t.entries[h[b]].pos = int32(b)
}

// up restores the heap after the estimate in slot j decreased (or was
// appended).
func (t *TopK) up(j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !t.less(j, p) {
			return
		}
		t.swap(j, p)
		j = p
	}
}

// down restores the heap after the estimate in slot j increased.
func (t *TopK) down(j int) {
	n := len(t.heap)
	for {
		c := 2*j + 1
		if c >= n {
			return
		}
		if c+1 < n && t.less(c+1, c) {
			c++
		}
		if !t.less(c, j) {
			return
		}
		t.swap(j, c)
		j = c
	}
}
