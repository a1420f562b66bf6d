package detect

import (
	"math/bits"
	"slices"

	"github.com/tarn-project/tarn/rules/ipaddr"
)

// detector identifies one scanner. A scanner may find several kinds.
type detector uint8

// detMask holds one bit 1<<d per detector d.
type detMask uint16

const (
	detIP detector = iota
	detEmail
	detWord // phone numbers, card numbers and IBANs
	detJWT
	detAuth
	detParam
	detUser    // user names in URL paths and named in text (userpath.go, userword.go)
	detVendor  // vendor API keys of the secret catalogue (vendor.go)
	detAddress // postal addresses in free text (street.go)
	detCutArg  // string arguments PHP cut in stack-trace frames (cutarg.go)
	detCustom
	numDets
)

// cand is a scanner's next candidate match; ok is false when the scanner
// found nothing more.
type cand struct {
	Match
	ok bool
}

// tieRank orders kinds whose matches have the same span: an explicit user
// pattern first, then the kinds found by context (a credential named by a
// parameter or header) before the kinds found by shape.
var tieRank = [NumKinds]uint8{
	Custom: 0, Secret: 1, Auth: 2, Token: 3, JWT: 4, Card: 5, IBAN: 6,
	Email: 7, Phone: 8, Address: 9, IPv6: 10, IPv4: 11,
}

// before reports whether candidate a wins over b: it starts first, or at the
// same offset it is longer, or has the same span and a kind of lower rank.
func (a *cand) before(b *cand) bool {
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	if a.End != b.End {
		return a.End > b.End
	}
	return tieRank[a.Kind] < tieRank[b.Kind]
}

// Scan appends to dst the non-overlapping matches in text, sorted by Start.
// Where spans of several detectors overlap, the one that starts first wins,
// on equal starts the longer one. Scan allocates nothing when dst has
// capacity for the matches and no patterns are configured; it runs in time
// linear in len(text).
//
// A first pass notes which trigger bytes the text holds (see present), and
// detectors that cannot match without them are not run at all.
func (s *Set) Scan(text []byte, dst []Match) []Match {
	var custom []Match
	if len(s.patterns) > 0 {
		custom = s.findCustom(text)
	}
	var m detMask
	if len(text) >= minMatchLen {
		m = present(text).allowed(len(text)) & s.detMask
	}
	if len(custom) > 0 {
		m |= 1 << detCustom
	}
	if m == 0 {
		return dst
	}
	var dets [numDets]detector
	n := 0
	for ; m != 0; m &= m - 1 {
		dets[n] = detector(bits.TrailingZeros16(uint16(m)))
		n++
	}
	return s.merge(text, dets[:n], custom, dst)
}

// merge appends the non-overlapping matches of the detectors dets to dst.
func (s *Set) merge(text []byte, dets []detector, custom []Match, dst []Match) []Match {
	n := len(dets)
	var cur [numDets]cand
	for k, d := range dets {
		s.next(d, text, 0, custom, &cur[k])
	}
	for pos := 0; ; {
		best := -1
		for k := range cur[:n] {
			c := &cur[k]
			if c.ok && c.Start < pos {
				s.next(dets[k], text, pos, custom, c)
			}
			if c.ok && (best < 0 || c.before(&cur[best])) {
				best = k
			}
		}
		if best < 0 {
			return dst
		}
		dst = append(dst, cur[best].Match)
		pos = cur[best].End
	}
}

// next sets c to detector d's first match in text that starts at or after
// from. It writes c's fields one by one: a candidate returned by value and
// copied whole is slower (the copy waits for the callee's narrower stores).
func (s *Set) next(d detector, text []byte, from int, custom []Match, c *cand) {
	var k Kind
	var start, end int
	var ok bool
	switch d {
	case detIP:
		k, start, end, ok = s.nextIP(text, from)
	case detEmail:
		k = Email
		start, end, ok = nextEmail(text, from)
	case detWord:
		k, start, end, ok = s.nextWord(text, from)
	case detJWT:
		k = JWT
		start, end, ok = nextJWT(text, from)
	case detAuth:
		k = Auth
		start, end, ok = nextAuth(text, from)
	case detParam:
		k, start, end, ok = s.nextParam(text, from)
	case detUser:
		k = Token
		start, end, ok = nextUser(text, from)
	case detVendor:
		k = Secret
		start, end, ok = s.nextVendor(text, from)
	case detAddress:
		k = Address
		start, end, ok = nextStreet(text, from)
	case detCutArg:
		k = Token
		start, end, ok = nextCutArg(text, from)
	case detCustom:
		i, _ := slices.BinarySearchFunc(custom, from, func(m Match, from int) int { return m.Start - from })
		if i < len(custom) {
			c.Kind, c.Start, c.End, c.Pattern, c.ok = Custom, custom[i].Start, custom[i].End, custom[i].Pattern, true
			return
		}
	}
	c.Kind, c.Start, c.End, c.Pattern, c.ok = k, start, end, 0, ok
}

// nextIP returns the next address of an enabled IP kind.
func (s *Set) nextIP(text []byte, from int) (k Kind, start, end int, ok bool) {
	for from < len(text) {
		start, end, v6, ok := ipaddr.Next(text, from)
		if !ok {
			break
		}
		k := IPv4
		if v6 {
			k = IPv6
		}
		if s.kinds[k] && (v6 || !versionLike(text, start)) {
			return k, start, end, true
		}
		from = end
	}
	return 0, 0, 0, false
}

// findCustom returns the non-empty matches of every pattern in text, sorted
// as candidates.
func (s *Set) findCustom(text []byte) []Match {
	var ms []Match
	for i, p := range s.patterns {
		for _, loc := range p.re.FindAllSubmatchIndex(text, -1) {
			if p.group {
				loc = loc[2:]
			}
			if loc[0] >= 0 && loc[1] > loc[0] {
				ms = append(ms, Match{Kind: Custom, Start: loc[0], End: loc[1], Pattern: i})
			}
		}
	}
	slices.SortFunc(ms, func(a, b Match) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		if a.End != b.End {
			return b.End - a.End
		}
		return a.Pattern - b.Pattern
	})
	return ms
}
