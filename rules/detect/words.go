package detect

// Kinds found by nextWord, as bits of the trigger table.
const (
	tPhone = 1 << iota
	tCard
	tIBAN
)

// tAlnum marks letters and digits in the trigger table.
const tAlnum = 1 << 7

// trigger maps the first byte of a phone number, card number or IBAN to the
// kinds that may start with it, and marks letters and digits.
var trigger = func() (t [256]uint8) {
	t['+'], t['('], t['0'] = tPhone, tPhone, tPhone|tAlnum
	for c := '1'; c <= '9'; c++ {
		t[c] = tPhone | tAlnum // "415-971-8223", "612 345 678": see bareShape
	}
	for c := '2'; c <= '6'; c++ {
		t[c] |= tCard
	}
	for c := 0; c < 26; c++ {
		t['a'+c], t['A'+c] = tIBAN|tAlnum, tIBAN|tAlnum
	}
	return t
}()

// wordMask returns the trigger bits of the enabled kinds.
func (s *Set) wordMask() uint8 {
	var m uint8
	for k, bit := range map[Kind]uint8{Phone: tPhone, Card: tCard, IBAN: tIBAN} {
		if s.kinds[k] {
			m |= bit
		}
	}
	return m
}

// nextWord finds the first phone number, card number or IBAN at or after
// from in one pass: all three start at a byte that is not preceded by a
// letter or digit. Digits 2-6 may start a card or a phone number; the card
// is tried first. Words are skipped whole:
// only their first byte can start a match. A match that is part of an id,
// or an id itself, is skipped (see idLike).
func (s *Set) nextWord(text []byte, from int) (k Kind, start, end int, ok bool) {
	i := max(from, 0)
	if i > 0 && i <= len(text) && trigger[text[i-1]]&tAlnum != 0 {
		i = skipWord(text, i)
	}
	for i < len(text) {
		b := trigger[text[i]]
		for t := b & s.words &^ tAlnum; t != 0; t &= t - 1 {
			bit := t & -t
			if !wordMay(text, i, bit) {
				continue
			}
			if k, e, ok := s.wordAt(text, i, bit); ok && !idLike(text, i, e) {
				return k, i, e, true
			}
		}
		if b&tAlnum != 0 {
			i = skipWord(text, i+1)
		} else {
			i++
		}
	}
	return 0, 0, 0, false
}

// skipWord returns the index after the run of letters and digits that
// starts at i and the byte after it: that byte follows a letter or digit and
// starts nothing.
func skipWord(text []byte, i int) int {
	for i < len(text) && trigger[text[i]]&tAlnum != 0 {
		i++
	}
	return i + 1
}

// wordMay is a quick test of what wordAt requires of the bytes after i
// for the kind with trigger bit t: a card number starts with three digits
// (a group or an unbroken number), an IBAN with two letters and two digits.
func wordMay(text []byte, i int, t uint8) bool {
	switch t {
	case tCard:
		return i+cardMinDigits <= len(text) && is(text[i+1], cDigit) && is(text[i+2], cDigit)
	case tIBAN:
		return i+ibanMin <= len(text) && is(text[i+2], cDigit) && is(text[i+3], cDigit)
	}
	// A phone number with a prefix, or a bare one: two or three digits,
	// a separator and two digits.
	if text[i] < '1' || text[i] > '9' {
		return true
	}
	if i+phoneMinDigits > len(text) || !is(text[i+1], cDigit) {
		return false
	}
	k := i + 2 // "12 345 67 89" or "612 345 678"
	if is(text[k], cDigit) {
		k++
	}
	return bareSep(text[k]) && is(text[k+1], cDigit) && is(text[k+2], cDigit)
}

// bareSep reports whether c separates the groups of a bare phone number.
func bareSep(c byte) bool { return c == ' ' || c == '-' || c == '.' }

// wordAt tries the kind with trigger bit t at i, which is not preceded by a
// letter or digit, and returns the end of the match.
func (s *Set) wordAt(text []byte, i int, t uint8) (k Kind, e int, ok bool) {
	switch t {
	case tPhone:
		k = Phone
		if phoneBoundary(text, i) {
			e, ok = s.phoneAt(text, i)
		}
	case tCard:
		k = Card
		if cardBoundary(text, i) && i+cardMinDigits <= len(text) {
			e, ok = parseCard(text, i)
		}
	case tIBAN:
		k = IBAN
		if i+ibanMin <= len(text) {
			e, ok = parseIBAN(text, i)
		}
	}
	return k, e, ok
}
