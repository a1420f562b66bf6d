package rules

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/benchmarks/plant"
	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/rules/format"
)

func TestObserveCombinedAndJSON(t *testing.T) {
	p := compileYAML(t, "format: auto\n").NewProcessor()
	cases := []struct {
		line string
		want aggregate.Obs
	}{
		{`shop.example:443 203.0.113.9 - - [20/Nov/2026:13:00:00 +0000] "POST /api/orders/42?x=1 HTTP/1.1" 502 1234 "-" "Googlebot/2.1 (+http://www.google.com/bot.html)"`,
			aggregate.Obs{Host: []byte("shop.example:443"), Method: []byte("POST"), Status: 502, Bytes: 1234, URI: []byte("/api/orders/42?x=1"), Duration: -1, Bot: true}},
		{`{"time":"2026-11-20T13:00:00Z","method":"GET","path":"/health","status":200,"bytes":10,"duration_ms":12.5,"client_ip":"198.51.100.7","user_agent":"curl/8.0"}`,
			aggregate.Obs{Method: []byte("GET"), Status: 200, Bytes: 10, URI: []byte("/health"), Duration: 0.0125}},
		{`{"time":"2026-11-20T13:00:00Z","http":{"method":"GET","status_code":404},"latency":"250ms"}`,
			aggregate.Obs{Method: []byte("GET"), Status: 404, Duration: 0.25}},
	}
	for _, c := range cases {
		if _, res := p.Append(nil, []byte(c.line), testTime); res.Reason != Kept {
			t.Fatalf("dropped %s", c.line)
		}
		var o aggregate.Obs
		if !p.Observe(&o) {
			t.Fatalf("not a request: %s", c.line)
		}
		if string(o.Host) != string(c.want.Host) || string(o.Method) != string(c.want.Method) || o.Status != c.want.Status ||
			o.Bytes != c.want.Bytes || string(o.URI) != string(c.want.URI) || o.Duration != c.want.Duration || o.Bot != c.want.Bot {
			t.Errorf("%s:\n got %+v\nwant %+v", c.line, o, c.want)
		}
		if strings.Contains(c.line, "client_ip") || strings.Contains(c.line, "203.0.113.9") {
			if o.Visitor == 0 {
				t.Errorf("no visitor for %s", c.line)
			}
		}
	}
	if _, res := p.Append(nil, []byte(`{"msg":"cache warmed","items":3}`), testTime); res.Reason != Kept {
		t.Fatal("dropped")
	}
	if p.Observe(&aggregate.Obs{}) {
		t.Error("a record without method, status or URI counted as a request")
	}
}

// The visitor hash changes with the day (the day's key) and with the
// user agent, and is the same for the same address and agent that day.
func TestVisitorIsDailyKeyed(t *testing.T) {
	p := compileYAML(t, "format: combined\n").NewProcessor()
	visitor := func(ip, ua string, day int) uint64 {
		line := ip + ` - - [` + time.Date(2026, 11, day, 12, 0, 0, 0, time.UTC).Format("02/Jan/2006:15:04:05 -0700") + `] "GET / HTTP/1.1" 200 1 "-" "` + ua + `"`
		p.Append(nil, []byte(line), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
		var o aggregate.Obs
		p.Observe(&o)
		return o.Visitor
	}
	a := visitor("203.0.113.9", "Firefox/131", 20)
	if a != visitor("203.0.113.9", "Firefox/131", 20) || a == visitor("203.0.113.9", "Firefox/131", 21) ||
		a == visitor("203.0.113.9", "Chrome/120", 20) || a == visitor("203.0.113.10", "Firefox/131", 20) {
		t.Error("visitor hash not keyed by address, agent and day")
	}
}

// TestNoLeaksInAggregates runs the leak corpus through aggregation: the
// JSON report holds none of the planted values.
func TestNoLeaksInAggregates(t *testing.T) {
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	corpus := plant.Generate(9, 200, day)
	cfg, err := ParseConfig("t.yaml", []byte("extends: [builtin:default]\naggregate: {k_anonymity: 1, top_routes: 1000, "+
		"api: {group_by: [user, email, level, msg, phone], key_field: token, max_groups: 100000}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err = Merge(cfg, "t.yaml"); err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	p := eng.NewProcessor()
	agg := aggregate.New(*eng.Config().Aggregate)
	var o aggregate.Obs
	for _, l := range corpus.Lines {
		if _, res := p.AppendAs(nil, []byte(l.Text), format.Auto, day.Add(time.Hour)); res.Reason == Kept && p.Observe(&o) {
			agg.Add(&o)
		}
	}
	out, err := json.Marshal(agg.Report())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"routes":[{`) || !strings.Contains(string(out), `"api":[{`) {
		t.Fatal("no routes or API groups aggregated: the test would prove nothing")
	}
	for _, secret := range corpus.Forms() {
		if strings.Contains(string(out), secret) {
			t.Fatalf("aggregate report holds planted value %q", secret)
		}
	}
}

func TestPlainDecimal(t *testing.T) {
	for in, want := range map[string]float64{"12": 12, "0.013": 0.013, "1.5": 1.5, "007": 7, ".5": 0.5} {
		if got, ok := plainDecimal([]byte(in)); !ok || got != want {
			t.Errorf("%q = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", ".", "1e3", "-1", "1.2.3", "12ms", "1234567890123456"} {
		if _, ok := plainDecimal([]byte(in)); ok {
			t.Errorf("%q accepted", in)
		}
	}
}
