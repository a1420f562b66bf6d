package detect

// Card number limits.
const (
	cardMinDigits = 13
	cardMaxDigits = 19
)

// cardBoundary reports whether a number may start at i.
func cardBoundary(text []byte, i int) bool {
	return i == 0 || (!is(text[i-1], cWord) && !((text[i-1] == '.' || text[i-1] == ',') && at(text, i-2, cDigit)))
}

// parseCard returns the end of the payment card number starting at i: 13
// to 19 digits starting with 2 to 6 (the major networks), unbroken or in groups
// of 3 to 8 digits separated by single spaces or hyphens (one kind per
// number), Luhn-valid, of a card network's prefix and length (see
// cardNetwork), with no letter, digit or decimal part on either side.
func parseCard(text []byte, i int) (int, bool) {
	var digits [cardMaxDigits + 1]byte
	n, group, sep, j := 0, 0, byte(0), i
	for ; j < len(text) && n <= cardMaxDigits; j++ {
		c := text[j]
		if is(c, cDigit) {
			digits[n] = c - '0'
			n++
			group++
			continue
		}
		if (c != ' ' && c != '-') || (sep != 0 && c != sep) || !at(text, j+1, cDigit) {
			break
		}
		if group < 3 || group > 8 {
			return 0, false
		}
		sep, group = c, 0
	}
	if n < cardMinDigits || n > cardMaxDigits || (sep != 0 && (group < 3 || group > 8)) {
		return 0, false
	}
	if at(text, j, cWord) || ((hasPrefix(text, j, ".") || hasPrefix(text, j, ",")) && at(text, j+1, cDigit)) {
		return 0, false
	}
	return j, cardNetwork(digits[:n]) && luhn(digits[:n])
}

// cardNetwork reports whether the digits have the prefix and length of a
// payment card network: Visa (4, 13/16/19 digits), Mastercard (51-55,
// 2221-2720, 16), Mir (2200-2204, 16-19), American Express (34, 37, 15),
// JCB (35, 16-19), Diners (30, 36, 38, 39, 14-19), Maestro and others
// (50, 56-69, 12-19). A 19-digit id such as "3141592653589793238" that
// no network issues is no card.
func cardNetwork(d []byte) bool {
	n := len(d)
	p2 := int(d[0])*10 + int(d[1])
	p4 := p2*100 + int(d[2])*10 + int(d[3])
	switch {
	case d[0] == 4:
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p4 >= 2200 && p4 <= 2204:
		return n >= 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p2 == 35:
		return n >= 16
	case p2 == 30 || p2 == 36 || p2 == 38 || p2 == 39:
		return n >= 14
	case p2 == 50 || p2 >= 56:
		return true
	}
	return false
}

// luhn reports whether the digits pass the Luhn check.
func luhn(d []byte) bool {
	sum := 0
	for k := range d {
		v := int(d[len(d)-1-k])
		if k%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}
