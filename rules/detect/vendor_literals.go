package detect

import (
	"bytes"
	"regexp/syntax"
	"unicode/utf8"
)

// A rule's keywords decide whether its regex runs, but many keywords are
// weaker than the regex: gitleaks' lob-api-key runs on "live_" and
// "test_" (so on every Stripe key), while every match of its regex holds
// "lob"; gocardless-api-token runs on "live_" and needs "gocardless".
// Such regexes begin with `(?i)[\w.-]{0,50}?`, which RE2 cannot skip
// ahead for, so running them costs about a microsecond per byte of text.
// Before a candidate rule's regex runs, its needed literals are looked
// for: the literals that every match must hold, read from the parsed
// regex. A set of alternatives ("live|test") counts when one of them is
// there.

// literalSet is a set of alternative literals, one of which every match
// holds; fold marks a case-insensitive literal.
type literalSet []literal

type literal struct {
	s    string
	fold bool
}

// neededLiterals returns the literal sets of the regex expr (in Go's
// syntax, as regexp.Compile parses it). Literals shorter than two bytes
// and non-ASCII literals are left out: they filter too little or would
// need Unicode case folding.
func neededLiterals(expr string) []literalSet {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return needed(re)
}

// needed returns the literal sets every match of re holds.
func needed(re *syntax.Regexp) []literalSet {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return needed(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return needed(re.Sub[0])
		}
	case syntax.OpConcat:
		var out []literalSet
		for _, sub := range re.Sub {
			out = append(out, needed(sub)...)
		}
		return out
	case syntax.OpLiteral:
		if l, ok := literalOf(re); ok {
			return []literalSet{{l}}
		}
	case syntax.OpAlternate:
		var set literalSet
		for _, sub := range re.Sub {
			l, ok := literalOf(sub)
			if !ok {
				return nil
			}
			set = append(set, l)
		}
		return []literalSet{set}
	}
	return nil
}

// literalOf returns re as one usable literal: a literal, maybe captured.
func literalOf(re *syntax.Regexp) (literal, bool) {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpLiteral || len(re.Rune) < 2 {
		return literal{}, false
	}
	b := make([]byte, 0, len(re.Rune))
	for _, r := range re.Rune {
		if r >= utf8.RuneSelf {
			return literal{}, false
		}
		b = append(b, byte(r))
	}
	fold := re.Flags&syntax.FoldCase != 0
	if fold {
		b = bytes.ToLower(b)
	}
	return literal{string(b), fold}, true
}

// literalsIn reports whether text holds a literal of every set. A text
// with non-ASCII bytes passes: a case-insensitive regex matches "K"
// (U+212A KELVIN SIGN) for 'k' and "ſ" for 's', which a byte comparison
// would miss.
func literalsIn(sets []literalSet, text []byte, ascii bool) bool {
	if !ascii {
		return true
	}
	for _, set := range sets {
		if !anyLiteralIn(set, text) {
			return false
		}
	}
	return true
}

// anyLiteralIn reports whether text holds one of the literals of set.
func anyLiteralIn(set literalSet, text []byte) bool {
	for _, l := range set {
		if !l.fold && bytes.Contains(text, []byte(l.s)) || l.fold && containsFold(text, l.s) {
			return true
		}
	}
	return false
}

// containsFold reports whether text holds the lower-case ASCII word w in
// any case.
func containsFold(text []byte, w string) bool {
	for i := 0; i+len(w) <= len(text); {
		j := indexFold(text[i:len(text)-len(w)+1], w[0])
		if j < 0 {
			return false
		}
		if hasFold(text, i+j, w) {
			return true
		}
		i += j + 1
	}
	return false
}

// isASCII reports whether b holds only ASCII bytes.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
