package rules

import (
	"encoding/json"
	"fmt"
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

// TestObserveRejectsNonFiniteDurations: strconv accepts "inf" and "NaN",
// and 1e308 is finite but two of them sum to +Inf; none may reach a
// histogram, whose JSON report would then fail to marshal.
func TestObserveRejectsNonFiniteDurations(t *testing.T) {
	eng := compileYAML(t, "format: json\naggregate: {api: {group_by: [service]}}\n")
	p := eng.NewProcessor()
	agg := aggregate.New(*eng.Config().Aggregate)
	bad := []string{`"inf"`, `"+Inf"`, `"Infinity"`, `"NaN"`, `1e400`, `1e308`, `1e308`, `1e9`, `"-1"`, `"300000h"`}
	for _, d := range bad {
		for _, key := range []string{"duration", "duration_ms"} {
			line := `{"time":"2026-11-20T13:00:00Z","method":"GET","status":200,"service":"a","` + key + `":` + d + `}`
			if _, res := p.Append(nil, []byte(line), testTime); res.Reason != Kept {
				t.Fatalf("dropped %s", line)
			}
			var o aggregate.Obs
			if !p.Observe(&o) {
				t.Fatalf("not observed: %s", line)
			}
			if o.Duration != -1 && !(key == "duration_ms" && d == "1e9") { // 1e9 ms is 11.6 days
				t.Errorf("%s: duration %v, want -1 (not counted)", line, o.Duration)
			}
			agg.Add(&o)
		}
	}
	line := `{"time":"2026-11-20T13:00:00Z","method":"GET","status":200,"service":"a","duration":0.5}`
	p.Append(nil, []byte(line), testTime)
	var o aggregate.Obs
	if !p.Observe(&o) || o.Duration != 0.5 {
		t.Fatalf("duration %v, want 0.5", o.Duration)
	}
	agg.Add(&o)
	r := agg.Report()
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("report does not marshal: %v", err)
	}
	w := r.Windows[0]
	if w.Duration == nil || w.Duration.Count != 2 || w.Duration.Sum != 0.5+1e6 {
		t.Errorf("web durations %+v, want the 0.5 s and the 1e9 ms only", w.Duration)
	}
	if len(w.API) != 1 || w.API[0].Duration == nil || w.API[0].Duration.Count != 2 {
		t.Errorf("API durations %+v", w.API)
	}
}

// TestObserveAPIKeyIsTheFieldPseudonym: the API key id is the pseudonym a
// default pseudonymize action writes for the same value.
func TestObserveAPIKeyIsTheFieldPseudonym(t *testing.T) {
	p := compileYAML(t, "format: json\nkeys: {token: pseudonymize}\naggregate: {api: {key_field: token}}\n").NewProcessor()
	line := `{"time":"2026-11-20T13:00:00Z","token":"sk_live_\u0041BC123"}`
	out, res := p.Append(nil, []byte(line), testTime)
	if res.Reason != Kept {
		t.Fatal("dropped")
	}
	var o aggregate.Obs
	if !p.Observe(&o) {
		t.Fatal("not observed")
	}
	var rec struct{ Token string }
	if err := json.Unmarshal(out, &rec); err != nil {
		t.Fatal(err)
	}
	if string(o.Key) != rec.Token || rec.Token != mac("sk_live_ABC123", 16) {
		t.Errorf("key %q, line %q, want %q", o.Key, rec.Token, mac("sk_live_ABC123", 16))
	}
}

// TestObserveAPIKeyAllocatesNothing: the unescaped key goes into a buffer
// the Processor keeps (it used to be grown and thrown away every line).
func TestObserveAPIKeyAllocatesNothing(t *testing.T) {
	p := compileYAML(t, "format: json\nscrub_unknown: false\naggregate: {api: {key_field: token}}\n").NewProcessor()
	line := `{"time":"2026-11-20T13:00:00Z","token":"` + strings.Repeat(`k\u0041`, 200) + `"}`
	if _, res := p.Append(nil, []byte(line), testTime); res.Reason != Kept {
		t.Fatal("dropped")
	}
	var o aggregate.Obs
	if n := testing.AllocsPerRun(100, func() { p.Observe(&o) }); n != 0 {
		t.Errorf("Observe allocates %v times per record", n)
	}
	if string(o.Key) != mac(strings.Repeat("kA", 200), 16) {
		t.Errorf("key %q", o.Key)
	}
}

// TestGroupValuesAreTheAnonymizedRecord: a group value is the field as
// the anonymized line holds it, taken from the rules' own edits, and
// observing counts no action a second time.
func TestGroupValuesAreTheAnonymizedRecord(t *testing.T) {
	p := compileYAML(t, `format: json
fields: {gone: drop_field, dash: drop_field, n: drop_field}
keys: {user: pseudonymize}
aggregate: {api: {group_by: [level, user, gone, dash, n, mail, missing]}}
`).NewProcessor()
	line := `{"time":"2026-11-20T13:00:00Z","level":"info","user":"alice","gone":"secret","dash":"-","n":42,"mail":"carol@example.com"}`
	out, res := p.Append(nil, []byte(line), testTime)
	if res.Reason != Kept {
		t.Fatal("dropped")
	}
	before := p.Stats
	before.Actions = append([]uint64(nil), p.Stats.Actions...)
	var o aggregate.Obs
	if !p.Observe(&o) {
		t.Fatal("not observed")
	}
	want := []string{"info", mac("alice", 16), "[redacted]", "-", "0", mac("carol@example.com", 16), "<nil>"}
	checkGroups(t, string(out), o.Groups, want)
	if fmt.Sprint(before.Actions, before.Detections) != fmt.Sprint(p.Stats.Actions, p.Stats.Detections) {
		t.Errorf("Observe changed the counters: %v %v, was %v %v", p.Stats.Actions, p.Stats.Detections, before.Actions, before.Detections)
	}
}

// TestNestedGroupValuesFailClosed: combined's request line holds
// request_method, request_uri (holding request_query) and
// server_protocol. A sub-field of an edited request line is its value
// only when the line was scrubbed around it and it is kept; a field that
// holds edited sub-fields is never its raw value.
func TestNestedGroupValuesFailClosed(t *testing.T) {
	line := `203.0.113.9 - - [20/Nov/2026:13:00:00 +0000] "GET /p?mail=carol@example.com HTTP/1.1" 200 5 "-" "-"`
	const groups = "aggregate: {api: {group_by: [request, request_method, request_uri, request_query, server_protocol]}}\n"
	const r = "[redacted]"
	cases := []struct {
		name, rules string
		want        []string
	}{
		// The request line is scrubbed around the explicit sub-fields.
		{"composite", "fields: {request_method: keep, request_uri: scrub}\n",
			[]string{"GET /p?mail=" + mac("carol@example.com", 16) + " HTTP/1.1", "GET", r, r, r}},
		// The request line is replaced as a whole: nothing inside is in the line.
		{"redacted line", "fields: {request: redact, request_method: keep}\n", []string{r, r, r, r, r}},
		// Only the query is edited: the request line and the URI that hold it are not raw any more.
		{"edited query", "scrub_unknown: false\nfields: {request_query: redact}\n", []string{r, "GET", r, r, "HTTP/1.1"}},
		{"kept line", "fields: {request: keep}\n", []string{"GET /p?mail=carol@example.com HTTP/1.1", "GET",
			"/p?mail=carol@example.com", "mail=carol@example.com", "HTTP/1.1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := compileYAML(t, "format: combined\n"+c.rules+groups).NewProcessor()
			out, res := p.Append(nil, []byte(line), testTime)
			if res.Reason != Kept {
				t.Fatal("dropped")
			}
			var o aggregate.Obs
			if !p.Observe(&o) {
				t.Fatal("not observed")
			}
			checkGroups(t, string(out), o.Groups, c.want)
			for _, g := range o.Groups {
				if strings.Contains(string(g), "carol") && !strings.Contains(string(out), "carol") {
					t.Errorf("group value %q holds what the line %q does not", g, out)
				}
			}
		})
	}
}

func checkGroups(t *testing.T, line string, groups [][]byte, want []string) {
	t.Helper()
	if len(groups) != len(want) {
		t.Fatalf("groups %q, want %q", groups, want)
	}
	for i, w := range want {
		got := "<nil>"
		if groups[i] != nil {
			got = string(groups[i])
		}
		if got != w {
			t.Errorf("group %d = %q, want %q (line %s)", i, got, w, line)
		}
	}
}
