package format

import "testing"

const (
	benchCombined = `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png?x=1 HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36" "-"`
	benchJSON     = `{"ts":"2024-05-01T10:00:00.123Z","level":"info","msg":"request served \"ok\"","http":{"method":"GET","path":"/api/v1/users/42","status":200,"duration_ms":12.5},"user":{"id":42,"email":"alice@example.com","roles":["admin","dev"]},"client":{"ip":"203.0.113.7","ua":"curl/8.4.0"},"ok":true,"err":null}`
	benchLogfmt   = `time="2021-09-15T21:17:10.220731Z" level=error msg="error retrieving pod status: pod inc-1/hello-3-d8f465685-k75gp is not found: PodNotFound" namespace=inc-1-enh-domain-c14-ns-2 pod=hello-inc-1-enh-domain-c14-ns-2-3-d8f465685-k75gp reason= status=Pending`
)

var benchTimeKeys = keys("ts", "time")

func benchParse(b *testing.B, f Format, line string) {
	var rec Record
	l := []byte(line)
	if !Parse(f, l, benchTimeKeys, &rec) {
		b.Fatal("line not parsed")
	}
	b.SetBytes(int64(len(l)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(f, l, benchTimeKeys, &rec)
	}
}

func BenchmarkParseCombined(b *testing.B) { benchParse(b, Combined, benchCombined) }
func BenchmarkParseJSON(b *testing.B)     { benchParse(b, JSON, benchJSON) }
func BenchmarkParseLogfmt(b *testing.B)   { benchParse(b, Logfmt, benchLogfmt) }
func BenchmarkParseAutoCombined(b *testing.B) {
	benchParse(b, Auto, benchCombined)
}
func BenchmarkParseAutoText(b *testing.B) {
	benchParse(b, Auto, `Oct 11 22:14:15 host sshd[1234]: Failed password for invalid user admin from 203.0.113.7 port 52234 ssh2`)
}

// rewriteSetup parses line and builds edits of the named fields: the first
// gets a new value, the second is dropped, the third gets a raw value.
func rewriteSetup(tb testing.TB, f Format, line string, paths ...string) (*Record, []Edit) {
	rec := &Record{}
	if !Parse(f, []byte(line), nil, rec) {
		tb.Fatal("line not parsed")
	}
	var edits []Edit
	for k, p := range paths {
		for i, fl := range rec.Fields {
			if string(fl.Path) == p {
				edits = append(edits, Edit{Field: i, Drop: k == 1, Raw: k == 2, Value: []byte("anon-xyz")})
				break
			}
		}
	}
	if len(edits) != len(paths) {
		tb.Fatalf("found %d of %d fields", len(edits), len(paths))
	}
	return rec, edits
}

func benchRewrite(b *testing.B, f Format, line string, paths ...string) {
	rec, edits := rewriteSetup(b, f, line, paths...)
	dst := make([]byte, 0, 2*len(line))
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		dst = Rewrite(dst[:0], rec, edits)
	}
}

func BenchmarkRewriteCombined(b *testing.B) {
	benchRewrite(b, Combined, benchCombined, "remote_addr", "http_referer", "http_user_agent")
}
func BenchmarkRewriteJSON(b *testing.B) {
	benchRewrite(b, JSON, benchJSON, "user.email", "client.ip", "client.ua")
}
func BenchmarkRewriteLogfmt(b *testing.B) {
	benchRewrite(b, Logfmt, benchLogfmt, "namespace", "pod", "status")
}

func TestZeroAllocs(t *testing.T) {
	var rec Record
	for _, c := range []struct {
		f    Format
		line string
	}{
		{Combined, benchCombined}, {JSON, benchJSON}, {Logfmt, benchLogfmt}, {Auto, benchJSON},
		{Auto, benchCombined}, {Auto, "plain text line"}, {JSON, `{"a":{"b\u0063":[{"d":"x"}]}}`},
	} {
		line := []byte(c.line)
		Parse(c.f, line, benchTimeKeys, &rec) // grow scratch buffers
		if n := testing.AllocsPerRun(100, func() { Parse(c.f, line, benchTimeKeys, &rec) }); n != 0 {
			t.Errorf("Parse(%v) allocates %v times per line", c.f, n)
		}
		if n := testing.AllocsPerRun(100, func() { rec.RecordTime() }); n != 0 {
			t.Errorf("RecordTime(%v) allocates %v times", c.f, n)
		}
	}
	dst := make([]byte, 0, 1024)
	for _, c := range []struct {
		f     Format
		line  string
		paths []string
	}{
		{Combined, benchCombined, []string{"remote_addr", "http_referer", "http_user_agent"}},
		{JSON, benchJSON, []string{"user.email", "client.ip", "client.ua"}},
		{Logfmt, benchLogfmt, []string{"namespace", "pod", "status"}},
	} {
		rec, edits := rewriteSetup(t, c.f, c.line, c.paths...)
		if n := testing.AllocsPerRun(100, func() { dst = Rewrite(dst[:0], rec, edits) }); n != 0 {
			t.Errorf("Rewrite(%v) allocates %v times", c.f, n)
		}
		edits[0], edits[2] = edits[2], edits[0] // unsorted: uses rec's scratch order
		Rewrite(dst[:0], rec, edits)
		if n := testing.AllocsPerRun(100, func() { dst = Rewrite(dst[:0], rec, edits) }); n != 0 {
			t.Errorf("Rewrite(%v, unsorted) allocates %v times", c.f, n)
		}
		if n := testing.AllocsPerRun(100, func() { dst = rec.AppendValue(dst[:0], 2) }); n != 0 {
			t.Errorf("AppendValue(%v) allocates %v times", c.f, n)
		}
	}
	for _, s := range []string{"10/Oct/2000:13:55:36 -0700", "2024-05-01T10:00:00.123+02:00", "1700000000123"} {
		b := []byte(s)
		if n := testing.AllocsPerRun(100, func() { ParseTime(b); ParseCLFTime(b) }); n != 0 {
			t.Errorf("time parsing %q allocates %v times", s, n)
		}
	}
}
