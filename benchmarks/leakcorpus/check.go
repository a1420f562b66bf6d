package leakcorpus

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Leak is a planted value found in output.
type Leak struct {
	// Kind is the kind of the record that planted the value.
	Kind  string
	Value Value
	// Form is the form found: whole, local-part, last7, digits, alnum,
	// account-number, dashed, reversed, hex, street, postcode-city, body.
	Form string
	// View is the output as searched: raw, url-decoded, url-decoded+,
	// json-decoded, json+url-decoded.
	View string
	// CaseFolded is set when the form matched only ignoring case.
	CaseFolded bool
	// Line is the output line (as seen in View) holding it.
	Line string
}

// Key is the leak's identity for known-leak lists: kind, category,
// spelling and form, e.g. "llm-gateway phone/us-dashed whole".
func (l Leak) Key() string {
	return fmt.Sprintf("%s %s/%s %s", l.Kind, l.Value.Category, l.Value.Spelling, l.Form)
}

func (l Leak) String() string {
	cf := ""
	if l.CaseFolded {
		cf = ", case-folded"
	}
	return fmt.Sprintf("%s: %q (%s%s) in: %s", l.Key(), l.Value.Text, l.View, cf, l.Line)
}

// Altered is a look-alike that does not survive verbatim: it occurs
// fewer times in the output than in the input.
type Altered struct {
	Kinds     []string
	LookAlike LookAlike
	In, Out   int
}

func (a Altered) String() string {
	return fmt.Sprintf("%s look-alike %s %q: %d in input, %d in output", strings.Join(a.Kinds, ","), a.LookAlike.What, a.LookAlike.Text, a.In, a.Out)
}

// match is how a needle is compared.
type match int

const (
	text   match = iota // substring of the lower-cased view
	ipv4b               // substring with no digit or '.'+digit around it
	hexb                // substring with no hex digit (or ':') around it
	wordb               // substring with no letter/digit around it
	digits              // substring of the digit runs (separators removed)
	last                // suffix of a digit run
	alnum               // substring of the letter/digit runs (separators removed)
)

type needle struct {
	form string
	s    string // as planted (the search ignores case)
	m    match
}

var nonDigit = regexp.MustCompile(`[^0-9]`)
var nonAlnum = regexp.MustCompile(`[^0-9a-z]`)

// needles returns the forms of v to search for.
func needles(v Value) []needle {
	lv := v.Text
	n := []needle{{"whole", lv, text}}
	switch v.Category {
	case IP:
		switch {
		case strings.HasSuffix(v.Spelling, "-addr"):
			n[0].m = ipv4b
			var o [4]int
			for i, s := range strings.Split(v.Text, ".") {
				o[i], _ = strconv.Atoi(s)
			}
			n = append(n,
				needle{"dashed", fmt.Sprintf("%d-%d-%d-%d", o[0], o[1], o[2], o[3]), ipv4b},
				needle{"reversed", fmt.Sprintf("%d.%d.%d.%d", o[3], o[2], o[1], o[0]), ipv4b},
				needle{"hex", fmt.Sprintf("%02x%02x%02x%02x", o[0], o[1], o[2], o[3]), hexb})
		case v.Spelling == "v4" || v.Spelling == "v4-port":
			n[0].m = ipv4b
		case v.Spelling == "v4-mapped":
			n[0].m = hexb
			n = append(n, needle{"embedded-v4", strings.TrimPrefix(lv, "::ffff:"), ipv4b})
		case v.Spelling == "v6":
			n[0].m = hexb
		case v.Spelling == "v6-full" || v.Spelling == "v6-upper":
			n[0].m = hexb
			if a, err := netip.ParseAddr(v.Text); err == nil {
				n = append(n, needle{"canonical", a.String(), hexb})
			}
		}
	case Email:
		at := strings.LastIndexByte(lv, '@')
		lp := strings.Trim(lv[:at], `"`)
		if i := strings.IndexByte(lp, '+'); i > 0 {
			lp = lp[:i]
		}
		n = append(n, needle{"local-part", lp, wordb})
	case Phone:
		d := nonDigit.ReplaceAllString(v.Text, "")
		n = append(n, needle{"digits", d, digits}, needle{"last7", d[len(d)-7:], last})
	case Card:
		n = append(n, needle{"digits", nonDigit.ReplaceAllString(v.Text, ""), digits})
	case IBAN:
		a := nonAlnum.ReplaceAllString(strings.ToLower(lv), "")
		n = append(n, needle{"alnum", a, alnum})
		if strings.HasPrefix(a, "de") {
			n = append(n, needle{"account-number", a[len(a)-10:], digits})
		}
	case Address:
		street, city, _ := strings.Cut(lv, ", ")
		n = append(n, needle{"street", street, wordb}, needle{"postcode-city", city, wordb})
	case Session:
		if b, ok := strings.CutPrefix(lv, "s%3A"); ok { // express-session: s:<id>.<signature>
			id, _, _ := strings.Cut(b, ".")
			n = append(n, needle{"body", id, text})
		}
	case User:
		n[0].m = wordb
	}
	return n
}

// view is the output text as one reader would decode it, lower-cased,
// with its digit and alnum runs.
type view struct {
	name        string
	s           string // lower-cased; exact is the same before folding
	exact       string
	dig, aln    string
	digAt, alAt []int // index in s of each byte of dig / aln
}

func newView(name, exact string) *view {
	v := &view{name: name, exact: exact, s: strings.ToLower(exact)}
	if len(v.s) != len(v.exact) { // folding changed lengths: compare folded only
		v.exact = ""
	}
	v.dig, v.digAt = runs(v.s, func(c byte) bool { return c >= '0' && c <= '9' }, " -./()+")
	v.aln, v.alAt = runs(v.s, func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' }, " -")
	return v
}

// runs keeps the bytes keep accepts, drops the separators and turns
// everything else into '|' (a run boundary), recording for each kept
// byte its index in s.
func runs(s string, keep func(byte) bool, seps string) (string, []int) {
	b := make([]byte, 0, len(s))
	at := make([]int, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case keep(c):
			b = append(b, c)
			at = append(at, i)
		case strings.IndexByte(seps, c) >= 0:
		default:
			if len(b) == 0 || b[len(b)-1] != '|' {
				b = append(b, '|')
				at = append(at, i)
			}
		}
	}
	return string(b), at
}

// lineAt returns the line of s around index i.
func lineAt(s string, i int) string {
	a := strings.LastIndexByte(s[:i], '\n') + 1
	e := strings.IndexByte(s[i:], '\n')
	if e < 0 {
		return s[a:]
	}
	return s[a : i+e]
}

// Views returns the views of out that Check searches: raw, URL-decoded
// (with and without '+' as space), JSON-unescaped and both; CRI partial
// records are joined with the record that follows them first, so that a
// value the runtime cut in two is found whole.
func views(out string) []*view {
	out = JoinCRI(out)
	j := jsonUnescape(out)
	return []*view{
		newView("raw", out),
		newView("url-decoded", urlUnescape(out, false)),
		newView("url-decoded+", urlUnescape(out, true)),
		newView("json-decoded", j),
		newView("json+url-decoded", urlUnescape(j, true)),
	}
}

// find returns the line holding the first occurrence of nd in v, and
// whether it matched only case-folded.
func (v *view) find(nd needle) (line string, folded, ok bool) {
	orig := nd.s
	nd.s = strings.ToLower(nd.s)
	switch nd.m {
	case digits, last, alnum:
		hay, at := v.dig, v.digAt
		if nd.m == alnum {
			hay, at = v.aln, v.alAt
		}
		for off := 0; ; {
			i := strings.Index(hay[off:], nd.s)
			if i < 0 {
				return "", false, false
			}
			i += off
			e := i + len(nd.s)
			off = i + 1
			if nd.m == last && !v.lastOK(i, e) {
				continue
			}
			if v.exact != "" {
				return lineAt(v.exact, at[i]), false, true
			}
			return lineAt(v.s, at[i]), false, true
		}
	}
	for off := 0; ; {
		i := strings.Index(v.s[off:], nd.s)
		if i < 0 {
			return "", false, false
		}
		i += off
		off = i + 1
		if !bounded(v.s, i, i+len(nd.s), nd.m) {
			continue
		}
		if v.exact == "" {
			return lineAt(v.s, i), true, true
		}
		return lineAt(v.exact, i), v.exact[i:i+len(nd.s)] != orig, true
	}
}

// lastOK reports whether dig[i:e] ends its digit run and the run is not
// part of a word (a hex pseudonym such as 3f9718223a).
func (v *view) lastOK(i, e int) bool {
	if e < len(v.dig) && v.dig[e] != '|' {
		return false
	}
	start := strings.LastIndexByte(v.dig[:i], '|') + 1
	if a := v.digAt[start]; a > 0 && isLetter(v.s[a-1]) {
		return false
	}
	if z := v.digAt[e-1] + 1; z < len(v.s) && isLetter(v.s[z]) {
		return false
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || c >= 'a' && c <= 'f' }
func isWord(c byte) bool  { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 0x80 }

func bounded(s string, i, e int, m match) bool {
	var before, after byte = ' ', ' '
	if i > 0 {
		before = s[i-1]
	}
	if e < len(s) {
		after = s[e]
	}
	switch m {
	case ipv4b:
		if isDigit(before) || isDigit(after) {
			return false
		}
		if before == '.' && i > 1 && isDigit(s[i-2]) || after == '.' && e+1 < len(s) && isDigit(s[e+1]) {
			return false
		}
	case hexb:
		return !isHex(before) && !isHex(after) && before != ':' && !(after == ':' && e+1 < len(s) && isHex(s[e+1]))
	case wordb:
		return !isWord(before) && !isWord(after)
	}
	return true
}

// Check searches out, the anonymized output of the records, for every
// planted value in every form and counts the look-alikes. input is the
// text the records were given as (for the look-alike counts).
func Check(out string, records []Record) (leaks []Leak, altered []Altered) {
	vs := views(out)
	for _, r := range records {
		for _, v := range r.Planted {
			for _, nd := range needles(v) {
				for _, w := range vs {
					if line, folded, ok := w.find(nd); ok {
						leaks = append(leaks, Leak{Kind: r.Kind, Value: v, Form: nd.form, View: w.name, CaseFolded: folded, Line: line})
						break
					}
				}
			}
		}
	}
	altered = CheckLookAlikes(out, records)
	return leaks, altered
}

// CheckLookAlikes reports the look-alikes of records that occur fewer
// times in out than in the records' lines.
func CheckLookAlikes(out string, records []Record) []Altered {
	var in strings.Builder
	kinds := map[LookAlike][]string{}
	var order []LookAlike
	for _, r := range records {
		for _, l := range r.Lines {
			in.WriteString(l)
			in.WriteByte('\n')
		}
		for _, m := range []map[string]string{r.Labels, r.Metadata} {
			for _, v := range m {
				in.WriteString(v)
				in.WriteByte('\n')
			}
		}
		for _, l := range r.LookAlikes {
			if _, ok := kinds[l]; !ok {
				order = append(order, l)
			}
			if ks := kinds[l]; len(ks) == 0 || ks[len(ks)-1] != r.Kind {
				kinds[l] = append(ks, r.Kind)
			}
		}
	}
	input := JoinCRI(in.String())
	out = JoinCRI(out)
	var altered []Altered
	seen := map[string]bool{}
	for _, l := range order {
		if seen[l.Text] {
			continue
		}
		seen[l.Text] = true
		ni, no := strings.Count(input, l.Text), strings.Count(out, l.Text)
		if no < ni {
			altered = append(altered, Altered{Kinds: kinds[l], LookAlike: l, In: ni, Out: no})
		}
	}
	return altered
}

// JoinCRI joins each CRI partial record ("<time> <stream> P <msg>") with
// the next record of the same stream, as a container runtime's reader
// does; other lines are kept as they are.
func JoinCRI(s string) string {
	if !strings.Contains(s, " P ") {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	pending := map[string]string{} // stream → joined message so far
	var pendingHead = map[string]string{}
	for _, l := range lines {
		ts, rest, ok1 := strings.Cut(l, " ")
		stream, rest2, ok2 := strings.Cut(rest, " ")
		tag, msg, ok3 := strings.Cut(rest2, " ")
		if !ok1 || !ok2 || !ok3 || (stream != "stdout" && stream != "stderr") || (tag != "P" && tag != "F") {
			b.WriteString(l)
			continue
		}
		if tag == "P" {
			if _, ok := pendingHead[stream]; !ok {
				pendingHead[stream] = ts + " " + stream + " F "
			}
			pending[stream] += strings.TrimSuffix(msg, "\n")
			continue
		}
		if h, ok := pendingHead[stream]; ok {
			b.WriteString(h + pending[stream] + msg)
			delete(pendingHead, stream)
			delete(pending, stream)
			continue
		}
		b.WriteString(l)
	}
	streams := make([]string, 0, len(pending))
	for s := range pendingHead {
		streams = append(streams, s)
	}
	sort.Strings(streams)
	for _, st := range streams {
		b.WriteString(pendingHead[st] + pending[st] + "\n")
	}
	return b.String()
}

// urlUnescape decodes every valid %XX escape (and '+' as a space when
// plus is set); decoded line breaks become spaces so lines stay lines.
func urlUnescape(s string, plus bool) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHexAny(s[i+1]) && isHexAny(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			c = byte(v)
			if c == '\n' || c == '\r' {
				c = ' '
			}
			i += 2
		} else if c == '+' && plus {
			c = ' '
		}
		b = append(b, c)
	}
	return string(b)
}

func isHexAny(c byte) bool { return isHex(c) || c >= 'A' && c <= 'F' }

// jsonUnescape decodes JSON string escapes wherever they occur (nested
// JSON strings are decoded once per call; views apply it once, which
// covers one level of nesting: see jsonUnescapeAll).
func jsonUnescape(s string) string {
	for range 3 { // tool-call arguments nest JSON in JSON
		if !strings.Contains(s, `\`) {
			return s
		}
		s = jsonUnescapeOnce(s)
	}
	return s
}

func jsonUnescapeOnce(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		i++
		switch s[i] {
		case '"', '\\', '/':
			b = append(b, s[i])
		case 'n', 'r', 't', 'b', 'f':
			b = append(b, ' ')
		case 'u':
			if i+4 < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+5], 16, 16); err == nil {
					r := rune(v)
					i += 4
					if utf16.IsSurrogate(r) && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
						if w, err := strconv.ParseUint(s[i+3:i+7], 16, 16); err == nil {
							r = utf16.DecodeRune(r, rune(w))
							i += 6
						}
					}
					if r == '\n' || r == '\r' {
						r = ' '
					}
					b = utf8.AppendRune(b, r)
					continue
				}
			}
			b = append(b, '\\', 'u')
		default:
			b = append(b, '\\', s[i])
		}
	}
	return string(b)
}
