package sinks

import (
	"encoding/json"
	"testing"
	"time"
)

// reference is what encoding/json makes of an entry, the format
// AppendEncoded must keep.
func reference(e Entry) []byte {
	labels := func(ls []Label) map[string]string {
		if len(ls) == 0 {
			return nil
		}
		m := map[string]string{}
		for _, l := range ls {
			m[l.Name] = l.Value
		}
		return m
	}
	b, _ := json.Marshal(struct {
		Time     string            `json:"time"`
		Tenant   string            `json:"tenant,omitempty"`
		Labels   map[string]string `json:"labels,omitempty"`
		Line     string            `json:"line"`
		Metadata map[string]string `json:"metadata,omitempty"`
	}{e.Time.UTC().Format(time.RFC3339Nano), e.Tenant, labels(e.Labels), string(e.Line), labels(e.Metadata)})
	return append(b, '\n')
}

// hard are strings encoding/json escapes.
var hard = []string{"", "plain", `"quoted" \back\`, "tab\tnl\nret\rbs\bff\f", "\x00\x01\x1f\x7f", "<script>&amp;</script>",
	"caf\xc3\xa9 \xe2\x80\xa8 \xe2\x80\xa9 \xf0\x9f\x98\x80", "bad \xff\xfe utf-8 \xc3", "trunc \xe2\x80", "\xed\xa0\x80 surrogate"}

func TestAppendEncodedMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 41, 7, 120000, time.FixedZone("CET", 3600))
	for _, s := range hard {
		for _, e := range []Entry{
			{Time: at, Line: []byte(s)},
			{Time: at, Tenant: s, Line: []byte("x"), Labels: []Label{{"job", s}, {"zz", "1"}}, Metadata: []Label{{s, "v"}}},
			{Time: at, Line: []byte(s), Labels: []Label{{"b", "2"}, {"a", "1"}, {"b", "3"}}}, // unsorted, repeated
		} {
			if got, want := AppendEncoded(nil, e, true), reference(e); string(got) != string(want) {
				t.Errorf("AppendEncoded(%q):\n got %s\nwant %s", s, got, want)
			}
		}
	}
}

func FuzzAppendEncoded(f *testing.F) {
	for _, s := range hard {
		f.Add(s, s, "job", int64(1764754867120000))
	}
	f.Fuzz(func(t *testing.T, line, value, name string, ns int64) {
		e := Entry{Time: time.Unix(0, ns), Line: []byte(line), Tenant: value, Labels: []Label{{name, value}, {"z", line}}, Metadata: []Label{{name, line}}}
		if got, want := AppendEncoded(nil, e, true), reference(e); string(got) != string(want) {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}

func TestAppendEncodedAllocs(t *testing.T) {
	e := Entry{Time: time.Now(), Tenant: "acme", Line: []byte(`192.0.2.0 - - "GET /a?q=<x> HTTP/1.1" 200 5 "-" "caf\xc3\xa9"`),
		Labels: []Label{{"host", "web-1"}, {"job", "nginx"}}, Metadata: []Label{{"client", "p:abc"}}}
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = AppendEncoded(buf[:0], e, true) }); n != 0 {
		t.Fatalf("AppendEncoded allocates %v times per entry", n)
	}
}

func BenchmarkAppendEncoded(b *testing.B) {
	e := Entry{Time: time.Now(), Tenant: "acme", Line: []byte(`192.0.2.0 - - [03/Dec/2026:09:41:07 +0000] "GET /item/42?ref=home HTTP/1.1" 200 5123 "https://shop.example.com/" "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"`),
		Labels: []Label{{"host", "web-1"}, {"job", "nginx"}}, Metadata: []Label{{"client", "p:abc"}}}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEncoded(buf[:0], e, true)
	}
}
