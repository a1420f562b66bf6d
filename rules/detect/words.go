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
		t[c] = tAlnum
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
// letter or digit, and no byte starts two of them.
func (s *Set) nextWord(text []byte, from int) cand {
	i := max(from, 0)
	prev := uint8(0) // tAlnum when text[i-1] is a letter or digit
	if i > 0 && i <= len(text) {
		prev = trigger[text[i-1]] & tAlnum
	}
	for ; i < len(text); i++ {
		b := trigger[text[i]]
		t := b & s.words
		skip := t == 0 || prev != 0
		prev = b & tAlnum
		if skip {
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
