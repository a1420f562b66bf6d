package anonip

import (
	"bufio"
	"bytes"
	"testing"
)

var fuzzSeeds = []string{
	"", " ", "1.2.3.4", "1.2.3.4 - - [x] \"GET /\" 200", "[2001:DB8::1]:80 x", "::ffff:1.2.3.4",
	"fe80::1%eth0", "[fe80::1%\t\xc3]:1", "10.0.0.0/8", "1.2.3.0/24", "user@1.2.3.4:80]",
	"\xff\x00\xc2\x85", "1.2.3.4\u3000", "a,b,,c", "1.2.3.4:\uff03", "\x80\xc3\x80\xc3",
}

// FuzzAppendLine checks that AppendLine never panics, appends to dst
// without touching it, is deterministic, keeps the number of columns with
// default options, and is idempotent for lines it leaves unchanged.
func FuzzAppendLine(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	def := mustNew(f)
	others := []*Anonymizer{
		mustNew(f, "-c", "1", "2", "2", "-l", ",", "-r", "R", "-i", "9"),
		mustNew(f, "-p", "-4", "32", "-6", "128"),
		mustNew(f, "--regex", `^(\S+) (?:\S+ )?(\S*)`, "-r", "0.0.0.0"),
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		out := def.AppendLine([]byte("keep"), line)
		if !bytes.HasPrefix(out, []byte("keep")) {
			t.Fatalf("dst prefix overwritten: %q", out)
		}
		out = out[4:]
		if s := rstrip(line); len(s) > 0 && bytes.Count(out, []byte(" ")) != bytes.Count(s, []byte(" ")) {
			t.Fatalf("column count changed: %q -> %q", line, out)
		}
		if again := def.AppendLine(nil, line); !bytes.Equal(again, out) {
			t.Fatalf("not deterministic: %q vs %q", out, again)
		}
		if bytes.Equal(out, rstrip(line)) {
			if twice := def.AppendLine(nil, out); !bytes.Equal(twice, out) {
				t.Fatalf("unchanged line changes on second pass: %q -> %q", out, twice)
			}
		}
		for _, a := range others {
			a.AppendLine(nil, line)
		}
	})
}

// FuzzScanLines checks both split functions: tokens are in order, cover the
// input exactly (plus the terminators) and contain no terminator.
func FuzzScanLines(f *testing.F) {
	for _, s := range []string{"", "a", "a\n", "a\r\nb", "\r", "\r\r\n\n", "x\ry\n\rz"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, split := range []bufio.SplitFunc{ScanLines, ScanLinesUniversal} {
			sc := bufio.NewScanner(bytes.NewReader(in))
			sc.Buffer(make([]byte, 16), len(in)+16)
			sc.Split(split)
			total, lines := 0, 0
			for sc.Scan() {
				tok := sc.Bytes()
				if bytes.IndexByte(tok, '\n') >= 0 {
					t.Fatalf("token contains newline: %q", tok)
				}
				total += len(tok)
				lines++
			}
			if sc.Err() != nil {
				t.Fatal(sc.Err())
			}
			if total > len(in) || (len(in) > 0 && lines == 0) {
				t.Fatalf("bad framing of %q: %d bytes in %d lines", in, total, lines)
			}
			if nl := bytes.Count(in, []byte("\n")); lines < nl {
				t.Fatalf("%d lines for %d newlines", lines, nl)
			}
		}
	})
}

// FuzzCompileRegex checks that translating arbitrary patterns never panics
// and that every accepted pattern compiles and runs.
func FuzzCompileRegex(f *testing.F) {
	for _, s := range []string{`^(\S+)`, `[\w-]`, `(?i)a{,3}`, `\x41[]a]`, `(?#x)(?P<n>\d)`, `\`, `[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		a, err := New(Options{IPv4Mask: 12, IPv6Mask: 84, Regex: []string{p}})
		if err != nil {
			return
		}
		a.AppendLine(nil, []byte("1.2.3.4 x [::1]:80 é"))
	})
}
