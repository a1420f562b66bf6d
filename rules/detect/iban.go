package detect

// IBAN length limits: 2 letters, 2 check digits, 11 to 30 alphanumerics.
const (
	ibanMin = 15
	ibanMax = 34
)

// ibanNumeric marks, in ibanLen, a country whose account number (BBAN) is
// all digits: a token with letters after the check digits is no IBAN of
// that country (it is a hex id such as "be12c0ffee...").
const ibanNumeric = 0x80

// ibanLen is the IBAN length of countries where it is known, with
// ibanNumeric for an all-digit account number; 0 elsewhere. Indexed by
// (first letter-'a')*26 + (second letter-'a'). Every IBAN country whose code
// has only the letters a-f is listed, so an unknown code of hex letters is
// no country (see parseIBAN).
var ibanLen = func() (t [26 * 26]uint8) {
	for _, c := range []struct {
		cc string
		n  uint8
	}{
		{"de", 22 | ibanNumeric}, {"at", 20 | ibanNumeric}, {"ch", 21}, {"fr", 27},
		{"nl", 18}, {"be", 16 | ibanNumeric}, {"es", 24 | ibanNumeric}, {"it", 27},
		{"gb", 22}, {"pl", 28 | ibanNumeric}, {"lu", 20}, {"dk", 18 | ibanNumeric},
		{"se", 24 | ibanNumeric}, {"no", 15 | ibanNumeric}, {"fi", 18 | ibanNumeric}, {"ie", 22},
		{"pt", 25 | ibanNumeric}, {"li", 21}, {"cz", 24 | ibanNumeric}, {"sk", 24 | ibanNumeric},
		{"hu", 28 | ibanNumeric}, {"si", 19 | ibanNumeric}, {"hr", 21 | ibanNumeric}, {"gr", 27},
		{"ro", 24}, {"bg", 22}, {"ee", 20 | ibanNumeric}, {"lv", 21}, {"lt", 20 | ibanNumeric},
		{"mt", 31}, {"cy", 28}, {"is", 26 | ibanNumeric}, {"mc", 27}, {"ad", 24},
		{"ae", 23 | ibanNumeric}, {"ba", 20 | ibanNumeric},
	} {
		t[int(c.cc[0]-'a')*26+int(c.cc[1]-'a')] = c.n
	}
	return t
}()

// parseIBAN returns the end of the IBAN starting at i: a country code, two
// check digits and the account number, either unbroken or in groups of four
// separated by single spaces, with a valid mod-97 checksum and the
// country's length where it is known, all digits after the check digits
// where the country's account numbers are. Letters may be in either case,
// but the code of a country whose length is not known must be upper case
// and not two hex letters (this keeps hexadecimal ids out). The longest
// valid IBAN wins.
func parseIBAN(text []byte, i int) (int, bool) {
	if !at(text, i+1, cAlpha) || !at(text, i+2, cDigit) || !at(text, i+3, cDigit) {
		return 0, false
	}
	want := int(ibanLen[int(lower(text[i])-'a')*26+int(lower(text[i+1])-'a')])
	numeric := want&ibanNumeric != 0
	want &^= ibanNumeric
	if want == 0 && (!(is(text[i], cUpper) && is(text[i+1], cUpper)) || (is(text[i], cHex) && is(text[i+1], cHex))) {
		return 0, false // an unknown country must look like one, and no hex id
	}
	// The checksum moves the first four characters to the end: their value
	// is appended to the remainder of the rest at each possible end.
	head := ibanRem(ibanRem(ibanRem(ibanRem(0, text[i]), text[i+1]), text[i+2]), text[i+3])
	headScale := 1000000 % 97 // two letters (two digits each) and two digits
	rem, n, best, grouped := 0, 4, -1, false
	for j := i + 4; j < len(text) && n < ibanMax; j++ {
		c := text[j]
		if c == ' ' && n%4 == 0 && (grouped || n == 4) && at(text, j+1, cAlnum) {
			grouped = true
			continue
		}
		if !is(c, cAlnum) || (grouped && n%4 == 0 && text[j-1] != ' ') || (numeric && !is(c, cDigit)) {
			break
		}
		rem = ibanRem(rem, c)
		n++
		if n < ibanMin || (want != 0 && n != want) || at(text, j+1, cAlnum) {
			continue
		}
		if (rem*headScale+head)%97 == 1 {
			best = j + 1
		}
	}
	return best, best > 0
}

// ibanRem appends the IBAN character c (a digit, or a letter worth 10..35)
// to the remainder r modulo 97.
func ibanRem(r int, c byte) int {
	if is(c, cDigit) {
		return (r*10 + int(c-'0')) % 97
	}
	return (r*100 + int(lower(c)-'a'+10)) % 97
}
