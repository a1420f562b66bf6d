package detect

import (
	"regexp"
	"slices"
	"testing"
)

func TestNeededLiterals(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []literalSet
	}{
		{`(?i)[\w.-]{0,50}?(?:gocardless)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|:)(live_(?i)[a-z0-9\-_=]{40})`,
			[]literalSet{{{"gocardless", true}}, {{"live_", true}}}},
		{`(?i)[\w.-]{0,50}?(?:lob)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|:)((live|test)_[a-f0-9]{35})`,
			[]literalSet{{{"lob", true}}, {{"live", true}, {"test", true}}}}, // "_" is too short
		{`\b(sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})`, []literalSet{{{"sk-", false}}, {{"T3BlbkFJ", false}}}},
		{`(?:abc)?xyz|q`, nil},                         // optional part, and a one-byte alternative
		{`(?:ab|c+)de`, []literalSet{{{"de", false}}}}, // an alternative that is no literal
		{`[`, nil},
	} {
		got := neededLiterals(tc.expr)
		if !slices.EqualFunc(got, tc.want, func(a, b literalSet) bool { return slices.Equal(a, b) }) {
			t.Errorf("neededLiterals(%q) = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

// TestLiteralsInNeverSkipsAMatch checks the filter against the regexes
// themselves: wherever one matches, its literals are found.
func TestLiteralsInNeverSkipsAMatch(t *testing.T) {
	for _, tc := range []struct{ expr, text string }{
		{`(?i)(?:lob)[\s=:]{1,3}((live|test)_[a-f0-9]{8})`, "LOB = Test_0123abcd"},
		{`(?i)key=([a-z]{4})`, "KEY=abcd"},
		{`(?i)key=([a-z]{4})`, "\u212aey=abcd"}, // KELVIN SIGN folds to k
		{`sk_(?:test|live)_[a-z]{4}`, "x sk_live_abcd"},
	} {
		re := regexp.MustCompile(tc.expr)
		text := []byte(tc.text)
		if !re.Match(text) {
			t.Fatalf("%q does not match %q", tc.expr, tc.text)
		}
		if !literalsIn(neededLiterals(tc.expr), text, isASCII(text)) {
			t.Errorf("literals of %q not found in %q, which it matches", tc.expr, tc.text)
		}
	}
	if literalsIn(neededLiterals(`(?i)lob=(live|test)_x`), []byte("sk_live_x blob"), true) {
		t.Error("lob's literals found in a Stripe key without '='-context")
	}
}
