package detect

import "bytes"

// Character classes of a byte, from the table below.
const (
	cDigit  = 1 << iota // 0-9
	cUpper              // A-Z
	cLower              // a-z
	cUnder              // '_'
	cLocal              // e-mail local-part characters, '%' excepted
	cDomain             // host name characters: letters, digits, '-', '.'
	cB64URL             // base64url alphabet: letters, digits, '-', '_'
	cTok68              // token68 (RFC 7235): letters, digits, -._~+/
	cName               // parameter name characters: letters, digits, _.-
	cHex                // 0-9 a-f A-F

	cAlpha = cUpper | cLower
	cAlnum = cDigit | cAlpha
	cWord  = cAlnum | cUnder
)

var class = func() (t [256]uint16) {
	set := func(chars string, bits uint16) {
		for i := 0; i < len(chars); i++ {
			t[chars[i]] |= bits
		}
	}
	letters := uint16(cLocal | cDomain | cB64URL | cTok68 | cName)
	for c := 0; c < 26; c++ {
		t['a'+c] |= cLower | letters
		t['A'+c] |= cUpper | letters
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= cDigit | cHex | letters
	}
	set("abcdefABCDEF", cHex)
	set("_", cUnder)
	set("._+-", cLocal)
	set("-.", cDomain)
	set("-_", cB64URL)
	set("-._~+/", cTok68)
	set("_.-", cName)
	return t
}()

// is reports whether c has any of the class bits.
func is(c byte, bits uint16) bool { return class[c]&bits != 0 }

// at reports whether text[i] exists and has any of the class bits.
func at(text []byte, i int, bits uint16) bool {
	return i >= 0 && i < len(text) && class[text[i]]&bits != 0
}

// lower returns c in lower case when it is an ASCII letter.
func lower(c byte) byte {
	if class[c]&cUpper != 0 {
		return c + 'a' - 'A'
	}
	return c
}

// hasFoldPrefix reports whether text[i:] starts with word, which is lower
// case, ignoring the case of ASCII letters.
func hasFoldPrefix(text []byte, i int, word string) bool {
	if i < 0 || len(text)-i < len(word) {
		return false
	}
	for k := 0; k < len(word); k++ {
		if lower(text[i+k]) != word[k] {
			return false
		}
	}
	return true
}

// runEnd returns the end of the run of bytes with any of the class bits that
// starts at i.
func runEnd(text []byte, i int, bits uint16) int {
	for i < len(text) && class[text[i]]&bits != 0 {
		i++
	}
	return i
}

// pair finds the next occurrence of either of two bytes with bytes.IndexByte.
// It remembers how far it knows there is no a, so that a run of b bytes
// does not search the same bytes for a again; and it searches for a in
// windows that double in size, so that a call that finds a b early does not
// search the whole text for a missing a. A scan with one pair is linear, and
// so are many scans that each stop at the first hit.
type pair struct {
	a, b  byte
	nextA int  // the next a, or the end of the searched window
	hitA  bool // nextA is an a
	win   int  // size of the next window
}

// newPair returns a pair that finds a or b.
func newPair(a, b byte) pair { return pair{a: a, b: b, nextA: -1, win: 64} }

// next returns the position of the first a or b at or after i, or -1.
func (p *pair) next(text []byte, i int) int {
	for i < len(text) {
		if p.nextA < i || (p.nextA == i && !p.hitA) {
			end := i + min(len(text)-i, p.win)
			p.win = min(2*p.win, 1<<30)
			p.nextA, p.hitA = end, false
			if k := bytes.IndexByte(text[i:end], p.a); k >= 0 {
				p.nextA, p.hitA, p.win = i+k, true, 64
			}
		}
		if k := bytes.IndexByte(text[i:p.nextA], p.b); k >= 0 {
			return i + k
		}
		if p.hitA {
			return p.nextA
		}
		i = p.nextA
	}
	return -1
}
