package format

import "testing"

func TestParseCombined(t *testing.T) {
	head := []string{"remote_addr:bare=1.2.3.4", "remote_ident:bare=-", "remote_user:bare=-", "time_local:string=10/Oct/2000:13:55:36 -0700"}
	req := func(r, m, u, q, p string) []string {
		out := []string{"request:string=" + r}
		if m == "" {
			return out
		}
		out = append(out, "request_method:string="+m+"^request", "request_uri:string="+u+"^request")
		if q != "" {
			out = append(out, "request_query:string="+q[1:]+"^request_uri")
		}
		return append(out, "server_protocol:string="+p+"^request")
	}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	getRoot := req("GET / HTTP/1.0", "GET", "/", "", "HTTP/1.0")
	tail := []string{"status:bare=200", "body_bytes_sent:bare=2326"}
	const pre = `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] `
	cases := []parseCase{
		{"apache combined", Combined,
			`83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1)"`,
			true, Combined, cat([]string{"remote_addr:bare=83.149.9.216", "remote_ident:bare=-", "remote_user:bare=-", "time_local:string=17/May/2015:10:05:03 +0000"},
				req("GET /presentations/kibana-search.png HTTP/1.1", "GET", "/presentations/kibana-search.png", "", "HTTP/1.1"),
				[]string{"status:bare=200", "body_bytes_sent:bare=203023", "http_referer:string=http://semicomplete.com/presentations/", "http_user_agent:string=Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1)"}),
			"time_local"},
		{"nginx combined with x_forwarded_for and query", Auto,
			pre + `"GET /search?q=a%20b&u=bob HTTP/1.1" 200 2326 "https://ex.com/" "curl/8.0" "203.0.113.9, 10.0.0.1"`,
			true, Combined, cat(head, req("GET /search?q=a%20b&u=bob HTTP/1.1", "GET", "/search?q=a%20b&u=bob", "?q=a%20b&u=bob", "HTTP/1.1"), tail,
				[]string{"http_referer:string=https://ex.com/", "http_user_agent:string=curl/8.0", "http_x_forwarded_for:string=203.0.113.9, 10.0.0.1"}),
			"time_local"},
		{"extra quoted and bare fields", Combined,
			pre + `"GET / HTTP/1.0" 200 2326 "-" "ua" "-" 0.005 "upstream" 12`,
			true, Combined, cat(head, getRoot, tail,
				[]string{"http_referer:string=-", "http_user_agent:string=ua", "http_x_forwarded_for:string=-", "extra_2:bare=0.005", "extra_3:string=upstream", "extra_4:bare=12"}),
			"time_local"},
		{"common with bare extra", Common, pre + `"GET / HTTP/1.0" 200 2326 1234`,
			true, Common, cat(head, getRoot, tail, []string{"extra_1:bare=1234"}), "time_local"},
		{"vhost_combined with port", Auto,
			`example.com:443 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "ua"`,
			true, Combined, cat([]string{"vhost:bare=example.com:443"}, head, getRoot, tail, []string{"http_referer:string=-", "http_user_agent:string=ua"}), "time_local"},
		{"common vhost, user, ipv6", Common,
			`www.example.com 2001:db8::1 - theuser [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 301 -`,
			true, Common, cat([]string{"vhost:bare=www.example.com", "remote_addr:bare=2001:db8::1", "remote_ident:bare=-", "remote_user:bare=theuser", "time_local:string=10/Oct/2000:13:55:36 -0700"},
				getRoot, []string{"status:bare=301", "body_bytes_sent:bare=-"}), "time_local"},
		{"request dash", Combined, pre + `"-" 400 0 "-" "-"`,
			true, Combined, cat(head, []string{"request:string=-", "status:bare=400", "body_bytes_sent:bare=0", "http_referer:string=-", "http_user_agent:string=-"}), "time_local"},
		{"request binary junk nginx-escaped", Combined, pre + `"\x16\x03\x01\x00\xA5" 400 166 "-" "-"`,
			true, Combined, cat(head, []string{`request:string=\x16\x03\x01\x00\xA5!`, "status:bare=400", "body_bytes_sent:bare=166", "http_referer:string=-", "http_user_agent:string=-"}), "time_local"},
		{"request without protocol", Common, pre + `"GET /" 200 2326`,
			true, Common, cat(head, []string{"request:string=GET /"}, tail), "time_local"},
		{"request lowercase method", Common, pre + `"get / HTTP/1.0" 200 2326`,
			true, Common, cat(head, []string{"request:string=get / HTTP/1.0"}, tail), "time_local"},
		{"request with extra space", Common, pre + `"GET /a b HTTP/1.0" 200 2326`,
			true, Common, cat(head, []string{"request:string=GET /a b HTTP/1.0"}, tail), "time_local"},
		{"apache escaped quotes", Combined, pre + `"GET /a\"b HTTP/1.1" 200 2326 "-" "Mozilla \"x\" \\"`,
			true, Combined, cat(head, []string{`request:string=GET /a\"b HTTP/1.1!`, "request_method:string=GET^request", `request_uri:string=/a\"b!^request`, "server_protocol:string=HTTP/1.1^request"}, tail,
				[]string{"http_referer:string=-", `http_user_agent:string=Mozilla \"x\" \\!`}), "time_local"},
		{"nginx escaped quote", Combined, pre + `"GET /a\x22b HTTP/1.1" 200 2326 "-" "ua\x22"`,
			true, Combined, cat(head, []string{`request:string=GET /a\x22b HTTP/1.1!`, "request_method:string=GET^request", `request_uri:string=/a\x22b!^request`, "server_protocol:string=HTTP/1.1^request"}, tail,
				[]string{"http_referer:string=-", `http_user_agent:string=ua\x22!`}), "time_local"},
		{"unescaped inner quote", Common, pre + `"GET /a"b HTTP/1.1" 200 2326`,
			true, Common, cat(head, req(`GET /a"b HTTP/1.1`, "GET", `/a"b`, "", "HTTP/1.1"), tail), "time_local"},
		{"iso time and CRLF", Combined, `1.2.3.4 - - [2019-01-22T03:56:14+03:30] "GET / HTTP/1.0" 200 2326 "-" "ua"` + "\r",
			true, Combined, cat([]string{"remote_addr:bare=1.2.3.4", "remote_ident:bare=-", "remote_user:bare=-", "time_local:string=2019-01-22T03:56:14+03:30"},
				getRoot, tail, []string{"http_referer:string=-", "http_user_agent:string=ua"}), "time_local"},
		{"empty query", Common, pre + `"GET /? HTTP/1.0" 200 2326`,
			true, Common, cat(head, req("GET /? HTTP/1.0", "GET", "/?", "?", "HTTP/1.0"), tail), "time_local"},
	}
	for _, bad := range []struct{ name, line string }{
		{"empty", ``},
		{"text", `Oct 11 22:14:15 host sshd[1]: Failed password`},
		{"no status", pre + `"GET / HTTP/1.0"`},
		{"bad status", pre + `"GET / HTTP/1.0" OK 12`},
		{"bad bytes", pre + `"GET / HTTP/1.0" 200 12k`},
		{"unterminated request", pre + `"GET / HTTP/1.0 200 12`},
		{"unterminated referer", pre + `"GET / HTTP/1.0" 200 12 "-`},
		{"unterminated time", `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.0" 200 12`},
		{"empty time", `1.2.3.4 - - [] "GET / HTTP/1.0" 200 12`},
		{"too many head tokens", `a b c d e [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 12`},
		{"too few head tokens", `a b [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 12`},
		{"double space", `1.2.3.4  - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 12`},
		{"unquoted request", pre + `GET / 200 12`},
		{"json", `{"a":1}`},
	} {
		cases = append(cases, parseCase{name: "reject " + bad.name, format: Combined, line: bad.line, want: Text})
	}
	runParseCases(t, cases, nil)
}

// TestCombinedFieldsAreWhatTheParserNames: a line with every optional
// part (vhost, query, referer, user agent, X-Forwarded-For) has exactly
// the fields CombinedFields lists, in that order.
func TestCombinedFieldsAreWhatTheParserNames(t *testing.T) {
	line := `shop.example:443 1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET /a?b=c HTTP/1.1" 200 5 "https://r.example/" "curl/8.0" "203.0.113.9"`
	var r Record
	if !Parse(Combined, []byte(line), nil, &r) {
		t.Fatal("not parsed")
	}
	want := CombinedFields()
	if len(r.Fields) != len(want) {
		t.Fatalf("%d fields, CombinedFields has %d: %q", len(r.Fields), len(want), want)
	}
	for i, f := range r.Fields {
		if string(f.Path) != want[i] {
			t.Errorf("field %d is %q, CombinedFields says %q", i, f.Path, want[i])
		}
	}
	want[0] = "changed"
	if CombinedFields()[0] != "vhost" {
		t.Error("CombinedFields returns shared state")
	}
}
