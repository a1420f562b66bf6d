package detect

import (
	"bytes"
	"encoding/binary"
)

// vendorMaxRules bounds the number of catalogue rules (ruleMask's size).
const vendorMaxRules = 256

// ruleMask holds one bit per catalogue rule.
type ruleMask [vendorMaxRules / 64]uint64

func (m *ruleMask) set(i int)      { m[i>>6] |= 1 << (i & 63) }
func (m *ruleMask) has(i int) bool { return m[i>>6]&(1<<(i&63)) != 0 }

// vendorFilter finds which rules' keywords occur in a text, ignoring case,
// in one pass and without allocating. It is a hand-written multi-pattern
// filter, cheaper than an Aho-Corasick automaton on text without any
// keyword (the common case): an automaton costs one dependent table load
// per byte, this one four independent loads per eight bytes.
//
// Bytes are folded with OR 0x20 (upper-case letters become lower-case; a
// few punctuation pairs such as '_' and DEL fall together, which only lets
// more through to the exact comparison). At every even offset i the three
// folded bytes from i are hashed into a 32 KiB table that holds the three
// bytes at offsets 0 and 1 of every keyword: a keyword of four or more
// bytes starting at an even offset has its first three bytes at an even
// offset, one starting at an odd offset its bytes 1-3. A keyword of three
// bytes at an odd offset has only two of its bytes at the next even offset;
// the table holds them with every possible folded third byte. Keywords of
// two bytes (azure's "q~") are looked for separately by their second byte
// with bytes.IndexByte. Eight bytes are tested at a time; only where the
// table says yes does a second table (another hash) and then the exact
// comparison run.
type vendorFilter struct {
	tri   [1 << triBits]uint8         // first hash of the folded three bytes
	check [1 << checkBits / 64]uint64 // second hash, one bit each
	grams map[uint32][]gramAt         // folded three bytes → keywords
	words []vendorKeyword             // keywords of three or more bytes
	two   []vendorKeyword             // keywords of two bytes
}

// vendorKeyword is one keyword (lower case) of the rule with index rule.
type vendorKeyword struct {
	word string
	rule int
}

// gramAt is a keyword (index into words) whose three bytes from off are a
// gram.
type gramAt struct {
	word, off int
}

const (
	triBits   = 15
	checkBits = 16
)

func triHash(w uint32) uint32   { return (w << 8 * 0x9E3779B1) >> (32 - triBits) }
func checkHash(w uint32) uint32 { return (w << 8 * 0x85EBCA77) >> (32 - checkBits) }

// newVendorFilter builds the filter for the keywords of each rule.
// Keywords of one byte are ignored (a rule with only those never runs).
func newVendorFilter(keywords [][]string) *vendorFilter {
	f := &vendorFilter{grams: map[uint32][]gramAt{}}
	for r, kws := range keywords {
		for _, k := range kws {
			kw := vendorKeyword{word: k, rule: r}
			switch {
			case len(k) == 2:
				f.two = append(f.two, kw)
			case len(k) >= 3:
				f.words = append(f.words, kw)
				j := len(f.words) - 1
				f.add(fold3(k, 0), j, 0)
				if len(k) >= 4 {
					f.add(fold3(k, 1), j, 1)
					break
				}
				for c := uint32(0x20); c < 0x100; c++ {
					if c&0x20 != 0 {
						f.add(fold3(k[1:3], 0)&0xffff|c<<16, j, 1)
					}
				}
			}
		}
	}
	return f
}

// fold3 returns the three folded bytes of s from i, little-endian.
func fold3(s string, i int) uint32 {
	var w uint32
	for j := 2; j >= 0; j-- {
		var c uint32
		if i+j < len(s) {
			c = uint32(s[i+j])
		}
		w = w<<8 | c | 0x20
	}
	return w
}

// add enters the gram w of keyword j at offset off.
func (f *vendorFilter) add(w uint32, j, off int) {
	f.tri[triHash(w)] = 1
	h := checkHash(w)
	f.check[h>>6] |= 1 << (h & 63)
	f.grams[w] = append(f.grams[w], gramAt{word: j, off: off})
}

// match sets in cand the rules with a keyword in text and reports whether
// there was any.
func (f *vendorFilter) match(text []byte, cand *ruleMask) bool {
	found := false
	for _, k := range f.two {
		found = f.twoByte(text, k, cand) || found
	}
	t := &f.tri
	i := 0
	for ; i+9 <= len(text); i += 8 {
		x := binary.LittleEndian.Uint64(text[i:]) | 0x2020202020202020
		y := uint32(text[i+8]) | 0x20
		if t[triHash(uint32(x))]|t[triHash(uint32(x>>16))]|t[triHash(uint32(x>>32))]|t[triHash(uint32(x>>48)|y<<16)] != 0 {
			found = f.block(text, i, cand) || found
		}
	}
	for ; i+2 <= len(text); i += 2 {
		var b [4]byte
		copy(b[:], text[i:])
		found = f.gram(text, i, binary.LittleEndian.Uint32(b[:])|0x20202020, cand) || found
	}
	return found
}

// block looks at the even offsets i to i+6 of a block the table let
// through.
func (f *vendorFilter) block(text []byte, i int, cand *ruleMask) bool {
	x := binary.LittleEndian.Uint64(text[i:]) | 0x2020202020202020
	y := uint32(text[i+8]) | 0x20
	found := f.gram(text, i, uint32(x), cand)
	found = f.gram(text, i+2, uint32(x>>16), cand) || found
	found = f.gram(text, i+4, uint32(x>>32), cand) || found
	return f.gram(text, i+6, uint32(x>>48)|y<<16, cand) || found
}

// gram compares the keywords whose gram at offset 0 or 1 may be the three
// folded bytes w at the even offset i (the fourth byte of w is ignored).
func (f *vendorFilter) gram(text []byte, i int, w uint32, cand *ruleMask) bool {
	w &= 0xffffff
	if f.tri[triHash(w)] == 0 {
		return false
	}
	if h := checkHash(w); f.check[h>>6]&(1<<(h&63)) == 0 {
		return false
	}
	found := false
	for _, g := range f.grams[w] {
		k := &f.words[g.word]
		if st := i - g.off; st >= 0 && hasFold(text, st, k.word) {
			cand.set(k.rule)
			found = true
		}
	}
	return found
}

// twoByte looks for the two-byte keyword k by its second byte.
func (f *vendorFilter) twoByte(text []byte, k vendorKeyword, cand *ruleMask) bool {
	for i := 1; i < len(text); {
		j := indexFold(text[i:], k.word[1])
		if j < 0 {
			break
		}
		i += j
		if lower(text[i-1]) == k.word[0] {
			cand.set(k.rule)
			return true
		}
		i++
	}
	return false
}

// indexFold is bytes.IndexByte for the lower-case byte c, ignoring the
// case of a letter.
func indexFold(b []byte, c byte) int {
	i := bytes.IndexByte(b, c)
	if u := c - 'a' + 'A'; c >= 'a' && c <= 'z' {
		if j := bytes.IndexByte(b, u); j >= 0 && (i < 0 || j < i) {
			i = j
		}
	}
	return i
}

// hasFold reports whether text holds the lower-case word w at i, ignoring
// the case of ASCII letters in text.
func hasFold(text []byte, i int, w string) bool {
	if len(text)-i < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		if lower(text[i+j]) != w[j] {
			return false
		}
	}
	return true
}
