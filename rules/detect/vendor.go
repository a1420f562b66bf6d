package detect

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/spf13/viper"
	gitleaks "github.com/zricethezav/gitleaks/v8/config"
)

// vendorMinLen is the length of the shortest text the vendor-key detector
// looks at.
const vendorMinLen = 16

// The vendor-key detector finds API keys and tokens of named vendors (Stripe
// sk_live_…, GitHub ghp_…, Slack xoxb-…, AWS AKIA…, GitLab glpat-…, …)
// with the rules of gitleaks' default configuration: the gitleaks.toml
// embedded in github.com/zricethezav/gitleaks/v8/config (the version is
// pinned in go.mod). It is the most widely used maintained catalogue of
// secret formats, MIT-licensed, and its Go module carries the rules as data,
// so updating the catalogue is a go.mod bump and nothing is copied into
// this repository.
//
// Every rule has keywords. One case-insensitive pass over the text looks
// for all keywords at once (vendorFilter); only the rules whose keyword
// occurs run their regular expression, so a text without any keyword costs
// one pass and allocates nothing. A match counts as gitleaks counts it: the
// span is the rule's secret group (or its first non-empty group), its
// Shannon entropy must exceed the rule's threshold, and neither the global
// nor the rule's allowlists may allow it (allowlists on regexes and stop
// words; those on paths and commits never apply to log text).
//
// Rules not used, and why (see vendorSkip):
//
//   - generic-api-key: a value after any name like "key", "token", "auth",
//     "secret" or "password". Its keywords are on most log lines, and
//     secrets by name are the job of the parameter detector (SecretParams,
//     TokenParams), which the configuration tunes.
//   - jwt: keyword "ey" is on most lines; JWTs are the JWT detector's kind.
//   - twilio-api-key: keyword "sk" is in ordinary words (task, disk, ask);
//     its regex (SK and 32 hex digits) would run on a large share of lines.
//   - octopus-deploy-api-key: keyword "api-" is in host names and headers
//     (api-gateway, x-api-key) on a large share of lines.
//   - pkcs12-file, freemius-secret-key, hashicorp-tf-password,
//     kubernetes-secret-yaml, nuget-config-password: they apply only to
//     files whose path matches the rule's path; a log line has no path.
//
// The keyword "s." of vault-service-token (old Vault tokens "s." and 24
// letters or digits) is dropped, the rule runs on "hvs." alone: "s." ends
// every other word of prose and file name.
var vendorSkip = map[string]string{
	"generic-api-key":        "keywords on most log lines; secrets by name are the parameter detector's job",
	"jwt":                    "keyword \"ey\" on most lines; the JWT detector finds JWTs",
	"twilio-api-key":         "keyword \"sk\" occurs in ordinary words",
	"octopus-deploy-api-key": "keyword \"api-\" occurs in host names and header names",
}

// vendorDropKeywords are keywords removed from a rule that keeps running on
// its other keywords.
var vendorDropKeywords = map[string][]string{
	"vault-service-token": {"s."},
}

// vendorCatalogue is the compiled catalogue, loaded once per process on
// first use. It is immutable afterwards.
var vendorCatalogue = sync.OnceValue(func() *vendorCat {
	c, err := loadVendor(gitleaks.DefaultConfig)
	if err != nil {
		return &vendorCat{err: err}
	}
	return c
})

// vendorLoad loads the catalogue now, if it is not loaded yet, and returns
// the error that made it unusable. Loading takes about 30 ms and 90,000
// allocations once per process; New may call it so that this happens when
// the rules are compiled, not on the first text scanned.
func vendorLoad() error { return vendorCatalogue().err }

// vendorCat is the compiled catalogue.
type vendorCat struct {
	rules  []vendorRule
	global []vendorAllow // allowlists of every rule
	filter *vendorFilter
	// skipped maps the id of every rule not used to the reason.
	skipped map[string]string
	err     error // the catalogue did not load; nothing is detected
}

// vendorRule is one compiled gitleaks rule.
type vendorRule struct {
	id       string
	re       *regexp.Regexp
	group    int     // the secret group; 0: the first non-empty group, or the match
	groups   int     // number of capture groups of re
	entropy  float64 // the secret's entropy must exceed this, when not 0
	keywords []string
	needs    []literalSet // literals every match holds (vendor_literals.go)
	allow    []vendorAllow
}

// Targets of an allowlist's regexes.
const (
	targetSecret = iota
	targetMatch
	targetLine
)

// vendorAllow is a gitleaks allowlist reduced to what applies to text.
type vendorAllow struct {
	and    bool // every present check must hold, not any
	target int
	res    []*regexp.Regexp // any of them allows (compiled one by one: joined, an unanchored alternative makes every anchored one search the whole text)
	stop   []string         // lower-case stop words in the secret
}

// loadVendor compiles the gitleaks configuration toml.
func loadVendor(toml string) (*vendorCat, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(toml)); err != nil {
		return nil, fmt.Errorf("detect: secret catalogue: %w", err)
	}
	var vc gitleaks.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return nil, fmt.Errorf("detect: secret catalogue: %w", err)
	}
	c := &vendorCat{skipped: map[string]string{}}
	var errs []error
	globals := vc.Allowlists
	if vc.AllowList != nil {
		globals = append(globals, vc.AllowList)
	}
	targeted := map[string][]vendorAllow{}
	for _, g := range globals {
		a, ok, err := compileAllow(g.Condition, g.RegexTarget, g.Regexes, g.StopWords, len(g.Paths)+len(g.Commits) > 0)
		if err != nil {
			errs = append(errs, fmt.Errorf("detect: secret catalogue: global allowlist: %w", err))
			continue
		}
		if !ok {
			continue
		}
		if len(g.TargetRules) == 0 {
			c.global = append(c.global, a)
		}
		for _, id := range g.TargetRules {
			targeted[id] = append(targeted[id], a)
		}
	}
	for _, r := range vc.Rules {
		if why, ok := vendorSkip[r.ID]; ok {
			c.skipped[r.ID] = why
			continue
		}
		switch {
		case r.Path != "":
			c.skipped[r.ID] = "applies only to files whose path matches"
			continue
		case r.Regex == "":
			c.skipped[r.ID] = "no regex"
			continue
		case len(r.Keywords) == 0:
			c.skipped[r.ID] = "no keywords: it would run on every text"
			continue
		case r.SkipReport || len(r.Required) > 0:
			c.skipped[r.ID] = "composite rule (required rules)"
			continue
		}
		re, err := regexp.Compile(r.Regex)
		if err != nil {
			var se *syntax.Error
			code := "invalid regex"
			if errors.As(err, &se) {
				code = string(se.Code)
			}
			c.skipped[r.ID] = "regex does not compile with Go's regexp: " + code
			continue
		}
		if r.SecretGroup > re.NumSubexp() {
			c.skipped[r.ID] = "secret group out of range"
			continue
		}
		vr := vendorRule{id: r.ID, re: re, group: r.SecretGroup, groups: re.NumSubexp(), entropy: r.Entropy, needs: neededLiterals(r.Regex)}
		for _, k := range r.Keywords {
			k = strings.ToLower(k)
			if !slices.Contains(vendorDropKeywords[r.ID], k) && !slices.Contains(vr.keywords, k) {
				vr.keywords = append(vr.keywords, k)
			}
		}
		if !slices.ContainsFunc(vr.keywords, func(k string) bool { return len(k) >= 2 }) {
			c.skipped[r.ID] = "no keyword of two or more bytes"
			continue
		}
		als := r.Allowlists
		if r.AllowList != nil {
			als = append(als, r.AllowList)
		}
		bad := false
		for _, l := range als {
			a, ok, err := compileAllow(l.Condition, l.RegexTarget, l.Regexes, l.StopWords, len(l.Paths)+len(l.Commits) > 0)
			if err != nil {
				c.skipped[r.ID] = "allowlist: " + err.Error()
				bad = true
				break
			}
			if ok {
				vr.allow = append(vr.allow, a)
			}
		}
		if bad {
			continue
		}
		vr.allow = append(vr.allow, targeted[r.ID]...)
		c.rules = append(c.rules, vr)
	}
	if len(c.rules) > vendorMaxRules {
		return nil, fmt.Errorf("detect: secret catalogue: %d rules, at most %d supported", len(c.rules), vendorMaxRules)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	kws := make([][]string, len(c.rules))
	for i, r := range c.rules {
		kws[i] = r.keywords
	}
	c.filter = newVendorFilter(kws)
	return c, nil
}

// compileAllow reduces an allowlist to its checks that apply to text. ok is
// false when it can never allow a finding in a log line: it has no regex or
// stop word, or it is an AND of checks including a path or commit.
func compileAllow(cond, target string, regexes, stop []string, pathOrCommit bool) (a vendorAllow, ok bool, err error) {
	switch strings.ToUpper(cond) {
	case "AND", "&&":
		a.and = true
	case "", "OR", "||":
	default:
		return a, false, fmt.Errorf("unknown condition %q", cond)
	}
	switch target {
	case "", "secret":
		a.target = targetSecret
	case "match":
		a.target = targetMatch
	case "line":
		a.target = targetLine
	default:
		return a, false, fmt.Errorf("unknown regex target %q", target)
	}
	if len(regexes) > 0 {
		for _, r := range regexes {
			re, err := regexp.Compile(r)
			if err != nil {
				return a, false, errors.New("allowlist regex does not compile")
			}
			a.res = append(a.res, re)
		}
	}
	for _, w := range stop {
		a.stop = append(a.stop, strings.ToLower(w))
	}
	if a.and && pathOrCommit {
		return a, false, nil
	}
	return a, len(a.res) > 0 || len(a.stop) > 0, nil
}

// allows reports whether a allows the secret text[s:e] of the match
// text[ms:me].
func (a *vendorAllow) allows(text []byte, s, e, ms, me int) bool {
	var re, stop bool
	if len(a.res) > 0 {
		t := text
		switch a.target {
		case targetSecret:
			t = text[s:e]
		case targetMatch:
			t = text[ms:me]
		}
		re = slices.ContainsFunc(a.res, func(r *regexp.Regexp) bool { return r.Match(t) })
	}
	for _, w := range a.stop {
		if containsFold(text[s:e], w) {
			stop = true
			break
		}
	}
	if a.and {
		return (len(a.res) == 0 || re) && (len(a.stop) == 0 || stop)
	}
	return re || stop
}

// shannonEntropy is gitleaks' entropy of a secret: over its runes, divided
// by its length in bytes.
func shannonEntropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]int32
	var other map[rune]int
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			counts[b[i]]++
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if other == nil {
			other = map[rune]int{}
		}
		other[r]++
		i += n
	}
	inv := 1 / float64(len(b))
	var h float64
	for _, n := range counts {
		if n > 0 {
			f := float64(n) * inv
			h -= f * math.Log2(f)
		}
	}
	for _, n := range other {
		f := float64(n) * inv
		h -= f * math.Log2(f)
	}
	return h
}

// vspan is one vendor key found: the secret's span.
type vspan struct{ start, end int }

// vendorMemo holds the spans found in one text, so that the repeated calls
// of the merge loop (with a growing from) do not run the regexes again.
type vendorMemo struct {
	text  []byte
	spans []vspan
}

// vendorMemoMax is the longest text whose spans are remembered.
const vendorMemoMax = 1 << 16

var vendorMemos = sync.Pool{New: func() any { return new(vendorMemo) }}

// nextVendor finds the next vendor API key of the secret catalogue at or
// after from: the first secret span starting at or after from, the longest
// of those starting there.
func (s *Set) nextVendor(text []byte, from int) (start, end int, ok bool) {
	c := vendorCatalogue()
	if c.filter == nil || from >= len(text) {
		return 0, 0, false
	}
	var cand ruleMask
	if !c.filter.match(text, &cand) {
		return 0, 0, false
	}
	m := vendorMemos.Get().(*vendorMemo)
	if !bytes.Equal(m.text, text) {
		m.spans = c.find(text, &cand, m.spans[:0])
		m.text = m.text[:0]
		if len(text) <= vendorMemoMax {
			m.text = append(m.text, text...)
		}
	}
	for _, sp := range m.spans {
		if sp.start >= from {
			start, end, ok = sp.start, sp.end, true
			break
		}
	}
	vendorMemos.Put(m)
	return start, end, ok
}

// find appends the secret spans of the candidate rules in text to dst,
// sorted by start, longest first.
func (c *vendorCat) find(text []byte, cand *ruleMask, dst []vspan) []vspan {
	ascii := isASCII(text)
	for i := range c.rules {
		if !cand.has(i) || !literalsIn(c.rules[i].needs, text, ascii) {
			continue
		}
		r := &c.rules[i]
		for _, loc := range r.re.FindAllSubmatchIndex(text, -1) {
			if s, e, ok := c.accept(r, text, loc); ok {
				dst = append(dst, vspan{s, e})
			}
		}
	}
	slices.SortFunc(dst, func(a, b vspan) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	return slices.Compact(dst)
}

// accept returns the secret of the match loc of r, when gitleaks would
// report it.
func (c *vendorCat) accept(r *vendorRule, text []byte, loc []int) (s, e int, ok bool) {
	ms, me := loc[0], loc[1]
	for me > ms && text[me-1] == '\n' { // gitleaks trims newlines off the match
		me--
	}
	for ms < me && text[ms] == '\n' {
		ms++
	}
	s, e = ms, me
	if r.group > 0 {
		s, e = loc[2*r.group], loc[2*r.group+1]
	} else {
		for g := 1; g <= r.groups; g++ {
			if loc[2*g] >= 0 && loc[2*g+1] > loc[2*g] {
				s, e = loc[2*g], loc[2*g+1]
				break
			}
		}
	}
	if s < 0 || e <= s {
		return 0, 0, false
	}
	if r.entropy != 0 && shannonEntropy(text[s:e]) <= r.entropy {
		return 0, 0, false
	}
	for k := range c.global {
		if c.global[k].allows(text, s, e, ms, me) {
			return 0, 0, false
		}
	}
	for k := range r.allow {
		if r.allow[k].allows(text, s, e, ms, me) {
			return 0, 0, false
		}
	}
	return s, e, true
}
