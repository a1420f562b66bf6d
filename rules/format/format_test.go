package format

import "testing"

func TestParseFormat(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Format
		err  bool
	}{
		{"auto", Auto, false}, {"text", Text, false}, {"combined", Combined, false},
		{"common", Common, false}, {"json", JSON, false}, {"logfmt", Logfmt, false},
		{"JSON", JSON, false}, {"", Auto, true}, {"xml", Auto, true},
	} {
		got, err := ParseFormat(c.in)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("ParseFormat(%q) = %v, %v", c.in, got, err)
		}
		if err == nil && got.String() != formatNames[got] {
			t.Errorf("String() = %q", got.String())
		}
		if err == nil {
			if back, _ := ParseFormat(got.String()); back != got {
				t.Errorf("round trip %v -> %v", got, back)
			}
		}
	}
	if s := Format(99).String(); s != "Format(99)" {
		t.Errorf("unknown format String = %q", s)
	}
	if s := Bare.String(); s != "bare" {
		t.Errorf("Bare.String = %q", s)
	}
}

func TestAutoDetect(t *testing.T) {
	for _, c := range []struct {
		line string
		want Format
	}{
		{`{"msg":"hi"}`, JSON},
		{`  {"msg":"hi"}  `, JSON},
		{`{}`, JSON},
		{`{"msg":"hi"`, Text},
		{`{x=1 y=2`, Logfmt},
		{`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`, Common},
		{`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "curl/8"`, Combined},
		{`level=info msg="x" user=bob`, Logfmt},
		{`Oct 11 22:14:15 host sshd[1]: Failed password for x from 1.2.3.4 port 22`, Syslog},
		{`Failed password for x=1`, Text},
		{` level=info`, Text},
		{``, Text},
		{"\x00\xff\xfe", Text},
		{`level="unterminated`, Text},
		// a CRI record has its message's format
		{`2026-11-20T10:00:00.123456789Z stdout F {"user":{"name":"x"}}`, JSON},
		{`2026-11-20T10:00:00.123456789Z stdout F level=info user=x`, Logfmt},
		{`2026-11-20T10:00:00.123456789Z stderr F Oct 11 22:14:15 host sshd[1]: Failed password for x from 1.2.3.4 port 22`, Syslog},
		{`2026-11-20T10:00:00.123456789Z stdout F plain text`, Text},
		{`#0 /var/www/html/index.php(12): Account->find('first.last+sh...')`, PHPTrace},
		{`#1 {main}`, PHPTrace},
		{`#1 priority`, Text},
	} {
		var rec Record
		if !Parse(Auto, []byte(c.line), nil, &rec) || rec.Format != c.want {
			t.Errorf("Auto %q: format %v, want %v", c.line, rec.Format, c.want)
		}
		checkInvariants(t, &rec)
	}
}

func TestParseTextAndUnknown(t *testing.T) {
	var rec Record
	line := []byte(`level=info a=b`)
	if !Parse(Text, line, nil, &rec) || rec.Format != Text || len(rec.Fields) != 0 || rec.Time != -1 {
		t.Fatalf("Parse(Text) = %v %d fields", rec.Format, len(rec.Fields))
	}
	if Parse(Format(42), line, nil, &rec) || rec.Format != Text || len(rec.Fields) != 0 {
		t.Fatalf("Parse(unknown format) accepted")
	}
	// A failed parse after a good one leaves no stale fields.
	Parse(Logfmt, line, nil, &rec)
	if Parse(JSON, line, nil, &rec) || len(rec.Fields) != 0 || rec.Format != Text {
		t.Fatalf("failed Parse left %d fields, format %v", len(rec.Fields), rec.Format)
	}
}
