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
// number), Luhn-valid, with no letter, digit or decimal part on either side.
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
	return j, luhn(digits[:n])
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
