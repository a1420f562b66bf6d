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
			num, err := phonenumbers.Parse(strings.TrimPrefix(v.Text, "tel:"), region)
			if err != nil || !phonenumbers.IsValidNumber(num) {
				t.Errorf("%s: phone %s %q is not a valid number (%v)", r.Kind, v.Spelling, v.Text, err)
			}
		}
	}
}
