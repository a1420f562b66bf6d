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
// letter or digit, and no byte starts two of them. Words are skipped whole:
// only their first byte can start a match.
func (s *Set) nextWord(text []byte, from int) cand {
	i := max(from, 0)
	if i > 0 && i <= len(text) && trigger[text[i-1]]&tAlnum != 0 {
		i = skipWord(text, i)
	}
	for i < len(text) {
		b := trigger[text[i]]
		if t := b & s.words; t != 0 {
			if c := s.wordAt(text, i, t); c.ok {
				return c
			}
		}
		if b&tAlnum != 0 {
			i = skipWord(text, i+1)
		} else {
			i++
		}
	}
	return cand{}
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

// wordAt tries the kind with trigger bit t at i, which is not preceded by a
// letter or digit.
func (s *Set) wordAt(text []byte, i int, t uint8) cand {
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
	return found(k, i, e, ok)
}
