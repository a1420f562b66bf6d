package detect

import (
	"strings"
	"testing"
)

// TestEmailCut: an address that "..." cuts inside its domain or right
// after its '@' (PHP's stack-trace arguments) is an e-mail match up to the
// cut; dots that are no cut and local parts alone are not.
func TestEmailCut(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`#0 /var/www/mail.php(12): send('anna@exampl...')`, "anna@exampl"},
		{`#0 /var/www/mail.php(12): send('first.last+s@e...')`, "first.last+s@e"},
		{`#0 /var/www/mail.php(12): send('first.last+sh@...')`, "first.last+sh@"},
		{`#0 /var/www/mail.php(12): send('anna.b@example....')`, "anna.b@example"},
		{`send('anna%40examp...', 2)`, "anna%40examp"},
		{`send('anna@example.de', 'x...')`, "anna@example.de"},
		{`mail to anna@example.de...`, "anna@example.de"},
		{`send('@exampl...')`, ""},
		{`send('anna@exampl..')`, ""},
		{`send('anna@exa mpl...')`, ""},
		{`send('first.last+sh...')`, ""},
		{`wait... @home...`, ""},
	} {
		s, e, ok := nextEmail([]byte(c.text), 0)
		got := ""
		if ok {
			got = c.text[s:e]
		}
		if got != c.want {
			t.Errorf("nextEmail(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestEmailCutScan: the whole detector set finds a cut address as an
// e-mail.
func TestEmailCutScan(t *testing.T) {
	s, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	text := []byte(`#0 /var/www/html/index.php(12): Account->find('lukas+gh@posteo...')`)
	for _, m := range s.Scan(text, nil) {
		if m.Kind == Email && string(text[m.Start:m.End]) == "lukas+gh@posteo" {
			return
		}
	}
	t.Errorf("Scan(%q) = %v, want the e-mail lukas+gh@posteo", text, s.Scan(text, nil))
}

// FuzzEmailCut checks nextEmail's matches on any text: in bounds, in
// order, around a separator, and a match whose domain has no dot is cut
// by "...". Texts with '<' are left out: a display name is a match
// without a separator.
func FuzzEmailCut(f *testing.F) {
	for _, s := range []string{`send('anna@exampl...')`, `'first.last+sh@...'`, "a@b...a@b.cc...", "a%40...", "@...", "a@..", "x@y.z...."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "<") {
			return
		}
		text := []byte(s)
		for from := 0; from < len(text); {
			st, e, ok := nextEmail(text, from)
			if !ok {
				return
			}
			if st < from || e <= st || e > len(text) {
				t.Fatalf("%q from %d: match [%d,%d)", s, from, st, e)
			}
			m := s[st:e]
			at := strings.LastIndexByte(m, '@')
			if p := strings.LastIndex(m, "%40"); p > at {
				at = p + 2
			}
			if at < 0 {
				t.Fatalf("%q: match %q has no separator", s, m)
			}
			if at >= 0 && !strings.Contains(m[at:], ".") && !strings.HasPrefix(s[e:], "...") {
				t.Fatalf("%q: match %q has no dot in its domain and is not cut", s, m)
			}
			from = e
		}
	})
}
