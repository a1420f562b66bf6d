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
	return !is(p, cWord) && p != '.' && p != '+' && p != ','
}

// phoneScan is the state of parsePhone.
type phoneScan struct {
	digits, groups int
	lens           [4]int  // lengths of the first four groups
	seps           [3]byte // the first three separators
	dots, others   int     // separators that are '.' and that are not
	threes         bool    // every group after the first has three digits
	paren          bool    // a parenthesized group was seen
}

// parsePhone returns the end of the phone number candidate starting at i,
// the cheap gate before the phone number metadata decides (see Phones). A
// number starts after a boundary with '+', "00", '0', "(0" or a
// parenthesized area code such as "(415)", and is made of digit groups
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
	}
	k, ok := p.group(text, j, intl)
	if !ok {
		return 0, false
	}
	for j = k; ; {
		if p.digits > phoneMaxDigits+1 || p.groups > phoneMaxGroups {
			return 0, false
		}
		saved := p
		next, more := phoneSep(text, j, &p)
		if !more {
			break
		}
		k, ok := p.group(text, next, intl)
		if !ok {
			p = saved // what follows the separator is no group: the number ends before it
			break
		}
		j = k
	}
	return j, p.valid(text, j, intl)
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
	if n < 2 && !open && !(intl && p.groups <= 1) {
		return 0, false // only a country code, the digit after it ("+33 6 12") or a "(0)" has one digit
	}
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
	return intl || !p.dateLike()
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
