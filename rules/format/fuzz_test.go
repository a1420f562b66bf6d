package format

import (
	"bytes"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	``,
	`83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a?b=c HTTP/1.1" 200 203023 "http://x/" "Mozilla/5.0 \"q\"" "1.2.3.4" 0.01`,
	`example.com:443 1.2.3.4 - bob [10/Oct/2000:13:55:36 -0700] "\x16\x03" 400 -`,
	`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a"b HTTP/1.1" 200 1`,
	`{"ts":"2024-05-01T10:00:00Z","user":{"email":"a\u00e9@b","ids":[1,2.5e3,{"x":null}]},"ok":true}`,
	` { "a" : [ ] , "b" : { } } `,
	`{"a":"\ud83d\ude00\\\"","b":-0.0}`,
	`time="2021-09-15T21:17:10Z" level=error msg="a \"b\" \\" reason= status=Pending word "quoted word"`,
	`a=1 b= c="" "unterminated`,
	"\x00\xff{\"a\":\"\xfe\"}",
	"level=info\tmsg=\"x\ny\"\r",
	`Oct 11 22:14:15 host sshd[1]: Failed password for x from 1.2.3.4 port 22`,
	"2026-11-20T10:00:00.123456789Z stdout F {\"user\":{\"name\":\"x\"},\"ts\":\"2024-05-01T10:00:00Z\"}\n",
	`2026-11-20T10:00:00Z stderr P level=info user=x time="2024-05-01T10:00:00Z"`,
	`#0 /var/www/html/index.php(12): Account->find('first.last+sh...', 42)`,
}

// FuzzParse checks every format on arbitrary lines: no panic, spans in
// bounds and ordered, Rewrite without edits reproduces the line, and edits
// of every field keep the line parseable in its format.
func FuzzParse(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, []byte("x y\"\n"), uint8(i))
	}
	f.Fuzz(func(t *testing.T, line string, value []byte, mode uint8) {
		var rec Record
		tk := keys("ts", "time", "user.email")
		for _, fm := range []Format{Auto, Text, Combined, Common, JSON, Logfmt} {
			ok := Parse(fm, []byte(line), tk, &rec)
			if !ok && (len(rec.Fields) != 0 || rec.Format != Text) {
				t.Fatalf("%v: failed parse left %d fields, format %v", fm, len(rec.Fields), rec.Format)
			}
			checkInvariants(t, &rec)
			rec.RecordTime()
			for i := range rec.Fields {
				rec.AppendValue(nil, i)
			}
			checkEdits(t, &rec, value, mode)
		}
	})
}

// checkEdits edits every field (dropping every other one when mode is odd,
// raw values when mode&2) and checks the result still parses in rec's format
// with the expected number of fields and without a new line break.
func checkEdits(t *testing.T, rec *Record, value []byte, mode uint8) {
	if rec.Format == Text {
		return
	}
	edits := make([]Edit, len(rec.Fields))
	dropped := 0
	for i := range edits {
		edits[i] = Edit{Field: i, Value: value, Raw: mode&2 != 0}
		if mode&1 != 0 && i%2 == 0 && rec.Fields[i].Parent < 0 {
			edits[i].Drop = true
			dropped++
		}
	}
	out := Rewrite(nil, rec, edits)
	if bytes.Count(out, []byte("\n")) > bytes.Count(rec.Line, []byte("\n")) {
		t.Fatalf("edit inserted a newline")
	}
	var again Record
	f := rec.Format
	if rec.msgStart > 0 {
		f = CRI // a CRI record of Auto
	}
	ok := Parse(f, out, nil, &again)
	switch rec.Format {
	case JSON:
		if !ok || len(again.Fields) != len(rec.Fields)-dropped {
			t.Fatalf("JSON edits broke the line: ok=%v fields %d -> %d (dropped %d)", ok, len(rec.Fields), len(again.Fields), dropped)
		}
	case Logfmt:
		// Keyless words may merge with their neighbours once edited; only
		// lines of pairs alone must keep their exact shape.
		for _, f := range rec.Fields {
			if len(f.Path) == 0 {
				return
			}
		}
		if want := len(rec.Fields) - dropped; want > 0 && (!ok || len(again.Fields) != want) {
			t.Fatalf("logfmt edits broke the line: ok=%v fields %d -> %d (dropped %d)", ok, len(rec.Fields), len(again.Fields), dropped)
		}
	default:
		if !ok {
			t.Fatalf("combined edits broke the line")
		}
	}
}

// FuzzParseTime checks the time parsers never panic, return UTC, and agree
// with the standard library where both accept the input.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"10/Oct/2000:13:55:36 -0700", "2024-05-01T10:00:00.123+02:00", "2024-05-01 10:00:00Z",
		"1700000000", "1700000000123.5", "1700000000123456789", "99999999999999999999", "", "2016-12-31T23:59:60Z", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		if got, ok := ParseTime(b); ok {
			if got.Location() != time.UTC {
				t.Fatalf("ParseTime returned zone %v", got.Location())
			}
			if want, err := time.Parse(time.RFC3339Nano, s); err == nil && !got.Equal(want) {
				t.Fatalf("ParseTime = %v, time.Parse = %v", got, want)
			}
		}
		if got, ok := ParseCLFTime(b); ok {
			want, err := time.Parse("02/Jan/2006:15:04:05 -0700", s)
			if err == nil && !got.Equal(want) {
				t.Fatalf("ParseCLFTime = %v, time.Parse = %v", got, want)
			}
		}
	})
}
