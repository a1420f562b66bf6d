package format

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// caseFormat is the format a syslogCases line is in.
func caseFormat(line string) Format {
	if startsNginxError([]byte(line)) {
		return NginxError
	}
	return Syslog
}

// TestSyslogParsers parses every case with its format and with Auto: the
// same fields, in line order, inside their parents, and Rewrite without
// edits gives the line back.
func TestSyslogParsers(t *testing.T) {
	for _, c := range syslogCases {
		t.Run(c.line[:min(len(c.line), 60)], func(t *testing.T) {
			f := caseFormat(c.line)
			for _, pf := range []Format{f, Auto} {
				var rec Record
				ok := Parse(pf, []byte(c.line), nil, &rec)
				if c.fields == nil {
					if pf == f && ok || rec.Format != Text {
						t.Fatalf("Parse(%v) = %v, format %v; want not understood", pf, ok, rec.Format)
					}
					continue
				}
				if !ok || rec.Format != f {
					t.Fatalf("Parse(%v) = %v, format %v; want %v", pf, ok, rec.Format, f)
				}
				if got := dump(&rec); !slices.Equal(got, c.fields) {
					t.Errorf("Parse(%v) fields:\n got %q\nwant %q", pf, got, c.fields)
				}
				if rec.Time < 0 || !bytes.HasSuffix(rec.Fields[rec.Time].Path, []byte(".time")) {
					t.Errorf("time field %d", rec.Time)
				}
				checkInvariants(t, &rec)
			}
		})
	}
}

// TestSyslogNotOtherFormats: the formats that were there keep their lines.
func TestSyslogNotOtherFormats(t *testing.T) {
	for _, l := range []string{
		`203.0.113.7 - - [02/Dec/2026:01:13:17 +0100] "GET / HTTP/1.1" 200 5`,
		`time=2026-12-02T01:13:17Z level=info msg="Dec  2 01:13:17 a b: c"`,
		`{"time":"2026-12-02T01:13:17Z"}`,
		`Dec  2 01:13:17 host tag with spaces: x`,
		`Dec 32 01:13:17 host sshd[1]: x`,
		`2026/12/02 01:13:17 error 1#1: no level brackets`,
	} {
		var rec Record
		Parse(Auto, []byte(l), keys("time"), &rec)
		if rec.Format == Syslog || rec.Format == NginxError {
			t.Errorf("%q parsed as %v", l, rec.Format)
		}
	}
}

// TestSyslogTime checks the year a BSD time gets and the other times.
func TestSyslogTime(t *testing.T) {
	now := time.Date(2026, 12, 2, 1, 20, 0, 0, time.UTC)
	newYear := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	afterNewYear := time.Date(2027, 1, 1, 0, 10, 0, 0, time.UTC)
	for _, c := range []struct {
		line string
		now  time.Time
		want time.Time
	}{
		{`Dec  2 01:13:17 h p: x`, now, time.Date(2026, 12, 2, 1, 13, 17, 0, time.UTC)},
		{`Dec 2 01:13:17 h p: x`, now, time.Date(2026, 12, 2, 1, 13, 17, 0, time.UTC)},
		{`Dec  3 23:00:00 h p: x`, now, time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC)},  // within the slack
		{`Dec  5 01:13:17 h p: x`, now, time.Date(2025, 12, 5, 1, 13, 17, 0, time.UTC)}, // future: last year
		{`Mar 27 13:06:56 h p: x`, now, time.Date(2026, 3, 27, 13, 6, 56, 0, time.UTC)},
		{`Jan  1 00:30:00 h p: x`, newYear, time.Date(2027, 1, 1, 0, 30, 0, 0, time.UTC)},
		{`Dec 31 23:59:00 h p: x`, afterNewYear, time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)},
		{`2026-12-02T01:13:17.123456+01:00 h p: x`, now, time.Date(2026, 12, 2, 0, 13, 17, 123456000, time.UTC)},
		{`<34>1 2026-12-02T01:13:17.000Z h a - - - x`, now, time.Date(2026, 12, 2, 1, 13, 17, 0, time.UTC)},
		{`2026/12/02 01:13:17 [error] 1#0: x`, now, time.Date(2026, 12, 2, 1, 13, 17, 0, time.UTC)},
		// tai64nlocal's reading: the label minus 2^62 + 10 s
		{`@400000004c91b044077a9e94 imap-login: x`, now, time.Date(2010, 9, 16, 5, 50, 50, 125476500, time.UTC)},
	} {
		rec := Record{Now: c.now}
		if !Parse(Auto, []byte(c.line), nil, &rec) || rec.Format == Text {
			t.Fatalf("%q not parsed", c.line)
		}
		got, ok := rec.RecordTime()
		if !ok || !got.Equal(c.want) {
			t.Errorf("%q at %v: time %v, %v; want %v", c.line, c.now, got, ok, c.want)
		}
	}
	rec := Record{Now: now}
	Parse(Syslog, []byte(`Feb 29 01:13:17 h p: x`), nil, &rec)
	if _, ok := rec.RecordTime(); ok {
		t.Error("Feb 29 without a leap year accepted")
	}
}

// TestSyslogRewrite: edits of header fields keep the line syslog; a time
// or pid edit that is none keeps the old value; a dropped sub-field is
// gone.
func TestSyslogRewrite(t *testing.T) {
	line := `Dec  2 01:13:17 web1 sshd[123]: Invalid user admin from 203.0.113.9 port 22`
	var rec Record
	if !Parse(Syslog, []byte(line), nil, &rec) {
		t.Fatal("not parsed")
	}
	idx := func(path string) int {
		for i, f := range rec.Fields {
			if string(f.Path) == path {
				return i
			}
		}
		t.Fatalf("no field %s", path)
		return -1
	}
	out := Rewrite(nil, &rec, []Edit{
		{Field: idx("syslog.time"), Value: []byte("yesterday")},
		{Field: idx("syslog.host"), Value: []byte("a b")},
		{Field: idx("syslog.pid"), Drop: true},
		{Field: idx("sshd.user"), Value: []byte("x\ny")},
		{Field: idx("sshd.rhost"), Drop: true},
	})
	want := `Dec  2 01:13:17 a_b sshd[123]: Invalid user x_y from  port 22` // a pid stays a pid
	if string(out) != want {
		t.Errorf("Rewrite = %q, want %q", out, want)
	}
	var again Record
	if !Parse(Syslog, out, nil, &again) {
		t.Errorf("rewritten line %q is no syslog", out)
	}
}

// TestSyslogRealdataParsed: most lines of the corpus's syslog and nginx
// error logs are understood, and every parsed line keeps the invariants.
func TestSyslogRealdataParsed(t *testing.T) {
	skipWithoutRealdata(t)
	for _, c := range []struct {
		file string
		f    Format
		min  float64
	}{
		{"elastic-examples/auth.log", Syslog, 0.99},
		{"loghub/OpenSSH_2k.log", Syslog, 0.99},
		{"loghub/Linux_2k.log", Syslog, 0.99},
		{"fail2ban/sshd", Syslog, 0.9},
		{"fail2ban/postfix", Syslog, 0.9},
		{"fail2ban/nginx-http-auth", NginxError, 0.8},
		{"fail2ban/nginx-limit-req", NginxError, 0.9},
	} {
		if _, err := os.Stat(filepath.Join(realdataDir, c.file)); err != nil {
			t.Skipf("%s: %v", c.file, err)
		}
		var rec Record
		n, parsed := 0, 0
		for _, l := range realdataLines(t, c.file) {
			if len(l) == 0 || l[0] == '#' {
				continue
			}
			n++
			if Parse(c.f, l, nil, &rec) || Parse(Auto, l, nil, &rec) && (rec.Format == Syslog || rec.Format == NginxError) {
				parsed++ // in its format, or by auto in the other one (nginx through syslog)
				checkInvariants(t, &rec)
			}
		}
		if float64(parsed) < c.min*float64(n) {
			t.Errorf("%s: %d of %d lines parsed as %v", c.file, parsed, n, c.f)
		}
	}
}

// FuzzSyslog checks the syslog and nginx error parsers on any line: no
// panic, the invariants, and edits of every field (or drops of every
// other one) keep the line in its format.
func FuzzSyslog(f *testing.F) {
	for i, c := range syslogCases {
		f.Add(c.line, []byte("x y\"\n"), uint8(i))
	}
	f.Fuzz(func(t *testing.T, line string, value []byte, mode uint8) {
		for _, fm := range []Format{Syslog, NginxError, Auto} {
			var rec Record
			if !Parse(fm, []byte(line), nil, &rec) || rec.Format != Syslog && rec.Format != NginxError {
				continue // the other formats are FuzzParse's
			}
			checkInvariants(t, &rec)
			edits := make([]Edit, len(rec.Fields))
			for i := range edits {
				edits[i] = Edit{Field: i, Value: value, Raw: mode&2 != 0, Drop: mode&1 != 0 && i%2 == 0}
			}
			out := Rewrite(nil, &rec, edits)
			if bytes.Count(out, []byte("\n")) > strings.Count(line, "\n") {
				t.Fatalf("edit inserted a newline: %q", out)
			}
			var again Record
			if !Parse(rec.Format, out, nil, &again) {
				t.Fatalf("%v edits broke the line: %q -> %q", rec.Format, line, out)
			}
		}
	})
}

func BenchmarkParseSyslogSSHD(b *testing.B) {
	benchParse(b, Syslog, `Dec  2 01:13:17 web1 sshd[4242]: Failed password for invalid user admin from 203.0.113.7 port 52234 ssh2`)
}

func BenchmarkParseSyslogPostfix(b *testing.B) {
	benchParse(b, Syslog, `Dec  2 01:13:17 mx1 postfix/smtpd[812]: NOQUEUE: reject: RCPT from unknown[192.0.2.236]: 554 5.7.1 <lp@dom.tld>: Relay access denied; from=<a@b.example> to=<lp@dom.tld> proto=ESMTP helo=<dom.tld>`)
}

func BenchmarkParseSyslog5424(b *testing.B) {
	benchParse(b, Syslog, `<22>1 2026-12-02T01:13:17.000Z mx1 dovecot 77 - [x a="b"] imap-login: Login: user=<dave@example.net>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1, TLS, session=<p0f4Ij8Z>`)
}

func BenchmarkParseNginxError(b *testing.B) {
	benchParse(b, NginxError, `2026/12/02 01:13:17 [error] 1234#0: *5 open() "/var/www/x" failed (2: No such file or directory), client: 203.0.113.9, server: example.com, request: "GET /x?token=abc HTTP/1.1", upstream: "http://127.0.0.1:8080/x", host: "example.com", referrer: "https://example.com/?q=1"`)
}

func BenchmarkParseAutoSyslog(b *testing.B) {
	benchParse(b, Auto, `Dec  2 01:13:17 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls -l /root`)
}
