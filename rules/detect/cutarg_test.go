package detect

import (
	"bytes"
	"slices"
	"testing"
)

func TestNextCutArg(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{`#0 /var/www/mail.php(12): send('first.last+sh...', 42)`, []string{"first.last+sh"}},
		{`#1 x.php(3): f('a...', 'bcdefghijklmnop...')`, []string{"a", "bcdefghijklmnop"}},
		{`#2 x.php(3): f(1, 'it's cut here...')`, []string{"it's cut here"}}, // an unescaped quote inside
		{`"message":"#0 /srv/a.php(9): login('hannah.schwarz1...')"`, []string{"hannah.schwarz1"}},
		{`PHP message: #0 a.php(1): f(Object(X), 'lukas.okonkwo12...')`, []string{"lukas.okonkwo12"}},
		{`f('abc')`, nil},           // not cut
		{`f('abc...'x)`, nil},       // no argument end after the cut
		{`see 'abc...' later`, nil}, // no '(' or ", " before the quote
		{`f('...')`, nil},           // nothing before the cut
		{`Loading...' (f('x...')`, []string{"x"}},
	} {
		var got []string
		text := []byte(c.text)
		for from := 0; ; {
			s, e, ok := NextCutArg(text, from)
			if !ok {
				break
			}
			got = append(got, string(text[s:e]))
			from = e
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("NextCutArg(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestCutArgScan: the detector set finds a cut argument as a token, and
// leaves one with '@' to the e-mail detector.
func TestCutArgScan(t *testing.T) {
	s, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	text := []byte(`#0 /var/www/html/index.php(12): Account->find('lukas.okonkwo12...', 'anna@exampl...')`)
	var kinds []Kind
	for _, m := range s.Scan(text, nil) {
		switch string(text[m.Start:m.End]) {
		case "lukas.okonkwo12", "anna@exampl":
			kinds = append(kinds, m.Kind)
		}
	}
	if len(kinds) != 2 || kinds[0] != Token || kinds[1] != Email {
		t.Errorf("Scan(%q) kinds %v, want [token email]", text, kinds)
	}
}

// FuzzCutArg checks NextCutArg on any text: spans in bounds and in order,
// each a value between an opening quote and "...'".
func FuzzCutArg(f *testing.F) {
	for _, s := range []string{
		`#0 a.php(1): f('abc...', 'd...')`, `f(', '...')`, `((''...'...'`, `f(1, 'x...`, `'...'...'`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		prev := 0
		for from := 0; ; {
			s, e, ok := NextCutArg(text, from)
			if !ok {
				return
			}
			if s < prev || s < from || e <= s || e+4 > len(text) || text[s-1] != '\'' || !bytes.HasPrefix(text[e:], cutMark) {
				t.Fatalf("NextCutArg(%q, %d) = [%d,%d)", text, from, s, e)
			}
			prev, from = e, e
		}
	})
}
