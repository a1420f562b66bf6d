package format

import (
	"slices"
	"testing"
	"time"
)

// autoCRILines are CRI records (prefix criTS, stdout F) with messages of
// every format, and the format Auto reports: the message's.
var autoCRILines = []struct {
	msg  string
	want Format
}{
	{`{"user":{"name":"x"},"ts":"2026-11-20T10:00:00Z"}`, JSON},
	{`level=info user=x ts=2026-11-20T10:00:00Z`, Logfmt},
	{`1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET /a?b=c HTTP/1.1" 200 5 "-" "curl/8"`, Combined},
	{`1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5`, Common},
	{`Oct 11 22:14:15 host sshd[1]: Failed password for x from 1.2.3.4 port 22`, Syslog},
	{`2026/11/20 13:00:05 [error] 2865#0: *66 open() "/x" failed, client: 203.0.113.9, server: a`, NginxError},
	{`plain text from x`, Text},
	{``, Text},
	// one level deep: a CRI record inside the message is text
	{criTS + ` stdout F {"user":{"name":"x"}}`, Text},
}

// TestAutoCRI: Auto parses a CRI record as Parse(CRI) does — the fields of
// its message, shifted into the line, the message's format and the
// runtime's time — also with a partial tag, stderr and a newline.
func TestAutoCRI(t *testing.T) {
	for _, c := range autoCRILines {
		for _, pre := range []string{criTS + " stdout F ", "2026-11-20T10:00:00.123456789Z stderr P ", criTS + " stdout F:x "} {
			for _, nl := range []string{"", "\n"} {
				line := []byte(pre + c.msg + nl)
				var auto, cri Record
				Parse(Auto, line, keys("ts"), &auto)
				if !Parse(CRI, line, keys("ts"), &cri) {
					t.Fatalf("Parse(CRI, %q) failed", line)
				}
				if auto.Format != c.want || cri.Format != c.want {
					t.Errorf("%q: Auto format %v, CRI format %v, want %v", line, auto.Format, cri.Format, c.want)
				}
				if !slices.Equal(dump(&auto), dump(&cri)) || auto.Written.IsZero() || !auto.Written.Equal(cri.Written) || auto.Time != cri.Time {
					t.Errorf("%q: Auto %q written %v time %d, CRI %q written %v time %d", line, dump(&auto), auto.Written, auto.Time, dump(&cri), cri.Written, cri.Time)
				}
				checkInvariants(t, &auto)
				checkCRIEdits(t, &auto, []byte(`new "v"`))
			}
		}
	}
}

// TestAutoNotCRI: lines that start like a CRI time but are no CRI record
// keep the format Auto found before, and a record after a CRI one has no
// runtime time.
func TestAutoNotCRI(t *testing.T) {
	for _, c := range []struct {
		line string
		want Format
	}{
		{criTS + ` stdin F {"a":1}`, Text},
		{criTS + ` stdout`, Text},
		{`2016-10-20 stdout F a=1`, Text},
		{`2016-10-20T18:39:20Z level=info a=1`, Text},
		{`2016-10-20T18:39:20.123456+01:00 web1 sshd[123]: Invalid user admin from 203.0.113.9 port 22`, Syslog},
		{`2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5`, Common},
		{`1234-5 x=1`, Text},
	} {
		var rec Record
		Parse(Auto, []byte(criTS+" stdout F a=1"), nil, &rec)
		Parse(Auto, []byte(c.line), nil, &rec)
		if rec.Format != c.want || !rec.Written.IsZero() || rec.msgStart != 0 {
			t.Errorf("Auto %q: format %v written %v message at %d, want %v and no CRI", c.line, rec.Format, rec.Written, rec.msgStart, c.want)
		}
		checkInvariants(t, &rec)
	}
}

// FuzzAutoCRI: on any line, Auto and Parse(CRI) agree on every CRI record,
// and Auto keeps its CRI prefix through edits.
func FuzzAutoCRI(f *testing.F) {
	for _, c := range autoCRILines {
		f.Add(criTS + " stdout F " + c.msg)
	}
	f.Add("2026-11-20T10:00:00.1+01:00 stderr P:x a=\"b\n")
	f.Fuzz(func(t *testing.T, s string) {
		line := []byte(s)
		var auto, cri Record
		Parse(Auto, line, keys("ts"), &auto)
		checkInvariants(t, &auto)
		if !Parse(CRI, line, keys("ts"), &cri) {
			return
		}
		if auto.Format != cri.Format || !slices.Equal(dump(&auto), dump(&cri)) || !auto.Written.Equal(cri.Written) || auto.Written.Location() != time.UTC {
			t.Fatalf("%q: Auto %v %q, CRI %v %q", line, auto.Format, dump(&auto), cri.Format, dump(&cri))
		}
		checkCRIEdits(t, &auto, []byte("v \"\n"))
	})
}
