package detect

import (
	"slices"

	"github.com/tarn-project/tarn/rules/ipaddr"
)

// detector identifies one scanner. A scanner may find several kinds.
type detector uint8

const (
	detIP detector = iota
	detEmail
	detWord // phone numbers, card numbers and IBANs
	detJWT
	detAuth
	detParam
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
	Email: 7, Phone: 8, IPv6: 9, IPv4: 10,
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
	var dets [numDets]detector
	n := 0
	if len(text) >= minMatchLen || len(custom) > 0 {
		p := present(text)
		for _, d := range s.dets {
			if p.allows(d, len(text)) {
				dets[n] = d
				n++
			}
		}
	}
	if n == 0 {
		return dst
	}
	var cur [numDets]cand
	for k, d := range dets[:n] {
		cur[k] = s.next(d, text, 0, custom)
	}
	for pos := 0; ; {
		best := -1
		for k := range cur[:n] {
			c := &cur[k]
			if c.ok && c.Start < pos {
				*c = s.next(dets[k], text, pos, custom)
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

// scanner is a detector of one kind that needs no configuration.
type scanner struct {
	kind Kind
	next func(text []byte, from int) (start, end int, ok bool)
}

// scanners are the single-kind detectors.
var scanners = [numDets]scanner{
	detEmail: {Email, nextEmail}, detJWT: {JWT, nextJWT}, detAuth: {Auth, nextAuth},
}

// next returns detector d's first match in text that starts at or after
// from.
func (s *Set) next(d detector, text []byte, from int, custom []Match) cand {
	switch d {
	case detIP:
		return s.nextIP(text, from)
	case detWord:
		return s.nextWord(text, from)
	case detParam:
		return s.nextParam(text, from)
	case detCustom:
		return nextCustom(custom, from)
	}
	sc := &scanners[d]
	start, end, ok := sc.next(text, from)
	return found(sc.kind, start, end, ok)
}

// found builds a candidate of kind k from a scanner's result.
func found(k Kind, start, end int, ok bool) cand {
	return cand{Match: Match{Kind: k, Start: start, End: end}, ok: ok}
}

// nextIP returns the next address of an enabled IP kind.
func (s *Set) nextIP(text []byte, from int) cand {
	for from < len(text) {
		start, end, v6, ok := ipaddr.Next(text, from)
		if !ok {
			break
		}
		k := IPv4
		if v6 {
			k = IPv6
		}
		if s.kinds[k] && (v6 || !zeroVersion(text, start, end)) {
			return found(k, start, end, true)
		}
		from = end
	}
	return cand{}
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

// nextCustom returns the first of the sorted custom matches that starts at
// or after from.
func nextCustom(ms []Match, from int) cand {
	i, _ := slices.BinarySearchFunc(ms, from, func(m Match, from int) int { return m.Start - from })
	if i < len(ms) {
		return cand{Match: ms[i], ok: true}
	}
	return cand{}
}

// zeroVersion reports whether the IPv4 "address" at [start,end) is a
// product version ending in ".0", such as "Chrome/120.0.0.0": truncating
// it would change nothing, so it is not reported. A version such as
// "Firefox/2.0.0.4" is reported (and truncated): fail closed.
func zeroVersion(text []byte, start, end int) bool {
	return end-start >= 2 && text[end-2] == '.' && text[end-1] == '0' && productVersion(text, start)
}

// productVersion reports whether the address at start is the version of a
// User-Agent product token such as "Chrome/120.0.0.0": it follows '/' and a
// capitalized word that starts after a space, '(' or ';' or the text.
func productVersion(text []byte, start int) bool {
	if start < 3 || text[start-1] != '/' {
		return false
	}
	w := start - 1
	for w > 0 && is(text[w-1], cAlpha) {
		w--
	}
	if start-1-w < 2 || !is(text[w], cUpper) {
		return false
	}
	return w == 0 || text[w-1] == ' ' || text[w-1] == '(' || text[w-1] == ';'
}
