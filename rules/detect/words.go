package detect

// Kinds found by nextWord, as bits of the trigger table.
const (
	tPhone = 1 << iota
	tCard
	tIBAN
)

// trigger maps the first byte of a phone number, card number or IBAN to the
// kinds that may start with it.
var trigger = func() (t [256]uint8) {
	t['+'], t['('], t['0'] = tPhone, tPhone, tPhone
	for c := '2'; c <= '6'; c++ {
		t[c] = tCard
	}
	for c := 0; c < 26; c++ {
		t['a'+c], t['A'+c] = tIBAN, tIBAN
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
// letter or digit, and no byte starts two of them.
func (s *Set) nextWord(text []byte, from int) cand {
	for i := max(from, 0); i < len(text); i++ {
		t := trigger[text[i]] & s.words
		if t == 0 || (i > 0 && is(text[i-1], cAlnum)) {
			continue
		}
		var e int
		var ok bool
		var k Kind
		switch t {
		case tPhone:
			k = Phone
			if phoneBoundary(text, i) {
				e, ok = parsePhone(text, i)
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
		if ok {
			return found(k, i, e, true)
		}
	}
	return cand{}
}
