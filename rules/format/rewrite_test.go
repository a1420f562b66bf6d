package format

import (
	"strings"
	"testing"
)

// fieldIndex returns the index of the n-th (0-based) field with path p.
func fieldIndex(t *testing.T, rec *Record, p string, n int) int {
	t.Helper()
	for i, f := range rec.Fields {
		if string(f.Path) == p {
			if n == 0 {
				return i
			}
			n--
		}
	}
	t.Fatalf("no field %q in %q", p, dump(rec))
	return -1
}

type edit struct {
	path  string
	drop  bool
	value string
	raw   bool
}

func TestRewrite(t *testing.T) {
	const clf = `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a?q=1 HTTP/1.1" 200 2326 "http://r/" "UA" "5.6.7.8"`
	cases := []struct {
		name  string
		line  string
		edits []edit
		want  string
	}{
		{"json no edits", `{ "a" : 1 , "b":"x" }`, nil, `{ "a" : 1 , "b":"x" }`},
		{"json drop first", `{"a":1, "b":2, "c":3}`, []edit{{path: "a", drop: true}}, `{"b":2, "c":3}`},
		{"json drop middle", `{"a":1, "b":2, "c":3}`, []edit{{path: "b", drop: true}}, `{"a":1, "c":3}`},
		{"json drop last", `{"a":1, "b":2, "c":3}`, []edit{{path: "c", drop: true}}, `{"a":1, "b":2}`},
		{"json drop only", `{ "a":"x" }`, []edit{{path: "a", drop: true}}, `{  }`},
		{"json drop first two", `{"a":1,"b":2,"c":3}`, []edit{{path: "a", drop: true}, {path: "b", drop: true}}, `{"c":3}`},
		{"json drop last two", `{"a":1,"b":2,"c":3}`, []edit{{path: "b", drop: true}, {path: "c", drop: true}}, `{"a":1}`},
		{"json drop all", `{"a":1,"b":2,"c":3}`, []edit{{path: "a", drop: true}, {path: "b", drop: true}, {path: "c", drop: true}}, `{}`},
		{"json drop nested and array element", `{"u":{"e":"x","n":1},"t":["a","b"]}`, []edit{{path: "u.e", drop: true}, {path: "t", drop: true}}, `{"u":{"n":1},"t":["b"]}`},
		{"json string escaped", `{"a":"old","b":1}`, []edit{{path: "a", value: "new \"q\"\n\\ é \xff\x01"}}, `{"a":"new \"q\"\n\\ é \ufffd\u0001","b":1}`},
		{"json number", `{"a":12}`, []edit{{path: "a", value: "-3.5"}}, `{"a":-3.5}`},
		{"json number not numeric", `{"a":12}`, []edit{{path: "a", value: "x1"}}, `{"a":"x1"}`},
		{"json bool and null as string", `{"a":true,"b":null}`, []edit{{path: "a", value: "1"}, {path: "b", value: "n"}}, `{"a":"1","b":"n"}`},
		{"json raw", `{"a":"x\u00e9y"}`, []edit{{path: "a", value: `\u00e9`, raw: true}}, `{"a":"\u00e9"}`},
		{"json unsafe raw encoded", `{"a":"x"}`, []edit{{path: "a", value: `b"c`, raw: true}}, `{"a":"b\"c"}`},
		{"json edit then drop", `{"a":"x","b":2}`, []edit{{path: "a", value: "y"}, {path: "b", drop: true}}, `{"a":"y"}`},
		{"logfmt drop first", `a=1 b="x y" c=3`, []edit{{path: "a", drop: true}}, `b="x y" c=3`},
		{"logfmt drop middle", `a=1 b="x y" c=3`, []edit{{path: "b", drop: true}}, `a=1 c=3`},
		{"logfmt drop last", `a=1 b="x y" c=3`, []edit{{path: "c", drop: true}}, `a=1 b="x y"`},
		{"logfmt drop first two", `a=1 b=2 c=3`, []edit{{path: "a", drop: true}, {path: "b", drop: true}}, `c=3`},
		{"logfmt quote needed", `a=1 b=2 c=3 d=4`, []edit{{path: "a", value: "x y"}, {path: "b", value: ""}, {path: "c", value: "k=v"}, {path: "d", value: "ok"}}, `a="x y" b="" c="k=v" d=ok`},
		{"logfmt keep quotes", `msg="hello" x=1`, []edit{{path: "msg", value: "a\"b\\c\nd"}}, `msg="a\"b\\c\nd" x=1`},
		{"logfmt empty bare", `reason= x=1`, []edit{{path: "reason", value: "r"}}, `reason=r x=1`},
		{"logfmt unsafe raw", `a=1`, []edit{{path: "a", value: "x y", raw: true}}, `a="x y"`},
		{"clf ip and ua", clf, []edit{{path: "remote_addr", value: "1.2.3.0"}, {path: "http_user_agent", value: "new \"ua\"\n"}},
			`1.2.3.0 - - [10/Oct/2000:13:55:36 -0700] "GET /a?q=1 HTTP/1.1" 200 2326 "http://r/" "new \x22ua\x22\x0a" "5.6.7.8"`},
		{"clf drops", clf, []edit{{path: "remote_addr", drop: true}, {path: "request_query", drop: true}, {path: "http_referer", drop: true}, {path: "http_x_forwarded_for", drop: true}},
			`- - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 2326 "-" "UA" "-"`},
		{"clf bare unsafe", clf, []edit{{path: "remote_user", value: "a b"}, {path: "status", value: ""}}, strings.Replace(clf, " 200 ", " - ", 1)},
		{"clf sub-fields", clf, []edit{{path: "request_method", value: ""}, {path: "request_query", value: "q=a b"}},
			`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "- /a?q=a\x20b HTTP/1.1" 200 2326 "http://r/" "UA" "5.6.7.8"`},
		{"clf outer wins", clf, []edit{{path: "request", value: "GET /x HTTP/1.1"}, {path: "request_uri", value: "/secret"}, {path: "request_query", drop: true}},
			`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 2326 "http://r/" "UA" "5.6.7.8"`},
		{"clf time", clf, []edit{{path: "time_local", value: "10/Oct/2000:13:00:00 +0000"}}, strings.Replace(clf, "13:55:36 -0700", "13:00:00 +0000", 1)},
		{"clf time unsafe", clf, []edit{{path: "time_local", value: "x]"}}, strings.Replace(clf, "10/Oct/2000:13:55:36 -0700", "-", 1)},
		{"clf raw", clf, []edit{{path: "http_referer", value: `a\"b`, raw: true}}, strings.Replace(clf, `"http://r/"`, `"a\"b"`, 1)},
	}
	var rec Record
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !Parse(Auto, []byte(c.line), nil, &rec) || rec.Format == Text {
				t.Fatalf("line not parsed")
			}
			seen := map[string]int{}
			var edits []Edit
			for _, e := range c.edits {
				i := fieldIndex(t, &rec, e.path, seen[e.path])
				seen[e.path]++
				edits = append(edits, Edit{Field: i, Drop: e.drop, Value: []byte(e.value), Raw: e.raw})
			}
			got := string(Rewrite([]byte("prefix:"), &rec, edits))
			if got != "prefix:"+c.want {
				t.Errorf("Rewrite:\n got %q\nwant %q", got, "prefix:"+c.want)
			}
			var again Record
			if !Parse(rec.Format, []byte(c.want), nil, &again) && c.want != "" {
				t.Errorf("rewritten line no longer parses as %v", rec.Format)
			}
		})
	}
}

func TestRewriteEditOrderAndInvalid(t *testing.T) {
	var rec Record
	line := `{"a":"1","b":"2","c":"3"}`
	Parse(JSON, []byte(line), nil, &rec)
	edits := []Edit{{Field: 2, Value: []byte("z")}, {Field: 0, Value: []byte("x")}, {Field: 99}, {Field: -1}, {Field: 0, Value: []byte("dup")}}
	if got := string(Rewrite(nil, &rec, edits)); got != `{"a":"x","b":"2","c":"z"}` {
		t.Errorf("unsorted edits: %s", got)
	}
	Parse(Text, []byte("plain"), nil, &rec)
	if got := string(Rewrite(nil, &rec, []Edit{{Field: 0, Drop: true}})); got != "plain" {
		t.Errorf("text edit: %s", got)
	}
}

func TestAppendValue(t *testing.T) {
	cases := []struct {
		line, path, want string
	}{
		{`{"a":"x\"\\\/\b\f\n\r\tq"}`, "a", "x\"\\/\b\f\n\r\tq"},
		{`{"a":"\u00e9\u20ac\ud83d\ude00"}`, "a", "é€😀"},
		{`{"a":"\ud83d-\ude00x"}`, "a", "\ufffd-\ufffdx"},
		{`{"a":12.5}`, "a", "12.5"},
		{`{"a":"plain"}`, "a", "plain"},
		{`a="q \"x\" \\ \z" b=1`, "a", `q "x" \ \z`},
		{`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "a\x22b\"c\\d\n\xZZ\q"`, "http_user_agent", "a\"b\"c\\d\n\\xZZ\\q"},
	}
	var rec Record
	for _, c := range cases {
		Parse(Auto, []byte(c.line), nil, &rec)
		i := fieldIndex(t, &rec, c.path, 0)
		if got := string(rec.AppendValue([]byte(">"), i)); got != ">"+c.want {
			t.Errorf("AppendValue(%s) = %q, want %q", c.line, got, ">"+c.want)
		}
	}
	if got := rec.AppendValue(nil, 99); got != nil {
		t.Errorf("out of range index appended %q", got)
	}
}
