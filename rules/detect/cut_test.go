package detect

import (
	"strings"
	"testing"
)

func TestCutEnd(t *testing.T) {
	cases := []struct {
		name, kept string
		next       byte
		want       string // what is kept
	}{
		{"word dropped", "mail max.mustermann@gmail.c", 'o', "mail "},
		{"hard separator next", `"to":"max@gmail.com`, '"', `"to":"max@gmail.com`},
		{"word ends before a space", "from 203.0.113.7", ' ', "from 203.0.113.7"},
		{"number before a space may go on", "card 4111 1111", ' ', ""},
		{"after a hard separator", `{"ip":"2001:db8:1234:`, '5', `{"ip":"`},
		{"spaced iban", "pay iban DE89 3704 0044 05", '3', "pay "},
		{"spaced iban at a space", "pay iban DE89 3704 ", '0', "pay "},
		{"lower-case iban group", "pay to gb29 nwbk 60", '1', "pay to "},
		{"phone", "ring me at +49 30 1234", '5', "ring me at "},
		{"phone with parens", "call (415) 971-82", '2', ""},
		{"bearer", "Authorization: Bearer mF_9.B5f", '-', "Authorization: Bearer "},
		{"url token", "GET /cb?token=9f86d0", '8', "GET "},
		{"prose", "the quick brown fo", 'x', "the quick brown "},
		{"empty", "", 'x', ""},
		{"one word", "abcdef", 'g', ""},
	}
	for _, c := range cases {
		if got := c.kept[:CutEnd([]byte(c.kept), c.next)]; got != c.want {
			t.Errorf("%s: CutEnd(%q, %q) keeps %q, want %q", c.name, c.kept, c.next, got, c.want)
		}
	}
}

// TestCutEndBounded checks that a line without separators loses only
// MaxCutWalk bytes, and that the walk stops there also inside spaced
// numbers.
func TestCutEndBounded(t *testing.T) {
	for _, kept := range []string{strings.Repeat("a", 3*MaxCutWalk), strings.Repeat("12 ", MaxCutWalk)} {
		if got := CutEnd([]byte(kept), 'a'); got != len(kept)-MaxCutWalk {
			t.Errorf("%.8q…: kept %d of %d bytes, want %d", kept, got, len(kept), len(kept)-MaxCutWalk)
		}
	}
}

func TestCutEndAllocates(t *testing.T) {
	b := []byte(strings.Repeat("DE89 3704 ", 100))
	if n := testing.AllocsPerRun(100, func() { CutEnd(b, '0') }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// TestCutStart checks the mirror image of CutEnd.
func TestCutStart(t *testing.T) {
	var scratch []byte
	for _, c := range []struct{ in, want string }{
		{"warz@example.org sent", " sent"},
		{" sent now", " now"}, // "sent" may be a group of an IBAN that ended in "0"
		{"3.77 port", " port"},
		{"44 0532 0130 00 paid no", " no"},
		{`x","a":1`, `","a":1`},
		{"nospace", ""},
	} {
		if got := c.in[CutStart([]byte(c.in), '0', &scratch):]; got != c.want {
			t.Errorf("CutStart(%q) keeps %q, want %q", c.in, got, c.want)
		}
	}
}
