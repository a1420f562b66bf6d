package detect

// Phone number limits.
const (
	phoneMinDigits = 7
	phoneMaxDigits = 15
	phoneMaxGroups = 8
)

// phoneBoundary reports whether a number may start at i: the byte before
// is not part of a word, a decimal number or another number.
func phoneBoundary(text []byte, i int) bool {
	if i == 0 {
		return true
	}
	p := text[i-1]
	return !is(p, cWord) && p != '.' && p != '+' && p != ',' && !(p == '-' && at(text, i-2, cDigit))
}

// phoneScan is the state of parsePhone.
type phoneScan struct {
	digits, groups int
	lens           [3]int // lengths of the first three groups
	seps           [2]byte
	paren          bool // a parenthesized group was seen
}

// parsePhone returns the end of the phone number starting at i. A number
// starts after a boundary with '+', "00", '0' or "(0" and is made of digit groups
// separated by single spaces, hyphens or slashes, with an optional "(0)" or
// "(030)" group. It has 7 to 15 digits (not counting a "00" prefix) and no
// letter, digit or decimal part right after it. Groups shaped like a date
// (2-2-4, 4-2-2, 2-2-2 digits) are not a number.
func parsePhone(text []byte, i int) (int, bool) {
	var p phoneScan
	j, intl := i, false
	switch {
	case text[j] == '+':
		intl = true
		j++
	case hasPrefix(text, j, "00") && at(text, j+2, cDigit) && text[j+2] != '0':
		intl = true
		p.digits = -2 // the "00" is a dialling prefix
	case hasPrefix(text, j, "00"), text[j] == '(' && !hasPrefix(text, j+1, "0"):
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
	if p.groups < len(p.lens) {
		p.lens[p.groups] = n
	}
	if n < 2 && !open && !(intl && p.groups == 0) {
		return 0, false // only a country code or a "(0)" has one digit
	}
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
	if c != ' ' && c != '-' && c != '/' {
		return j, false
	}
	if !at(text, j+1, cDigit) && !hasPrefix(text, j+1, "(") {
		return j, false
	}
	if p.groups <= len(p.seps) {
		p.seps[p.groups-1] = c
	}
	return j + 1, true
}

// valid checks a parsed number ending at end.
func (p *phoneScan) valid(text []byte, end int, intl bool) bool {
	if p.digits < phoneMinDigits || p.digits > phoneMaxDigits {
		return false
	}
	if at(text, end, cWord) || ((hasPrefix(text, end, ".") || hasPrefix(text, end, ",")) && at(text, end+1, cDigit)) {
		return false
	}
	return intl || !p.dateLike()
}

// dateLike reports whether the groups look like a date: three groups of
// 2-2-4, 4-2-2 or 2-2-2 digits with one kind of separator.
func (p *phoneScan) dateLike() bool {
	if p.groups != 3 || p.seps[0] != p.seps[1] || p.seps[0] == ' ' {
		return false
	}
	l := p.lens
	return l[1] == 2 && (l[0] == 2 && (l[2] == 4 || l[2] == 2) || l[0] == 4 && l[2] == 2)
}

// hasPrefix reports whether text[i:] starts with s.
func hasPrefix(text []byte, i int, s string) bool {
	return i >= 0 && len(text)-i >= len(s) && string(text[i:i+len(s)]) == s
}
