package detect

// Phone number limits.
const (
	phoneMinDigits = 7
	phoneMaxDigits = 15
	phoneMaxGroups = 8
)

// phoneBoundary reports whether a number may start at i: the byte before
// is not part of a word, a decimal number or another number ("1.0301234567",
// "12:0301234567", "7-0301234567").
func phoneBoundary(text []byte, i int) bool {
	if i == 0 {
		return true
	}
	p := text[i-1]
	if p == '-' || p == ':' || p == '/' {
		return !at(text, i-2, cDigit)
	}
	if p == ' ' && is(text[i], cDigit) && text[i] != '0' {
		return !numberBefore(text, i-1) // a bare number is no group of a longer one ("1 234 567 890")
	}
	return !is(p, cWord) && p != '.' && p != '+' && p != ','
}

// numberBefore reports whether the word that ends at j is a number: digits
// after a byte that is not part of a word ("1 234", not "us2 415").
func numberBefore(text []byte, j int) bool {
	k := j
	for k > 0 && is(text[k-1], cDigit) {
		k--
	}
	return k < j && (k == 0 || !is(text[k-1], cWord))
}

// phoneScan is the state of parsePhone.
type phoneScan struct {
	digits, groups int
	lens           [4]int  // lengths of the first four groups
	seps           [3]byte // the first three separators
	dots, others   int     // separators that are '.' and that are not
	threes         bool    // every group after the first has three digits
	paren          bool    // a parenthesized group was seen
	bare           bool    // starts with a digit 1-9: no '+', "00" or trunk 0
	trunk          bool    // the last group was a trunk hint "(0)"
}

// parsePhone returns the end of the phone number candidate starting at i,
// the cheap gate before the phone number metadata decides (see Phones). A
// number starts after a boundary with '+', "00", '0', "(0" or a
// parenthesized area code such as "(415)", or is a national number of a
// region without trunk prefix grouped as bareShape says, and is made of digit groups
// separated by single spaces, hyphens, slashes or dots, with an optional
// "(0)" or "(030)" group. It has 7 to 15 digits (not counting a "00"
// prefix) and no letter, digit or decimal part right after it. Look-alikes
// are not candidates: groups shaped like a date (2-2-4, 4-2-2, 2-2-2
// digits), dotted quads like IPv4 addresses, numbers with dots between
// groups of three ("012.345.678") and dots mixed with other separators.
// It allocates nothing.
func parsePhone(text []byte, i int) (int, bool) {
	p := phoneScan{threes: true}
	j, intl := i, false
	switch {
	case text[j] == '+':
		intl = true
		j++
	case hasPrefix(text, j, "00") && at(text, j+2, cDigit) && text[j+2] != '0':
		intl = true
		p.digits = -2 // the "00" is a dialling prefix
	case hasPrefix(text, j, "00"), text[j] == '(' && !at(text, j+1, cDigit):
		return 0, false
	case text[j] != '0' && text[j] != '(':
		p.bare = true
	}
	k, ok := p.group(text, j, intl)
	if !ok {
		return 0, false
	}
	for j = k; ; {
		saved := p
		next, more := phoneSep(text, j, &p)
		if !more {
			break
		}
		k, ok := p.group(text, next, intl)
		if !ok || p.digits > phoneMaxDigits || p.groups > phoneMaxGroups {
			// What follows the separator is no group, or a group too many
			// ("+49 30 1234567 030 7654321" is two numbers): the number
			// ends before it.
			p = saved
			break
		}
		j = k
	}
	return j, p.valid(text, j, intl)
}

// phoneAt returns the end of the phone number starting at i: the
// candidate of parsePhone when the set has no Phones, else the longest of
// the candidate and its prefixes that end at a group boundary that is
// valid and grouped as its region writes numbers, or failing that the
// longest valid one. So a number followed by other digits ("0171 2345678
// 12 times", "0171 2345678 0171 2345679") is found alone.
func (s *Set) phoneAt(text []byte, i int) (int, bool) {
	e, ok := parsePhone(text, i)
	if !ok || s.phones == nil {
		return e, ok
	}
	fallback := -1
	var buf [e164Max]byte
	for {
		if _, valid, grouped := s.phones.appendVerdict(buf[:0], text[i:e]); valid {
			if grouped {
				return e, true
			}
			fallback = max(fallback, e)
		}
		cut := lastGroupStart(text, i, e)
		if cut < 0 {
			break
		}
		if e, ok = parsePhone(text[:cut], i); !ok {
			break
		}
	}
	return fallback, fallback >= 0
}

// lastGroupStart returns the end of the candidate text[i:e] without its
// last digit group and the separator before it, or -1 when it has one
// group.
func lastGroupStart(text []byte, i, e int) int {
	j := e
	for j > i && !is(text[j-1], cDigit) {
		j-- // a closing parenthesis
	}
	for j > i && is(text[j-1], cDigit) {
		j--
	}
	for j > i && !is(text[j-1], cDigit) {
		j-- // the separator and an opening parenthesis
	}
	if j <= i {
		return -1
	}
	return j
}

// group reads one digit group at j, "(0)" and "(030)" included, and returns
// its end.
func (p *phoneScan) group(text []byte, j int, intl bool) (int, bool) {
	open := j < len(text) && text[j] == '('
	if open {
		if p.paren || !at(text, j+1, cDigit) || (!intl && p.groups > 0) {
			return 0, false
		}
		p.paren = true
		j++
	}
	k := j
	for k < len(text) && is(text[k], cDigit) && k-j <= phoneMaxDigits {
		k++
	}
	n := k - j
	if n == 0 || (open && !hasPrefix(text, k, ")")) {
		return 0, false
	}
	if n < 2 && !open && !(intl && (p.groups <= 1 || p.trunk)) {
		return 0, false // only a country code, the digit after it ("+33 6 12", "+33 (0)6 12") or a "(0)" has one digit
	}
	p.trunk = open && n == 1 && text[j] == '0'
	if p.groups < len(p.lens) {
		p.lens[p.groups] = n
	}
	p.threes = p.threes && (p.groups == 0 || n == 3)
	p.digits += n
	p.groups++
	if open {
		k++
	}
	return k, true
}

// phoneSep returns the start of the next group after the separator at j,
// and false when no group follows.
func phoneSep(text []byte, j int, p *phoneScan) (int, bool) {
	if j >= len(text) {
		return j, false
	}
	c := text[j]
	if (c == '(' && at(text, j+1, cDigit)) || (text[j-1] == ')' && is(c, cDigit)) {
		return j, true // "+44(0)20", "(030)1234567": groups glued to a parenthesis
	}
	if c == '+' && text[j-1] == ')' {
		c = ' ' // "(415)+971-8223": a form-encoded space the URL decoding leaves after ')'
	} else if c != ' ' && c != '-' && c != '/' && c != '.' {
		return j, false
	}
	if !at(text, j+1, cDigit) && !hasPrefix(text, j+1, "(") {
		return j, false
	}
	if p.groups <= len(p.seps) {
		p.seps[p.groups-1] = c
	}
	if c == '.' {
		p.dots++
	} else {
		p.others++
	}
	return j + 1, true
}

// valid checks a parsed number ending at end.
func (p *phoneScan) valid(text []byte, end int, intl bool) bool {
	if p.digits < phoneMinDigits || p.digits > phoneMaxDigits || !phoneEnd(text, end) {
		return false
	}
	if p.dots > 0 && (p.others > 0 || p.dottedQuad() || (!intl && p.threes)) {
		return false
	}
	if p.bare && !p.bareShape() {
		return false
	}
	return intl || !p.dateLike()
}

// bareShape reports whether a number without '+', "00" or trunk 0 is
// grouped as the regions that write none spell their numbers: 9 or 10
// digits in three or four groups, a first group of three (or two, of four
// groups), one separator throughout ("415-971-8223", "415.971.8223", "612
// 345 678", "347 123 4567", "612 34 56 78", "12 345 67 89"). An unbroken
// run of digits without a prefix is an id, a count or a time far more
// often than a phone number, and stays.
func (p *phoneScan) bareShape() bool {
	first := p.lens[0] == 3 || p.lens[0] == 2 && p.groups == 4
	if p.groups < 3 || p.groups > 4 || !first || p.digits < 9 || p.digits > 10 {
		return false
	}
	return p.seps[1] == p.seps[0] && (p.groups == 3 || p.seps[2] == p.seps[0])
}

// phoneEnd reports whether a number may end at end: no letter, digit or
// '_' follows, nor a decimal part (".5", ",50"), a ':' and a digit, or a
// '.', '-' or '/' and a letter ("0301234567.txt", "0301234567-abc").
func phoneEnd(text []byte, end int) bool {
	if end >= len(text) {
		return true
	}
	switch c := text[end]; {
	case is(c, cWord):
		return false
	case c == '.' || c == ',' || c == ':':
		return !at(text, end+1, cAlnum)
	case c == '-' || c == '/':
		return !at(text, end+1, cAlpha)
	}
	return true
}

// dottedQuad reports whether the groups are four of at most three digits
// each, like an IPv4 address.
func (p *phoneScan) dottedQuad() bool {
	if p.groups != 4 || p.paren {
		return false
	}
	for _, n := range p.lens {
		if n > 3 {
			return false
		}
	}
	return true
}

// dateLike reports whether the groups look like a date: three groups of
// 2-2-4, 4-2-2 or 2-2-2 digits with one kind of separator other than a
// space ("02.12.2026", "2026-12-02", "02/12/26").
func (p *phoneScan) dateLike() bool {
	if p.groups != 3 || p.seps[0] != p.seps[1] || p.seps[0] == ' ' || p.paren {
		return false
	}
	l := p.lens
	return l[1] == 2 && (l[0] == 2 && (l[2] == 4 || l[2] == 2) || l[0] == 4 && l[2] == 2)
}

// hasPrefix reports whether text[i:] starts with s.
func hasPrefix(text []byte, i int, s string) bool {
	return i >= 0 && len(text)-i >= len(s) && string(text[i:i+len(s)]) == s
}
