package rules

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules/pseudo"
)

// testTime is the processing time of the table tests; the lines are dated
// the same day.
var testTime = time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)

// mac computes the expected hex pseudonym independently of the Processor:
// HMAC-SHA256 under the daily epoch key of testTime.
func mac(value string, n int) string {
	k := pseudo.EpochKey(TestKey, pseudo.Daily, testTime)
	h := hmac.New(sha256.New, k[:])
	h.Write([]byte(value))
	return hex.EncodeToString(h.Sum(nil))[:n]
}

// compileYAML compiles a rules document with the test key.
func compileYAML(t *testing.T, rulesYAML string) *Engine {
	t.Helper()
	cfg, err := ParseConfig("t.yaml", []byte(rulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// process compiles a rules document and runs it over one line.
func process(t *testing.T, rulesYAML, line string) (string, Result) {
	t.Helper()
	out, res := compileYAML(t, rulesYAML).NewProcessor().Append(nil, []byte(line), testTime)
	return string(out), res
}

// clf is a combined line; clf0 is the same with its address truncated, as
// the implicit scrub of unknown fields leaves it.
const clf = `203.0.113.7 - alice [20/Nov/2026:13:55:36 +0100] "GET /p?a=1&uid=42&q=x#f HTTP/1.1" 200 5 "http://ref.example/x?u=1" "curl/8.4.0"`

var clf0 = strings.Replace(clf, "203.0.113.7", "203.0.113.0", 1)

func TestActions(t *testing.T) {
	cases := []struct {
		name, rules, in, want string
	}{
		{"truncate_ip prefixes", `{format: combined, fields: {remote_addr: {truncate_ip: {ipv4_prefix: 16}}}}`, clf,
			strings.Replace(clf0, "203.0.113.0", "203.0.0.0", 1)},
		{"truncate_ip placeholder", `{format: logfmt, fields: {ip: {truncate_ip: {placeholder: "-"}}}}`, `ip=unknown a=1`, `ip=- a=1`},
		{"truncate_ip list", `{format: logfmt, fields: {xff: truncate_ip}}`, `xff="1.2.3.4, [2001:db8:1:2::1]:80"`, `xff="1.2.3.0, [2001:db8:1::]:80"`},
		{"pseudonymize hex", `{format: combined, fields: {remote_user: pseudonymize}}`, clf,
			strings.Replace(clf0, "alice", mac("alice", 16), 1)},
		{"pseudonymize length", `{format: combined, fields: {remote_user: {pseudonymize: {length: 8}}}}`, clf,
			strings.Replace(clf0, "alice", mac("alice", 8), 1)},
		{"pseudonymize IP normalized", `{format: logfmt, fields: {ip: pseudonymize}}`, `ip=203.0.113.007`, `ip=` + mac("203.0.113.7", 16)},
		{"pseudonymize e-mail keeps domain", `{format: json, fields: {user.email: {pseudonymize: {keep_domain: true}}}}`,
			`{"user":{"email":"Bob@Example.COM"}}`, `{"user":{"email":"` + mac("bob@example.com", 16) + `@example.com"}}`},
		{"pseudonymize JSON number stays a number", `{format: json, fields: {id: pseudonymize}}`, `{"id":42}`, `{"id":DECIMAL}`},
		{"redact with", `{format: json, fields: {pw: {redact: {with: "***"}}}}`, `{"pw":"x","n":1}`, `{"pw":"***","n":1}`},
		{"redact JSON number", `{format: json, fields: {n: redact}}`, `{"n":12}`, `{"n":0}`},
		{"drop_field JSON", `{format: json, fields: {a: drop_field}}`, `{"a":"1","b":2}`, `{"b":2}`},
		{"drop_field logfmt", `{format: logfmt, fields: {b: drop_field}}`, `a=1 b=2 c=3`, `a=1 c=3`},
		{"drop_field combined", `{format: combined, fields: {http_user_agent: drop_field}}`, clf, strings.Replace(clf0, `"curl/8.4.0"`, `"-"`, 1)},
		{"mask", `{format: logfmt, fields: {card: {mask: {keep_first: 2, keep_last: 3, char: "#"}}}}`, `card=ABCDEFGHIJ`, `card=AB#####HIJ`},
		{"mask short value", `{format: logfmt, fields: {c: {mask: {keep_first: 2, keep_last: 2}}}}`, `c=abc`, `c=***`},
		{"strip_query on request_query", `{format: combined, fields: {request_query: {strip_query: {allow: [a], pseudonymize: [uid], redact: [q]}}}}`, clf,
			strings.Replace(clf0, "a=1&uid=42&q=x#f", "a=1&uid="+mac("42", 16)+"&q=[redacted]", 1)},
		{"strip_query drops the ? when nothing is left", `{format: combined, fields: {http_referer: strip_query}}`, clf,
			strings.Replace(clf0, "x?u=1", "x", 1)},
		{"generalize_user_agent", `{format: json, fields: {ua: generalize_user_agent}}`,
			`{"ua":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"}`,
			`{"ua":"Chrome 120 / Windows / desktop"}`},
		{"coarsen CLF to day", `{format: combined, fields: {time_local: {coarsen_time: {to: day}}}}`, clf, strings.Replace(clf0, "13:55:36", "00:00:00", 1)},
		{"coarsen RFC 3339 to minute", `{format: json, fields: {time: {coarsen_time: {to: minute}}}}`,
			`{"time":"2026-11-20T13:55:36.123456+01:00"}`, `{"time":"2026-11-20T13:55:00+01:00"}`},
		{"coarsen epoch millis to hour", `{format: json, time_keys: [ts], fields: {ts: coarsen_time}}`, `{"ts":1795179636123}`, `{"ts":1795179600000}`},
		{"keys are case-insensitive", `{format: json, keys: {session_id: redact}}`, `{"Session_ID":"abc"}`, `{"Session_ID":"[redacted]"}`},
		{"scrub_unknown off keeps text", `{format: logfmt, scrub_unknown: false}`, `msg="mail a@b.example"`, `msg="mail a@b.example"`},
		{"scrub_unknown on scrubs text", `{format: logfmt, detect: {actions: {email: redact}}}`, `msg="mail a@b.example"`, `msg="mail [redacted]"`},
		{"explicit keep wins over scrub", `{format: logfmt, fields: {msg: keep}}`, `msg="mail a@b.example"`, `msg="mail a@b.example"`},
		{"detector off", `{format: text, detect: {actions: {ipv4: "off"}}}`, `from 192.0.2.7`, `from 192.0.2.7`},
		{"a key holding an address drops the field", `{format: json}`, `{"n":1,"hits":{"192.0.2.7":5},"k2":"v"}`, `{"n":1,"hits":{},"k2":"v"}`},
		{"a logfmt key holding an e-mail drops the pair", `{format: logfmt}`, `a=1 bob@example.com=2 b=3`, `a=1 b=3`},
		{"custom pattern", `{format: text, detect: {patterns: [{name: kd, regex: 'KD-[0-9]{6}'}]}}`, `order KD-123456 ok`, `order [redacted] ok`},
		{"nested: sub-field action inside a scrubbed request", `{format: combined, fields: {request_uri: scrub, request_query: {strip_query: {allow: [a]}}}}`,
			`1.2.3.4 - - [20/Nov/2026:13:55:36 +0100] "GET /u/bob@example.com/?a=1&b=2 HTTP/1.1" 200 5`,
			`1.2.3.0 - - [20/Nov/2026:13:55:36 +0100] "GET /u/` + mac("bob@example.com", 16) + `/?a=1 HTTP/1.1" 200 5`},
		{"URL-encoded phone", `{format: text}`, `q=call+%2B49+30+1234567`, `q=call+` + mac("+49301234567", 16)}, // E.164
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, res := process(t, c.rules, c.in)
			if res.Reason != Kept {
				t.Fatalf("dropped: %v", res.Reason)
			}
			if strings.Contains(c.want, "DECIMAL") {
				if !strings.HasPrefix(got, `{"id":`) || len(got) != len(`{"id":}`)+15 || strings.Contains(got, `"4`+`2"`) {
					t.Fatalf("got %s; want a 15-digit number", got)
				}
				return
			}
			if got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestDrops(t *testing.T) {
	cases := []struct {
		name, rules, in string
		want            Reason
	}{
		{"too old", `{format: json}`, `{"time":"2026-11-13T13:59:59Z"}`, DropTooOld},
		{"just inside max_age", `{format: json}`, `{"time":"2026-11-13T14:00:01Z"}`, Kept},
		{"custom max_age", `{format: json, retention: {max_age: 1h}}`, `{"time":"2026-11-20T12:59:00Z"}`, DropTooOld},
		{"no time is never too old", `{format: json}`, `{"msg":"x"}`, Kept},
		{"equals", `{format: combined, drop_records: [{field: status, equals: ["200"]}]}`, clf, DropRule},
		{"prefix", `{format: combined, drop_records: [{field: request_uri, prefix: [/p]}]}`, clf, DropRule},
		{"contains", `{format: combined, drop_records: [{field: http_user_agent, contains: [curl]}]}`, clf, DropRule},
		{"regex", `{format: combined, drop_records: [{field: request_method, regex: '^(GET|HEAD)$'}]}`, clf, DropRule},
		{"no match", `{format: combined, drop_records: [{field: status, equals: ["404"]}]}`, clf, Kept},
		{"unparsed dropped", `{format: combined, on_unparsed: drop}`, `not a log line`, DropUnparsed},
		{"unparsed scrubbed", `{format: combined}`, `not a log line`, Kept},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, res := process(t, c.rules, c.in); res.Reason != c.want {
				t.Errorf("reason %v; want %v", res.Reason, c.want)
			}
		})
	}
}

func TestLongLinesAreCut(t *testing.T) {
	cfg, _ := ParseConfig("t.yaml", []byte(`{format: text, max_line_bytes: 1KiB}`))
	eng, _ := Compile(cfg, TestKey)
	p := eng.NewProcessor()
	line := strings.Repeat("x ", 10<<20) + "mail a@b.example"
	out, _ := p.Append(nil, []byte(line), testTime)
	// The cut drops the word it falls in ("x ", so at most 2 bytes).
	if len(out) > 1024 || len(out) < 1022 || !strings.HasPrefix(line, string(out)) || p.Stats.Cut != 1 {
		t.Fatalf("out %d bytes, cut %d", len(out), p.Stats.Cut)
	}
}

func TestStatsCount(t *testing.T) {
	cfg, _ := LoadConfig("builtin:default")
	eng, _ := Compile(cfg, TestKey)
	p := eng.NewProcessor()
	p.Append(nil, []byte(clf), testTime)
	p.Append(nil, []byte(`{"time":"2020-01-01T00:00:00Z"}`), testTime)
	p.Append(nil, []byte(`free text from 192.0.2.1`), testTime)
	s := p.Stats
	if s.Lines != 3 || s.Records[Kept] != 2 || s.Records[DropTooOld] != 1 || s.Unparsed != 1 {
		t.Fatalf("stats %+v", s)
	}
	counted := map[string]uint64{}
	for i, r := range eng.Rules() {
		counted[r] = s.Actions[i]
	}
	if counted["fields.remote_addr"] != 1 || counted["fields.remote_user"] != 1 || counted["detect.ipv4"] != 1 {
		t.Fatalf("action counters %v", counted)
	}
	cfg, _ = ParseConfig("t.yaml", []byte(`{format: combined, drop_records: [{field: status, equals: ["404"]}, {field: status, equals: ["200"]}]}`))
	eng, _ = Compile(cfg, TestKey)
	p = eng.NewProcessor()
	p.Append(nil, []byte(clf), testTime)
	counted = map[string]uint64{}
	for i, r := range eng.Rules() {
		counted[r] = p.Stats.Actions[i]
	}
	if counted["drop_records[1]"] != 1 || counted["drop_records[0]"] != 0 || p.Stats.Records[DropRule] != 1 {
		t.Fatalf("action counters %v", counted)
	}
}

func TestProcessAllocatesNothing(t *testing.T) {
	cfg, _ := LoadConfig("builtin:default")
	eng, _ := Compile(cfg, TestKey)
	p := eng.NewProcessor()
	lines := [][]byte{[]byte(clf), []byte(`{"time":"2026-11-20T13:00:00Z","user":"bob","msg":"from 192.0.2.1 mail a@b.example"}`),
		[]byte(`level=info user=bob ip=192.0.2.1 msg="x y"`), []byte(`Nov 20 sshd[1]: from 192.0.2.1`)}
	dst := make([]byte, 0, 4096)
	for _, l := range lines { // warm buffers and caches
		dst, _ = p.Append(dst[:0], l, testTime)
	}
	n := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			dst, _ = p.Append(dst[:0], l, testTime)
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per run; want 0", n)
	}
}

func TestSubtreeRule(t *testing.T) {
	out, _ := process(t, "format: json\nfields:\n  body.*: drop_field\n  body.keep: keep\n",
		`{"id":1,"body":{"card":"4111111111111111","name":"Erin","keep":"yes","deep":{"x":"y"}},"after":2}`)
	if out != `{"id":1,"body":{"keep":"yes","deep":{}},"after":2}` {
		t.Errorf("got %s", out)
	}
}
