package leakcorpus

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
)

var day = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// TestEveryPlantedValueIsInTheInput guards the corpus and the checker:
// run over the raw input, the checker finds every planted value whole
// and every spelling of every category is planted in n records per kind.
func TestEveryPlantedValueIsInTheInput(t *testing.T) {
	c := Generate(1, 24, day)
	leaks, altered := Check(c.Text(), c.Records)
	found := map[Value]bool{}
	for _, l := range leaks {
		found[l.Value] = true
	}
	n := 0
	for _, r := range c.Records {
		for _, v := range r.Planted {
			n++
			if !found[v] {
				t.Errorf("%s: planted %s/%s %q not found in the input", r.Kind, v.Category, v.Spelling, v.Text)
			}
		}
		for _, l := range r.LookAlikes {
			if !strings.Contains(strings.Join(r.Lines, "\n"), l.Text) {
				t.Errorf("%s: look-alike %q not in its record", r.Kind, l.Text)
			}
		}
		if len(r.Planted) == 0 || (len(r.LookAlikes) == 0 && r.Kind != "auth-syslog") {
			t.Errorf("%s record without planted values or look-alikes: %q", r.Kind, r.Lines)
		}
	}
	if len(altered) > 0 {
		t.Errorf("look-alikes altered in the input itself: %v", altered)
	}
	spellings := map[string]bool{}
	for _, r := range c.Records {
		for _, v := range r.Planted {
			spellings[v.Category+"/"+v.Spelling] = true
		}
	}
	for _, want := range append(append(append(append(append(
		prefixed(Phone, phoneSpellings), prefixed(IBAN, ibanSpellings)...), prefixed(Card, cardSpellings)...),
		prefixed(Secret, allSecretSpellings)...), prefixed(Email, emailSpellings)...), prefixed(IP, rdnsSpellings)...) {
		if !spellings[want] {
			t.Errorf("spelling %s never planted", want)
		}
	}
	t.Logf("%d records, %d planted values, %d spellings", len(c.Records), n, len(spellings))
}

func prefixed(cat string, l []string) []string {
	var out []string
	for _, s := range l {
		out = append(out, cat+"/"+s)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, b := Generate(3, 5, day).Text(), Generate(3, 5, day).Text()
	if a != b {
		t.Fatal("same seed, different corpus")
	}
	if a == Generate(4, 5, day).Text() {
		t.Fatal("different seeds, same corpus")
	}
}

// TestNoFalsePositivesOnPseudonyms replaces every planted value (in each
// encoding the generator uses) by a hex pseudonym, as a perfect
// anonymizer would, and requires the checker to find nothing: the
// normalized-form checks (digits, last seven digits, local parts, hex
// address labels) must not fire on pseudonyms, ids or look-alikes.
func TestNoFalsePositivesOnPseudonyms(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		c := Generate(seed, 24, day)
		out := perfect(c)
		leaks, altered := Check(out, c.Records)
		for _, l := range leaks {
			t.Errorf("seed %d: false positive %s", seed, l)
		}
		for _, a := range altered {
			t.Errorf("seed %d: %s", seed, a)
		}
	}
}

func perfect(c *Corpus) string {
	var vals []string
	for _, r := range c.Records {
		for _, v := range r.Planted {
			vals = append(vals, v.Text)
			if v.Category == Email {
				lp := v.Text[:strings.LastIndexByte(v.Text, '@')]
				vals = append(vals, lp[:min(len(lp), 15)]) // PHP's cut arguments
			}
		}
	}
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	var pairs []string
	for _, v := range vals {
		h := fnv.New64a()
		h.Write([]byte(v))
		p := fmt.Sprintf("%016x", h.Sum64())
		for _, f := range []string{v, url.QueryEscape(v), url.PathEscape(v), jsInner(v), jsInner(jsInner(v))} {
			pairs = append(pairs, f, p)
		}
	}
	return strings.NewReplacer(pairs...).Replace(JoinCRI(c.Text()))
}

func TestJoinCRI(t *testing.T) {
	in := "t1 stdout P ab\nt2 stderr F x\nt3 stdout P cd\nt4 stdout F ef\nplain\n"
	want := "t2 stderr F x\nt1 stdout F abcdef\nplain\n"
	if got := JoinCRI(in); got != want {
		t.Fatalf("JoinCRI = %q, want %q", got, want)
	}
}

func TestDecoders(t *testing.T) {
	if got := jsonUnescape(`a\"b\u00dfc\ud83d\ude00\\n`); got != `a"bßc😀 ` && got != "a\"bßc😀\\n" {
		t.Errorf("jsonUnescape = %q", got)
	}
	if got := urlUnescape("%2B49+30%201234567%zz", true); got != "+49 30 1234567%zz" {
		t.Errorf("urlUnescape = %q", got)
	}
}

// TestPhonesAreValid guards the corpus: every planted phone number is a
// valid number for libphonenumber (the metadata tarn's detector uses),
// so a phone that survives is the anonymizer's miss, not bad test data.
func TestPhonesAreValid(t *testing.T) {
	c := Generate(1, 48, day)
	for _, r := range c.Records {
		for _, v := range r.Planted {
			if v.Category != Phone {
				continue
			}
			region := map[byte]string{'f': "FR", 'd': "DE", 'u': "US"}[v.Spelling[0]]
			if region == "" {
				region = "US"
			}
			// "(0)" is the trunk prefix written for national callers: not dialled.
			num, err := phonenumbers.Parse(strings.ReplaceAll(strings.TrimPrefix(v.Text, "tel:"), "(0)", ""), region)
			if err != nil || !phonenumbers.IsValidNumber(num) {
				t.Errorf("%s: phone %s %q is not a valid number (%v)", r.Kind, v.Spelling, v.Text, err)
			}
		}
	}
}

// TestCheckFindsEveryForm feeds the checker outputs that keep a planted
// value only in one recoverable form each.
func TestCheckFindsEveryForm(t *testing.T) {
	for _, c := range []struct {
		v          Value
		out, form  string
		view       string
		caseFolded bool
	}{
		{Value{Email, "plain", "h.schwarz12@example.de"}, `to=<h.schwarz12@example.de>`, "whole", "raw", false},
		{Value{Email, "plain", "h.schwarz12@example.de"}, `to=<H.Schwarz12@EXAMPLE.de>`, "whole", "raw", true},
		{Value{Email, "plain", "h.schwarz12@example.de"}, `?email=h.schwarz12%40example.de&x=1`, "whole", "url-decoded", false},
		{Value{Email, "plain", "h.schwarz12@example.de"}, `{"e":"h.schwarz12\u0040example.de"}`, "whole", "json-decoded", false},
		{Value{Email, "plus-tag", "h.schwarz12+shop@example.de"}, `user h.schwarz12@[redacted]`, "local-part", "raw", false},
		{Value{Email, "quoted", `"h..schwarz12"@example.de`}, `{"e":"\"h..schwarz12\"@x"}`, "local-part", "raw", false},
		{Value{Phone, "us-paren", "(415) 971-8223"}, `tel 4159718223`, "digits", "raw", false},
		{Value{Phone, "us-paren", "(415) 971-8223"}, `tel (xxx) 971-8223.`, "last7", "raw", false},
		{Value{Phone, "de-intl", "+49 30 1234567"}, `phone=%2B49+30+1234567`, "whole", "url-decoded+", false},
		{Value{Phone, "fr-national", "07 73 90 97 19"}, `n=0773909719`, "digits", "raw", false},
		{Value{Card, "visa-spaced", "4111 1111 1111 1111"}, `card=4111-1111-1111-1111`, "digits", "raw", false},
		{Value{IBAN, "de-spaced", "DE89 3704 0044 0532 0130 00"}, `iban=de89370400440532013000`, "alnum", "raw", false},
		{Value{IBAN, "de-compact", "DE89370400440532013000"}, `konto 0532013000 blz [redacted]`, "account-number", "raw", false},
		{Value{IP, "v4", "91.12.29.46"}, `client: 91.12.29.46:443`, "whole", "raw", false},
		{Value{IP, "rdns-hex-addr", "91.12.29.46"}, `host p5B0C1D2E.dip0.t-ipconnect.de`, "hex", "raw", true},
		{Value{IP, "rdns-dashed-addr", "1.2.3.4"}, `1-2-3-4.dyn.example.net`, "dashed", "raw", false},
		{Value{IP, "rdns-reversed-addr", "1.2.3.4"}, `static.4.3.2.1.clients.your-server.de`, "reversed", "raw", false},
		{Value{IP, "v4-mapped", "::ffff:1.2.3.4"}, `from 1.2.3.4 port 22`, "embedded-v4", "raw", false},
		{Value{IP, "v6-full", "2a01:04f8:0c17:0b8f:0000:0000:0000:0002"}, `[2a01:4f8:c17:b8f::2]:443`, "canonical", "raw", false},
		{Value{Address, "freetext", "Lindenstraße 69, 24103 Kiel"}, `{"a":"Lindenstra\u00dfe 69, [redacted]"}`, "street", "json-decoded", false},
		{Value{Address, "freetext", "Lindenstraße 69, 24103 Kiel"}, `ship to [redacted], 24103 Kiel.`, "postcode-city", "raw", false},
		{Value{Name, "full_name", "Zoé Krüger"}, `full_name=zoé+krüger`, "whole", "url-decoded+", true},
		{Value{Session, "express", "s%3AabcDEF1234567890abcDEF1234567890.sig"}, `sid=s:abcDEF1234567890abcDEF1234567890.x`, "body", "raw", false},
	} {
		leaks, _ := Check(c.out+"\n", []Record{{Kind: "k", Planted: []Value{c.v}}})
		ok := false
		for _, l := range leaks {
			if l.Form == c.form {
				ok = true
				if l.View != c.view || l.CaseFolded != c.caseFolded {
					t.Errorf("%q in %q: form %s found in view %s (case-folded %v), want %s (%v)", c.v.Text, c.out, c.form, l.View, l.CaseFolded, c.view, c.caseFolded)
				}
			}
		}
		if !ok {
			t.Errorf("%q in %q: form %s not found; found %v", c.v.Text, c.out, c.form, leaks)
		}
	}
	// Bounded forms do not fire inside longer numbers or hex pseudonyms.
	for _, c := range []struct {
		v   Value
		out string
	}{
		{Value{IP, "v4", "1.2.3.4"}, "11.2.3.45 and 1.2.3.40"},
		{Value{Phone, "us-paren", "(415) 971-8223"}, "id 97182231 and 3f9718223a"},
		{Value{Email, "plain", "jonas12@example.de"}, "user xjonas12 and jonas123"},
		{Value{IP, "rdns-hex-addr", "91.12.29.46"}, "pseudonym a5b0c1d2e7"},
	} {
		for _, l := range mustCheck(c.out, c.v) {
			if l.Form != "whole" {
				t.Errorf("%q: false positive %s in %q", c.v.Text, l.Form, c.out)
			}
		}
	}
}

func mustCheck(out string, v Value) []Leak {
	leaks, _ := Check(out+"\n", []Record{{Kind: "k", Planted: []Value{v}}})
	return leaks
}
