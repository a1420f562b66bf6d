package detect

import "encoding/binary"

// vendorMaxRules bounds the number of catalogue rules (ruleMask's size).
const vendorMaxRules = 256

// ruleMask holds one bit per catalogue rule.
type ruleMask [vendorMaxRules / 64]uint64

func (m *ruleMask) set(i int)      { m[i>>6] |= 1 << (i & 63) }
func (m *ruleMask) has(i int) bool { return m[i>>6]&(1<<(i&63)) != 0 }

// vendorFilter finds which rules' keywords occur in a text, ignoring case,
// in one pass and without allocating. It is a hand-written multi-pattern
// matcher, cheaper than an Aho-Corasick automaton on text without any
// keyword (the common case), where an automaton costs one dependent table
// load per byte:
//
//   - at every offset, the four bytes there, folded (OR 0x20: upper-case
//     letters become lower-case; a few punctuation pairs such as '_' and
//     DEL fall together, which only makes the filter pass more often), are
//     hashed into a 32 Kibit table of the first four bytes of the keywords
//     of four or more bytes;
//   - the first two folded bytes index a 64 Kibit table of the first two
//     bytes of the keywords of two or three bytes.
//
// The tests of one offset do not depend on the previous offset's, so the
// CPU overlaps them. Only where a table says yes are the keywords starting
// with those bytes compared.
type vendorFilter struct {
	quad  [1 << quadBits / 64]uint64 // hashed first four folded bytes of long keywords
	pair  [1 << 16 / 64]uint64       // first two folded bytes of short keywords
	long  map[uint32][]vendorKeyword // first four folded bytes → keywords
	short []vendorKeyword            // the keywords of two or three bytes
}

// vendorKeyword is one keyword (lower case) of the rule with index rule.
type vendorKeyword struct {
	word string
	rule uint16
	pair uint16 // the first two folded bytes
}

const quadBits = 15

// quadHash hashes four folded bytes to a bit of vendorFilter.quad.
func quadHash(w uint32) uint32 { return (w * 0x9E3779B1) >> (32 - quadBits) }

// fold4 returns the four bytes of b from i, folded, little-endian.
func fold4(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[i:]) | 0x20202020 }

// newVendorFilter builds the filter for the keywords of each rule.
func newVendorFilter(keywords [][]string) *vendorFilter {
	f := &vendorFilter{long: map[uint32][]vendorKeyword{}}
	for r, kws := range keywords {
		for _, k := range kws {
			kw := vendorKeyword{word: k, rule: uint16(r)}
			switch {
			case len(k) >= 4:
				w := fold4([]byte(k), 0)
				h := quadHash(w)
				f.quad[h>>6] |= 1 << (h & 63)
				f.long[w] = append(f.long[w], kw)
			case len(k) >= 2:
				p := binary.LittleEndian.Uint16([]byte(k)) | 0x2020
				f.pair[p>>6] |= 1 << (p & 63)
				kw.pair = p
				f.short = append(f.short, kw)
			default:
				// A one-byte keyword would make every text a candidate;
				// the default catalogue has none. Such a rule is never run.
			}
		}
	}
	return f
}

// match sets in cand the rules with a keyword in text and reports whether
// there was any.
func (f *vendorFilter) match(text []byte, cand *ruleMask) bool {
	found := false
	i := 0
	for ; i+4 <= len(text); i++ {
		w := fold4(text, i)
		h := quadHash(w)
		p := uint16(w)
		if f.quad[h>>6]&(1<<(h&63))|f.pair[p>>6]&(1<<(p&63)) != 0 {
			found = f.at(text, i, w, cand) || found
		}
	}
	for ; i+2 <= len(text); i++ { // no long keyword fits any more
		p := uint16(text[i]|0x20) | uint16(text[i+1]|0x20)<<8
		if f.pair[p>>6]&(1<<(p&63)) != 0 {
			found = f.shortAt(text, i, p, cand) || found
		}
	}
	return found
}

// at compares the keywords that may start at text[i], whose four folded
// bytes are w.
func (f *vendorFilter) at(text []byte, i int, w uint32, cand *ruleMask) bool {
	found := false
	if p := uint16(w); f.pair[p>>6]&(1<<(p&63)) != 0 {
		found = f.shortAt(text, i, p, cand)
	}
	for _, k := range f.long[w] {
		if hasFold(text, i, k.word) {
			cand.set(int(k.rule))
			found = true
		}
	}
	return found
}

// shortAt compares the short keywords that may start at text[i], whose
// first two folded bytes are p.
func (f *vendorFilter) shortAt(text []byte, i int, p uint16, cand *ruleMask) bool {
	found := false
	for _, k := range f.short {
		if k.pair == p && hasFold(text, i, k.word) {
			cand.set(int(k.rule))
			found = true
		}
	}
	return found
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
