package aggregate

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// checkReport checks the invariants of t.Report(n): at most n routes,
// each with k visitors, sorted, and routes + other equal to the totals.
func checkReport(t *testing.T, tk *TopK, n int, requests, bytes uint64) ([]RouteCount, RouteCount) {
	t.Helper()
	routes, other := tk.Report(n)
	if len(routes) > max(n, 0) {
		t.Fatalf("Report(%d): %d routes", n, len(routes))
	}
	sumR, sumB := other.Requests, other.Bytes
	for i, r := range routes {
		if r.Visitors != tk.k {
			t.Fatalf("Report(%d): %q has %d visitors, k is %d", n, r.Route, r.Visitors, tk.k)
		}
		if i > 0 && compareRouteCounts(routes[i-1], r) >= 0 {
			t.Fatalf("Report(%d): %+v before %+v", n, routes[i-1], r)
		}
		sumR += r.Requests
		sumB += r.Bytes
	}
	if sumR != requests || sumB != bytes {
		t.Fatalf("Report(%d): routes + other = %d requests, %d bytes; added %d, %d", n, sumR, sumB, requests, bytes)
	}
	if other.Route != "" || other.Visitors != 0 {
		t.Fatalf("Report(%d): other is %+v", n, other)
	}
	return routes, other
}

func TestTopKExactTotals(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tk := NewTopK(20, 3)
	exact := map[string]uint64{}
	var requests, bytes uint64
	for i := range 200_000 {
		route := "/r/" + strconv.Itoa(int(r.ExpFloat64()*30))
		b := r.Uint64N(1 << 40)
		tk.Add([]byte(route), r.Uint64N(50), b)
		exact[route]++
		requests++
		bytes += b
		if i%9973 == 0 {
			for _, n := range []int{-1, 0, 1, 5, 20, 1000} {
				routes, _ := checkReport(t, tk, n, requests, bytes)
				for _, rc := range routes {
					if rc.Requests > exact[rc.Route] {
						t.Fatalf("%q: %d requests reported, %d added", rc.Route, rc.Requests, exact[rc.Route])
					}
				}
			}
		}
	}
	if routes, _ := checkReport(t, tk, 5, requests, bytes); len(routes) != 5 {
		t.Fatalf("%d routes reported, want 5", len(routes))
	}
}

func TestTopKKAnonymity(t *testing.T) {
	tk := NewTopK(50, 10)
	for i := range 5000 { // popular, but with 9 distinct visitors
		tk.Add([]byte("/secret-admin-panel"), uint64(i%9), 100)
	}
	for i := range 10 {
		tk.Add([]byte("/public"), uint64(100+i), 1)
	}
	for i := range 9 {
		tk.Add([]byte("/almost"), uint64(200+i), 1)
		tk.Add([]byte("/almost"), uint64(200+i), 1) // repeats don't count
	}
	routes, other := checkReport(t, tk, 10, 5028, 500028)
	if len(routes) != 1 || routes[0] != (RouteCount{Route: "/public", Requests: 10, Bytes: 10, Visitors: 10}) {
		t.Fatalf("routes %+v, want /public only", routes)
	}
	if other.Requests != 5018 {
		t.Fatalf("other %+v", other)
	}
	tk.Add([]byte("/secret-admin-panel"), 9, 100) // the 10th visitor
	routes, _ = checkReport(t, tk, 10, 5029, 500128)
	if len(routes) != 2 || routes[0].Route != "/secret-admin-panel" || routes[0].Requests != 5001 {
		t.Fatalf("routes %+v, want /secret-admin-panel first", routes)
	}
}

func TestTopKEvictedRouteStartsOver(t *testing.T) {
	tk := NewTopK(4, 3)
	var requests uint64
	add := func(route string, visitor uint64) {
		tk.Add([]byte(route), visitor, 1)
		requests++
	}
	for v := range uint64(3) {
		add("/a", v)
	}
	if routes, _ := checkReport(t, tk, 10, requests, requests); len(routes) != 1 {
		t.Fatalf("routes %+v, want /a", routes)
	}
	for i := 0; topKHas(tk, "/a"); i++ {
		if i > 100 {
			t.Fatal("/a never evicted")
		}
		add("/x"+strconv.Itoa(i), 0)
	}
	add("/a", 3) // a 4th visitor, but the only one since re-insertion
	if routes, _ := checkReport(t, tk, 10, requests, requests); len(routes) != 0 {
		t.Fatalf("routes %+v: /a named with one visitor since its eviction", routes)
	}
}

// topKHas reports whether tk tracks route.
func topKHas(tk *TopK, route string) bool {
	_, ok := tk.index[route]
	return ok
}

func TestTopKAdversarialBoundsMemory(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	r := rand.New(rand.NewPCG(5, 6))
	tk := NewTopK(100, 10)
	var buf []byte
	var requests uint64
	for i := range n {
		buf = strconv.AppendInt(append(buf[:0], "/unique/"...), int64(i), 10)
		tk.Add(buf, r.Uint64(), 1)
		requests++
		if i%10 == 0 { // a heavy hitter among the noise
			tk.Add([]byte("/popular"), r.Uint64(), 1)
			requests++
		}
		if len(tk.index) > 100 || len(tk.entries) > 100 || len(tk.heap) > 100 {
			t.Fatalf("after %d adds: %d routes tracked, capacity 100", i, len(tk.index))
		}
	}
	routes, _ := checkReport(t, tk, 10, requests, requests)
	if len(routes) != 1 || routes[0].Route != "/popular" || routes[0].Requests+100 < uint64(n/10) {
		t.Fatalf("routes %+v, want /popular with about %d requests", routes, n/10)
	}
	visitors := &tk.visitors[0]
	tk.Reset()
	if routes, other := tk.Report(10); len(routes) != 0 || other != (RouteCount{}) {
		t.Fatalf("after Reset: %+v, %+v", routes, other)
	}
	if len(tk.index) != 0 || cap(tk.entries) < 100 || &tk.visitors[0] != visitors {
		t.Fatal("Reset did not keep the memory")
	}
}

func TestTopKFindsZipfHeavyHitters(t *testing.T) {
	const n, top = 1_000_000, 10
	r := rand.New(rand.NewPCG(7, 8))
	z := rand.NewZipf(r, 1.1, 1, 99_999)
	tk := NewTopK(10*top, 10)
	exact := map[string]uint64{}
	var buf []byte
	for range n {
		buf = strconv.AppendUint(append(buf[:0], "/item/"...), z.Uint64(), 10)
		tk.Add(buf, r.Uint64(), 2)
		exact[string(buf)]++
	}
	names := make([]string, 0, len(exact))
	for name := range exact {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		return compareRouteCounts(RouteCount{Route: a, Requests: exact[a]}, RouteCount{Route: b, Requests: exact[b]})
	})
	routes, _ := checkReport(t, tk, top, n, 2*n)
	if len(routes) != top {
		t.Fatalf("%d routes, want %d", len(routes), top)
	}
	for i, rc := range routes {
		want := exact[names[i]]
		if rc.Route != names[i] || rc.Requests > want || rc.Requests+n/(10*top) < want {
			t.Errorf("rank %d: %s with %d requests, want %s with %d", i, rc.Route, rc.Requests, names[i], want)
		}
	}
}

func TestNewTopKRejects(t *testing.T) {
	for _, c := range []struct{ capacity, k int }{{0, 10}, {-1, 10}, {10, 0}, {10, 65}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewTopK(%d, %d) did not panic", c.capacity, c.k)
				}
			}()
			NewTopK(c.capacity, c.k)
		}()
	}
	NewTopK(1, 64)
}

func TestTopKAddAllocatesNothing(t *testing.T) {
	tk := NewTopK(100, 10)
	route := []byte("/api/users/:id/orders")
	tk.Add(route, 1, 1)
	if n := testing.AllocsPerRun(1000, func() { tk.Add(route, 2, 100) }); n != 0 {
		t.Fatalf("Add of a tracked route: %v allocations", n)
	}
}

// benchRoutes returns n distinct routes.
func benchRoutes(n int) [][]byte {
	routes := make([][]byte, n)
	for i := range routes {
		routes[i] = strconv.AppendInt([]byte("/api/v2/items/"), int64(i), 10)
	}
	return routes
}

func BenchmarkTopKAdd(b *testing.B) {
	routes := benchRoutes(200)
	tk := NewTopK(200, 10)
	for i, r := range routes {
		tk.Add(r, uint64(i), 1)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tk.Add(routes[i%len(routes)], uint64(i)*0x9e3779b97f4a7c15, 1234)
	}
}

func BenchmarkTopKAddEvicting(b *testing.B) {
	routes := benchRoutes(10_000)
	tk := NewTopK(200, 10)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tk.Add(routes[i%len(routes)], uint64(i), 1234)
	}
}

func BenchmarkTopKReport(b *testing.B) {
	routes := benchRoutes(200)
	tk := NewTopK(200, 10)
	for i := range 100_000 {
		tk.Add(routes[i%len(routes)], uint64(i), 1)
	}
	b.ReportAllocs()
	for b.Loop() {
		tk.Report(20)
	}
}
