package anonip

import (
	"errors"
	"testing"
)

func TestTranslateRegex(t *testing.T) {
	cases := []struct{ py, re2 string }{
		{`^([^,]+) - x`, `^([^,]+) - x`},
		{`\d\D`, `\p{Nd}\P{Nd}`},
		{`\w\W`, `[\p{L}\p{N}_][^\p{L}\p{N}_]`},
		{`[\w.]`, `[\p{L}\p{N}_.]`},
		{`[\d\D]`, `[\p{Nd}\P{Nd}]`},
		{`\s`, `[` + uniSpace + `]`},
		{`(?a)\d\w\s\S[\s]\b`, `\d\w[\t\n\v\f\r ][^\t\n\v\f\r ][\t\n\v\f\r ]\b`},
		{`(?i)(?m)a`, `(?i)(?m)a`},
		{`(?u)a`, `a`},
		{`(?i:a)(?-i:b)(?s-i:c)`, `(?i:a)(?-i:b)(?s-i:c)`},
		{`a\Z\A\b\B`, `a\z\A\b\B`},
		{`\x41\u00e9\U0001F600`, `\x{41}\x{e9}\x{1f600}`},
		{`\0\012\101[\1\18]`, `\x{0}\x{a}\x{41}[\x{1}\x{1}8]`},
		{`[\b]`, `[\x08]`},
		{`a{,3}b{2,}c{4}d{1,2}?`, `a{0,3}b{2,}c{4}d{1,2}?`},
		{`a{}b{x}c{,}`, `a\{}b\{x}c{0,}`},
		{`[[:alpha:]]`, `[\[:alpha:]]`},
		{`[]a]`, `[\]a]`},
		{`[^]a]`, `[^\]a]`},
		{`(?#comment)x`, `x`},
		{`(?P<ip>\S+)`, `(?P<ip>[^` + uniSpace + `]+)`},
		{`\.\-\ \é`, `\.\-\ é`},
		{`\a\f\n\r\t\v`, `\a\f\n\r\t\v`},
		{`a*?b+?c??`, `a*?b+?c??`},
	}
	for _, c := range cases {
		tr := translator{src: c.py, atStart: true}
		if err := tr.run(); err != nil {
			t.Errorf("translate(%q): %v", c.py, err)
			continue
		}
		if got := tr.out.String(); got != c.re2 {
			t.Errorf("translate(%q) = %q, want %q", c.py, got, c.re2)
		}
	}
}

func TestTranslateRegexRejects(t *testing.T) {
	for _, py := range []string{
		`(a)\1`, `(?P<n>a)(?P=n)`, `(?=a)`, `(?!a)`, `(?<=a)b`, `(?<!a)b`, `(?<n>a)`,
		`(?>a)`, `(?(1)a|b)`, `a*+`, `a++`, `a?+`, `a{1,2}+`, `(?x) a`, `(?L)a`,
		`a(?i)b`, `a|(?i)b`, `(?a:\d)`, `(?au)a`, `(?-i)a`, `\N{DIGIT ONE}`, `\z`,
		`\pL`, `\Q.\E`, `\e`, `[\W]`, `[\S]`, `[\A]`, `\x4`, `\u12`, `\ud800`,
		`\U00110000`, `\8`, `\777`, `[a`, `(?#x`, `\`, "\xff", `(?q)`, `(?i-i-m:a)`,
	} {
		_, err := compileRegex([]string{py})
		if !errors.Is(err, errRegex) {
			t.Errorf("compileRegex(%q) = %v, want a regex error", py, err)
		}
	}
}

// TestRegexMatchesPythonAnchoring checks re.match semantics: anchored at the
// start, not at the end; alternatives of several --regex joined with "|".
func TestRegexMatchesPythonAnchoring(t *testing.T) {
	re, err := compileRegex([]string{`a(\d)`, `b(\w)`})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]bool{"a1xyz": true, "bzz": true, "xa1": false, "c": false} {
		if got := re.MatchString(in); got != want {
			t.Errorf("match %q = %v, want %v", in, got, want)
		}
	}
}
