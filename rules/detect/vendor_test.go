package detect

import (
	"math/rand/v2"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// vendorSpans returns every span nextVendor finds in text, in order.
func vendorSpans(s *Set, text []byte) [][2]int {
	var out [][2]int
	for from := 0; ; {
		st, e, ok := s.nextVendor(text, from)
		if !ok {
			return out
		}
		out = append(out, [2]int{st, e})
		from = e
	}
}

func TestVendorCatalogueLoads(t *testing.T) {
	if err := vendorLoad(); err != nil {
		t.Fatal(err)
	}
	c := vendorCatalogue()
	var ids []string
	for id, why := range c.skipped {
		ids = append(ids, id+": "+why)
	}
	sort.Strings(ids)
	t.Logf("%d rules compiled, %d skipped:\n%s", len(c.rules), len(c.skipped), strings.Join(ids, "\n"))
	if len(c.rules) < 200 {
		t.Errorf("only %d rules compiled", len(c.rules))
	}
	for _, id := range []string{"generic-api-key", "jwt", "pkcs12-file"} {
		if _, ok := c.skipped[id]; !ok {
			t.Errorf("rule %s not skipped", id)
		}
	}
	for id, why := range c.skipped {
		if strings.Contains(why, "compile") {
			t.Errorf("rule %s: %s", id, why)
		}
	}
}

// secretCase is a text and the secrets it holds.
type secretCase struct {
	name string
	text string
	want []string
}

// Fake keys for the tests; built here so that no secret scanner mistakes
// this file for a leak.
var (
	fakeStripe    = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
	fakeGHP       = "ghp_" + "R7xKq2mZ9vB4nT1wY6pL3sD8fH0jC5gA2eUi"
	fakeGHPat     = "github_pat_" + fakeChars(82, 1)
	fakeXoxb      = "xoxb-" + "2648975308-4861354672395-AbCdEfGhIjKlMnOpQrStUvWx"
	fakeHook      = "hooks.slack.com/services/" + "T0ABCDEFG/B0HIJKLMN/" + "q8W3eR5tY7uI9oP1aS3dF5gH"
	fakeAKIA      = "AKIA" + "QW3ERT7YUI2OPAS4"
	fakeGlpat     = "glpat-" + "xR4tY8uI2oP6aS0dF3gH"
	fakeOpenAI    = "sk-proj-" + fakeChars(58, 2) + "T3Blbk" + "FJ" + fakeChars(58, 3)
	fakeAWSSecret = "wJalrXUtnFEMI" + "/K7MDENG/bPxRfiCYzEXAMPLEKEY"
	fakeRkLive    = "rk_" + "live_" + "51HqLyjWDarjtT1zdp7dcQw3Er"
)

// fakeChars returns n letters and digits, the same for the same seed.
func fakeChars(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = sampleAlphabet[r.IntN(len(sampleAlphabet))]
	}
	return string(b)
}

func TestVendorKeys(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	cases := []secretCase{
		{"stripe logfmt", `time=2026-11-20T13:55:36Z level=info msg="charge" key=` + fakeStripe + ` status=ok`, []string{fakeStripe}},
		{"stripe restricted free text", `using restricted key ` + fakeRkLive + ` for refunds`, []string{fakeRkLive}},
		{"github classic", `cloning with token ` + fakeGHP + ` done`, []string{fakeGHP}},
		{"github fine-grained", `GITHUB_TOKEN=` + fakeGHPat, []string{fakeGHPat}},
		{"slack bot", `{"level":"warn","msg":"posting","token":"` + fakeXoxb + `"}`, []string{fakeXoxb}},
		{"slack webhook", `POST https://` + fakeHook + ` 200`, []string{"https://" + fakeHook}},
		{"aws key id", `aws_access_key_id=` + fakeAKIA + ` region=eu-west-1`, []string{fakeAKIA}},
		{"gitlab pat", `token glpat: ` + fakeGlpat + ` rejected`, []string{fakeGlpat}},
		{"github key in git URL", `git fetch https://user:` + fakeGHP + `@github.com/acme/app.git`, []string{fakeGHP}},
		{"gitlab key in git URL", `remote: https://oauth2:` + fakeGlpat + `@gitlab.com/acme/app.git`, []string{fakeGlpat}},
		{"openai project key", `OPENAI_API_KEY=` + fakeOpenAI + ` model=gpt`, []string{fakeOpenAI}},
		{"keyword in upper case, regex case-sensitive", `Authorization: token ` + strings.ToUpper("ghp_") + "R7xKq2mZ9vB4nT1wY6pL3sD8fH0jC5gA2eUi", nil},
		// Look-alikes.
		{"uuid", `request_id=3f2b8c1e-9d4a-4e7b-8a6c-1b2d3e4f5a6b user=42 token processed`, nil},
		{"git commit hash", `deployed commit 9fceb02d0ae598e95dc970b74767f19372d61af8 to prod`, nil},
		{"stripe test key in docs", `use sk_test_... in the examples; see docs`, nil},
		{"version strings", `nginx/1.25.3 openssl/3.0.2 go1.26.8 v8.30.1-rc.2 build 20261120`, nil},
		{"prose with token", `the token was refreshed and the access key rotated; no secret was logged`, nil},
		{"AKIA example key", `aws_access_key_id=AKIAIOSFODNN7EXAMPLE`, nil},
		{"ghp placeholder", `set GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx first`, nil},
		{"access log", `203.0.113.7 - - [20/Nov/2026:13:55:36 +0100] "GET /api/v1/orders?page=2 HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64)"`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, sp := range vendorSpans(s, []byte(tc.text)) {
				got = append(got, tc.text[sp[0]:sp[1]])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("nextVendor(%q)\n got %q\nwant %q", tc.text, got, tc.want)
			}
		})
	}
}

// In a whole scan the catalogue's spans meet the other detectors': the
// user information of a git URL is a Secret already, a key after a secret
// parameter name too.
func TestVendorInScan(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	runCases(t, s, []scanCase{
		{"stripe in prose", "charging with " + fakeStripe + " now", []string{"secret:" + fakeStripe}},
		{"slack webhook", "notify https://" + fakeHook, []string{"secret:https://" + fakeHook}},
		{"git URL", "https://user:" + fakeGHP + "@github.com/x", []string{"secret:user:" + fakeGHP}},
		{"aws pair", "aws_access_key_id=" + fakeAKIA + " aws_secret_access_key=" + fakeAWSSecret,
			[]string{"secret:" + fakeAKIA, "secret:" + fakeAWSSecret}},
		{"logfmt github", `level=info msg="push" token_hint=` + fakeGHP + ` ok=1`, []string{"secret:" + fakeGHP}},
	})
	off := DefaultConfig()
	off.Kinds[Secret] = false
	runCases(t, mustSet(t, off), []scanCase{{"secret kind off", "charging with " + fakeStripe + " now", nil}})
}

// TestVendorEveryRule exercises every compiled rule of the catalogue with
// a sample generated from its regular expression, in a logfmt line and in
// free text.
func TestVendorEveryRule(t *testing.T) {
	c := vendorCatalogue()
	if c.err != nil {
		t.Fatal(c.err)
	}
	s := mustSet(t, DefaultConfig())
	passed := 0
	for i := range c.rules {
		r := &c.rules[i]
		t.Run(r.id, func(t *testing.T) {
			if why, ok := vendorUnexercised[r.id]; ok {
				t.Skip(why)
			}
			var failure string
			for seed := range uint64(20) {
				sample, ok := vendorSample(r, seed)
				if !ok {
					failure = "no sample generated that the rule itself accepts"
					continue
				}
				failure = ""
				for _, tmpl := range []string{
					`time=2026-11-20T13:55:36Z level=info msg="deploy %K" key=%S status=ok`,
					`deploy %K failed: credential %S was rejected`,
				} {
					line := strings.Replace(tmpl, "%K", r.keywords[0], 1)
					at := strings.Index(line, "%S")
					line = strings.Replace(line, "%S", sample.text, 1)
					gs, ge := at+sample.start, at+sample.end
					covered := false
					for _, sp := range vendorSpans(s, []byte(line)) {
						if sp[0] <= gs && sp[1] >= ge {
							covered = true
						}
					}
					if !covered {
						failure = "secret not found in " + line
					}
					// The rule itself finds it, behind the filter.
					var cand, only ruleMask
					c.filter.match([]byte(line), &cand)
					only.set(i)
					mine := false
					for _, sp := range c.find([]byte(line), &only, nil) {
						mine = mine || sp.start <= gs && sp.end >= ge
					}
					if !cand.has(i) || !mine {
						failure = "rule does not find the secret by itself in " + line
					}
				}
				if failure == "" {
					break
				}
			}
			if failure != "" {
				t.Error(failure)
				return
			}
			passed++
		})
	}
	t.Logf("%d of %d compiled rules exercised and found (%d listed as not exercisable)", passed, len(c.rules), len(vendorUnexercised))
}

// vendorUnexercised lists the rules TestVendorEveryRule cannot exercise,
// with the reason.
var vendorUnexercised = map[string]string{}

// sampleText is a generated sample and the span of its secret.
type sampleText struct {
	text       string
	start, end int
}

// vendorSample generates a text that r accepts, from r's regular
// expression, and the span of the secret r reports in it.
func vendorSample(r *vendorRule, seed uint64) (sampleText, bool) {
	re, err := syntax.Parse(r.re.String(), syntax.Perl)
	if err != nil {
		return sampleText{}, false
	}
	g := &sampleGen{rnd: rand.New(rand.NewPCG(seed, 0x5eed))}
	g.gen(re.Simplify())
	text := g.b.String()
	// Embedded in a line, the sample is preceded by '=' or ' ' and
	// followed by ' '.
	line := "=" + text + " "
	loc := r.re.FindStringSubmatchIndex(line)
	if loc == nil {
		return sampleText{}, false
	}
	c := vendorCatalogue()
	st, e, ok := c.accept(r, []byte(line), loc)
	if !ok || st < 1 || e > len(text)+1 {
		return sampleText{}, false
	}
	return sampleText{text: text, start: st - 1, end: e - 1}, true
}

// sampleGen writes a string matching a regular expression.
type sampleGen struct {
	b   strings.Builder
	rnd *rand.Rand
}

// sampleAlphabet are the bytes a character class prefers, for entropy.
const sampleAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (g *sampleGen) gen(re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && g.rnd.IntN(2) == 0 {
				r = unicode.SimpleFold(r)
			}
			g.b.WriteRune(r)
		}
	case syntax.OpCharClass:
		g.b.WriteRune(g.classRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		g.b.WriteByte(sampleAlphabet[g.rnd.IntN(len(sampleAlphabet))])
	case syntax.OpCapture:
		g.gen(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			g.gen(s)
		}
	case syntax.OpAlternate:
		// Prefer an alternative that writes something: "$" and "\b" as
		// alternatives depend on the surroundings.
		var subs []*syntax.Regexp
		for _, s := range re.Sub {
			if s.Op != syntax.OpEndText && s.Op != syntax.OpEndLine && s.Op != syntax.OpEmptyMatch {
				subs = append(subs, s)
			}
		}
		if len(subs) == 0 {
			subs = re.Sub
		}
		g.gen(subs[g.rnd.IntN(len(subs))])
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := re.Min, re.Max
		switch re.Op {
		case syntax.OpStar:
			lo, hi = 0, 0
		case syntax.OpPlus:
			lo, hi = 1, 1
		case syntax.OpQuest:
			lo, hi = 0, 0
		}
		n := lo
		if re.Op == syntax.OpRepeat && re.Flags&syntax.NonGreedy == 0 {
			// Long enough for the entropy thresholds, not absurdly long.
			if hi < 0 {
				hi = lo + 16
			}
			n = min(hi, max(lo, 64))
		}
		for range n {
			g.gen(re.Sub[0])
		}
	}
	// Empty-width assertions write nothing.
}

// classRune picks a rune of the class ranges, a letter or digit when the
// class has one.
func (g *sampleGen) classRune(ranges []rune) rune {
	var pick []rune
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < 0x80; r++ {
			if strings.ContainsRune(sampleAlphabet, r) {
				pick = append(pick, r)
			}
		}
	}
	if len(pick) == 0 {
		for i := 0; i+1 < len(ranges); i += 2 {
			for r := ranges[i]; r <= ranges[i+1] && r < 0x7f; r++ {
				if r > ' ' {
					pick = append(pick, r)
				}
			}
		}
	}
	if len(pick) == 0 {
		return ranges[0]
	}
	return pick[g.rnd.IntN(len(pick))]
}

// naiveKeywords is what vendorFilter.match computes, the slow way.
func naiveKeywords(c *vendorCat, text []byte) (m ruleMask, any bool) {
	low := make([]byte, len(text))
	for i, b := range text {
		low[i] = lower(b)
	}
	for i, r := range c.rules {
		for _, k := range r.keywords {
			if len(k) >= 2 && strings.Contains(string(low), k) {
				m.set(i)
				any = true
			}
		}
	}
	return m, any
}

// Every keyword is found at every offset (even and odd, at the end of the
// text), in any case, whatever follows it.
func TestVendorFilter(t *testing.T) {
	c := vendorCatalogue()
	rnd := rand.New(rand.NewPCG(1, 2))
	for i, r := range c.rules {
		for _, k := range r.keywords {
			for off := range 4 {
				for _, tail := range []string{"", "x", "~~", "0123456789"} {
					kw := []byte(k)
					for j := range kw {
						if rnd.IntN(2) == 0 && kw[j] >= 'a' && kw[j] <= 'z' {
							kw[j] -= 'a' - 'A'
						}
					}
					text := strings.Repeat(" ", off) + string(kw) + tail
					var m ruleMask
					if !c.filter.match([]byte(text), &m) || !m.has(i) {
						t.Errorf("%s: keyword %q not found in %q", r.id, k, text)
					}
					want, _ := naiveKeywords(c, []byte(text))
					if m != want {
						t.Errorf("%q: filter and naive search differ", text)
					}
				}
			}
		}
	}
}

func FuzzVendor(f *testing.F) {
	for _, s := range []string{
		`key=` + fakeStripe, fakeXoxb, "https://" + fakeHook, fakeAKIA + "\n", "ghp_", "GLPAT-", "xoxb",
		"sk_live_sk_live_sk_live_", "\xffakia\x00AKIAAAAAAAAAAAAAAAAA", "hooks.slack.com/services/",
	} {
		f.Add([]byte(s))
	}
	s := mustSet(f, DefaultConfig())
	f.Fuzz(func(t *testing.T, text []byte) {
		last := 0
		for _, sp := range vendorSpans(s, text) {
			if sp[0] < last || sp[1] <= sp[0] || sp[1] > len(text) {
				t.Fatalf("bad span %v after %d in %d bytes", sp, last, len(text))
			}
			last = sp[1]
		}
		checkMatches(t, len(text), s.Scan(text, nil))
		c := vendorCatalogue()
		var m ruleMask
		got := c.filter.match(text, &m)
		want, wantAny := naiveKeywords(c, text)
		if got != wantAny || m != want {
			t.Fatalf("filter and naive keyword search differ on %q", text)
		}
	})
}

// Typical lines without any keyword, and one with.
var vendorBenchLines = []struct{ name, text string }{
	{"access", `203.0.113.7 - - [20/Nov/2026:13:55:36 +0100] "GET /shop/checkout.php?item=12345&qty=2&lang=de HTTP/1.1" 200 5120 "https://www.example.com/products/view?id=987" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"`},
	{"json", `{"ts":"2026-11-20T13:55:36.123Z","level":"info","logger":"http","msg":"request served","method":"POST","path":"/v2/orders/1234/items","status":201,"duration_ms":12.5,"bytes":348,"request_id":"3f2b8c1e-9d4a-4e7b-8a6c-1b2d3e4f5a6b"}`},
	{"ua", chromeUA},
	{"keyword", `time=2026-11-20T13:55:36Z level=info msg="charge created" key=` + fakeStripe + ` status=ok`},
}

func BenchmarkVendor(b *testing.B) {
	s := mustSet(b, DefaultConfig())
	for _, l := range vendorBenchLines {
		text := []byte(l.text)
		b.Run(l.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				s.nextVendor(text, 0)
			}
		})
	}
}

func TestVendorNoKeywordAllocs(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	for _, l := range vendorBenchLines[:3] {
		text := []byte(l.text)
		if _, _, ok := s.nextVendor(text, 0); ok {
			t.Errorf("%s: vendor key found", l.name)
		}
		if a := testing.AllocsPerRun(100, func() { s.nextVendor(text, 0) }); a != 0 {
			t.Errorf("%s: nextVendor allocates %v times per run", l.name, a)
		}
	}
}
