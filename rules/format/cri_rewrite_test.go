package format

import (
	"strings"
	"testing"
)

// TestRewriteCRIDrop checks that dropping fields of a Parse(CRI) message
// takes separators from inside the message only: the space after the tag
// and a trailing newline survive, and the result is still a CRI line.
func TestRewriteCRIDrop(t *testing.T) {
	const pre = criTS + " stdout F "
	const clf = `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a?q=1 HTTP/1.1" 200 5`
	cases := []struct {
		name  string
		msg   string
		drops []string
		want  string
	}{
		{"logfmt drop all", `a=1 b="x y" c=3`, []string{"a", "b", "c"}, ``},
		{"logfmt drop only", `a=1`, []string{"a"}, ``},
		{"logfmt drop first", `a=1 b="x y" c=3`, []string{"a"}, `b="x y" c=3`},
		{"logfmt drop middle", `a=1 b="x y" c=3`, []string{"b"}, `a=1 c=3`},
		{"logfmt drop last", `a=1 b="x y" c=3`, []string{"c"}, `a=1 b="x y"`},
		{"logfmt drop first two", `a=1 b=2 c=3`, []string{"a", "b"}, `c=3`},
		{"logfmt drop last two", `a=1 b=2 c=3`, []string{"b", "c"}, `a=1`},
		{"logfmt drop first and last", `a=1 b=2 c=3`, []string{"a", "c"}, `b=2`},
		{"json drop all", `{"a":1, "b":"x"}`, []string{"a", "b"}, `{}`},
		{"json drop first", `{"a":1, "b":"x"}`, []string{"a"}, `{"b":"x"}`},
		{"json drop last", `{"a":1, "b":"x"}`, []string{"b"}, `{"a":1}`},
		{"combined drops", clf, []string{"remote_addr", "request_query", "body_bytes_sent"},
			`- - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 -`},
	}
	var rec Record
	for _, c := range cases {
		for _, nl := range []string{"", "\n"} {
			name := c.name
			if nl != "" {
				name += " newline"
			}
			t.Run(name, func(t *testing.T) {
				line := pre + c.msg + nl
				if !Parse(CRI, []byte(line), nil, &rec) || rec.Format == Text {
					t.Fatalf("Parse(CRI, %q) failed", line)
				}
				var edits []Edit
				for _, p := range c.drops {
					edits = append(edits, Edit{Field: fieldIndex(t, &rec, p, 0), Drop: true})
				}
				got := string(Rewrite([]byte("prefix:"), &rec, edits))
				if want := "prefix:" + pre + c.want + nl; got != want {
					t.Fatalf("Rewrite:\n got %q\nwant %q", got, want)
				}
				var ct Container
				if !ParseCRI([]byte(strings.TrimPrefix(got, "prefix:")), &ct) || string(ct.Message) != c.want || ct.Stream != Stdout || ct.Partial {
					t.Errorf("result %q is no CRI line with message %q (got %q)", got, c.want, ct.Message)
				}
			})
		}
	}
}

// TestRewriteCRIDropKeepsRecord checks that a Record reused after a CRI
// parse rewrites plain logfmt lines over their whole length again.
func TestRewriteCRIDropKeepsRecord(t *testing.T) {
	var rec Record
	Parse(CRI, []byte(criTS+" stdout F x=1\n"), nil, &rec)
	for _, c := range []struct{ line, want string }{
		{"a=1 b=2\n", "b=2\n"},
		{"a=1\n", ""},
	} {
		if !Parse(Logfmt, []byte(c.line), nil, &rec) {
			t.Fatalf("Parse(Logfmt, %q) failed", c.line)
		}
		if got := string(Rewrite(nil, &rec, []Edit{{Field: 0, Drop: true}})); got != c.want {
			t.Errorf("drop first of %q = %q, want %q", c.line, got, c.want)
		}
	}
}
