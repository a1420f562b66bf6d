package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var day = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// mix is splitmix64: distinct inputs give well-spread distinct hashes.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func TestExactCounts(t *testing.T) {
	a := New(Config{})
	r := rand.New(rand.NewPCG(1, 2))
	type want struct{ requests, bytes, bots uint64 }
	wants := map[string]*want{}
	byClass := map[string]uint64{}
	hosts := []string{"shop.example", "Blog.Example:443", "-"}
	names := []string{"shop.example", "blog.example", "-"}
	methods := []string{"GET", "POST", "BREW"}
	const n = 100000
	for i := range n {
		h := r.IntN(3)
		status := []int{200, 204, 301, 404, 500, 999}[r.IntN(6)]
		m := methods[r.IntN(3)]
		o := Obs{Time: day.Add(time.Duration(i) * 50 * time.Millisecond), Host: []byte(hosts[h]), Method: []byte(m),
			Status: status, Bytes: uint64(r.IntN(5000)), URI: fmt.Appendf(nil, "/p/%d", r.IntN(100)),
			Duration: -1, Bot: r.IntN(10) == 0, Visitor: mix(uint64(r.IntN(500))), Web: true}
		a.Add(&o)
		w := wants[names[h]]
		if w == nil {
			w = &want{}
			wants[names[h]] = w
		}
		w.requests++
		w.bytes += o.Bytes
		if o.Bot {
			w.bots++
		}
		if m == "BREW" {
			m = "OTHER"
		}
		byClass[m+" "+classNames[statusClass(status)]]++
	}
	rep := a.Report()
	got := map[string]*want{}
	gotClass := map[string]uint64{}
	for _, w := range rep.Windows {
		g := got[w.Host]
		if g == nil {
			g = &want{}
			got[w.Host] = g
		}
		g.requests += w.Requests
		g.bytes += w.Bytes
		g.bots += w.Bots
		var routes uint64
		for _, rc := range w.Routes {
			routes += rc.Requests
		}
		if routes+w.OtherRoutes.Requests != w.Requests {
			t.Fatalf("window %s %s: routes %d + other %d != %d requests", w.Start, w.Host, routes, w.OtherRoutes.Requests, w.Requests)
		}
		for m, classes := range w.ByMethod {
			for c, k := range classes {
				gotClass[m+" "+c] += k
			}
		}
	}
	for h, w := range wants {
		if g := got[h]; g == nil || *g != *w {
			t.Errorf("host %s: got %+v, want %+v", h, g, w)
		}
	}
	if fmt.Sprint(gotClass) != fmt.Sprint(byClass) {
		t.Errorf("by method and class:\n got %v\nwant %v", gotClass, byClass)
	}
	if len(rep.Windows) != 3*int(math.Ceil(n*0.05/60)) {
		t.Errorf("%d windows", len(rep.Windows))
	}
}

func TestDistinctVisitorsWithinTwoPercent(t *testing.T) {
	const n = 1000000
	whole := New(Config{})
	nodes := []*Aggregator{New(Config{}), New(Config{}), New(Config{})}
	for i := range uint64(n) {
		o := Obs{Time: day.Add(time.Duration(i) * 80 * time.Millisecond % (24 * time.Hour)), Host: []byte("shop.example"),
			Method: []byte("GET"), Status: 200, Duration: -1, Visitor: mix(i), Web: true}
		whole.Add(&o)
		nodes[i%3].Add(&o)
		if i%5 == 0 { // a visitor seen on two nodes counts once
			nodes[(i+1)%3].Add(&o)
		}
	}
	rw := whole.Report()
	if len(rw.Visitors) != 1 {
		t.Fatalf("%d visitor records", len(rw.Visitors))
	}
	est := float64(rw.Visitors[0].Estimate)
	if math.Abs(est-n)/n > 0.02 {
		t.Fatalf("estimate %.0f of %d distinct visitors: %.2f%% off", est, n, 100*math.Abs(est-n)/n)
	}
	t.Logf("estimate %.0f of %d (%.2f%% off)", est, n, 100*(est-n)/n)
	merged, err := Merge(DefaultTopRoutes, nodes[0].Report(), nodes[1].Report(), nodes[2].Report())
	if err != nil {
		t.Fatal(err)
	}
	if merged.Visitors[0].Estimate != rw.Visitors[0].Estimate {
		t.Fatalf("merged nodes estimate %d, the union's sketch %d", merged.Visitors[0].Estimate, rw.Visitors[0].Estimate)
	}
	var requests uint64
	for _, w := range merged.Windows {
		requests += w.Requests
	}
	if want := uint64(n + n/5); requests != want {
		t.Errorf("merged requests %d, want %d", requests, want)
	}
}

func TestRoutesAreKAnonymousAndBounded(t *testing.T) {
	a := New(Config{TopRoutes: 5, KAnonymity: 10})
	add := func(uri string, visitor uint64) {
		a.Add(&Obs{Time: day, Host: []byte("shop.example"), Method: []byte("GET"), Status: 200, URI: []byte(uri), Duration: -1, Visitor: visitor, Web: true})
	}
	for i := range 5000 { // popular, but by 9 visitors only
		add("/secret-admin-panel", mix(uint64(i%9)))
	}
	// A heavy hitter (more than total/capacity requests) survives the
	// flood below, as Space-Saving guarantees.
	for i := range 30000 {
		add(fmt.Sprintf("/products/%d", i), mix(uint64(1000+i%300)))
	}
	for i := range 1000000 { // adversarial: a million unique paths that look like words
		add("/"+letters(i)+"/y", mix(uint64(i)))
	}
	rep := a.Report()
	w := rep.Windows[0]
	if len(w.Routes) > 5 {
		t.Fatalf("%d routes named, want at most 5", len(w.Routes))
	}
	for _, r := range w.Routes {
		if r.Route == "/secret-admin-panel" {
			t.Fatal("a route with 9 distinct visitors was named (k = 10)")
		}
	}
	if len(w.Routes) == 0 || w.Routes[0].Route != "/products/:id" {
		t.Fatalf("routes %+v", w.Routes)
	}
}

// letters spells i in base 26 with a..z, so no template applies.
func letters(i int) string {
	b := []byte{'w'}
	for ; i > 0; i /= 26 {
		b = append(b, byte('a'+i%26))
	}
	return string(b)
}

func TestHostsAreSanitizedAndBounded(t *testing.T) {
	a := New(Config{MaxHosts: 3})
	for _, h := range []string{"A.example:8080", "10.1.2.3", "[2001:db8::1]:443", "bad host", "alice@example.com", "b.example", "c.example", "d.example"} {
		a.Add(&Obs{Time: day, Host: []byte(h), Status: 200, Duration: -1, Web: true})
	}
	var hosts []string
	for _, w := range a.Report().Windows {
		hosts = append(hosts, fmt.Sprintf("%s=%d", w.Host, w.Requests))
	}
	if fmt.Sprint(hosts) != "[a.example=1 b.example=1 other=6]" {
		t.Errorf("hosts %v", hosts)
	}
}

func TestAPIGroups(t *testing.T) {
	a := New(Config{API: &API{GroupBy: []string{"service", "endpoint", "status"}, KeyField: "api_key", MaxGroups: 3}})
	add := func(service, endpoint, status, key string, bytes uint64) {
		o := Obs{Time: day, Duration: 0.005, Bytes: bytes, Key: []byte(key),
			Groups: [][]byte{[]byte(service), []byte(endpoint), []byte(status)}}
		a.Add(&o)
	}
	for i := range 10 {
		add("billing", fmt.Sprintf("/invoices/%d", 1000+i), "200", "k1", 100)
		add("billing", "/invoices", "500", "k2", 10)
	}
	add("auth", "/login", "bob@example.com", "k1", 1) // a value that is personal data
	add("x", "/y", "1", "k9", 1)                      // past max_groups
	w := a.Report().Windows[0]
	if w.Requests != 0 || len(w.API) != 4 {
		t.Fatalf("window %+v", w)
	}
	got := map[string]uint64{}
	for _, g := range w.API {
		got[g.Group["service"]+" "+g.Group["endpoint"]+" "+g.Group["status"]+" "+g.Key] = g.Requests
	}
	want := map[string]uint64{"billing /invoices/:id 200 k1": 10, "billing /invoices 500 k2": 10, "auth /login :id k1": 1, "other other other other": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	if w.API[0].Duration == nil || w.API[0].Duration.Count != 10 {
		t.Errorf("durations %+v", w.API[0].Duration)
	}
}

func TestVisitorSketchesBoundedByMaxHosts(t *testing.T) {
	a := New(Config{MaxHosts: 2})
	for i := range 100 {
		a.Add(&Obs{Time: day, Host: []byte(fmt.Sprintf("h%d.example", i)), Status: 200, Duration: -1, Visitor: mix(uint64(i)), Web: true})
	}
	var hosts []string
	for _, v := range a.Report().Visitors {
		hosts = append(hosts, fmt.Sprintf("%s=%d", v.Host, v.Estimate))
	}
	if fmt.Sprint(hosts) != "[h0.example=1 h1.example=1 other=98]" {
		t.Errorf("visitor sketches %v", hosts)
	}
}
