package format

import "bytes"

// logfmtKey marks the bytes allowed in a logfmt key: anything but
// whitespace, control bytes, '=' and '"'.
var logfmtKey = func() (t [256]bool) {
	for c := 0x21; c < 0x100; c++ {
		t[c] = c != '=' && c != '"' && c != 0x7f
	}
	return t
}()

// isLogfmtSpace reports whether c separates logfmt tokens.
func isLogfmtSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// startsWithLogfmtPair reports whether b begins with "key=".
func startsWithLogfmtPair(b []byte) bool {
	i := skipKey(b, 0)
	return i > 0 && i < len(b) && b[i] == '='
}

// skipKey returns the index of the first non-key byte at or after i.
func skipKey(b []byte, i int) int {
	for i < len(b) && logfmtKey[b[i]] {
		i++
	}
	return i
}

// skipWord returns the index of the first whitespace byte at or after i.
func skipWord(b []byte, i int) int {
	for i < len(b) && !isLogfmtSpace(b[i]) {
		i++
	}
	return i
}

// scanLogfmtQuoted returns the index of the closing quote of the quoted
// string opened at b[i] (a backslash escapes the next byte) and whether it
// holds a backslash; the index is -1 if the string is not closed.
func scanLogfmtQuoted(b []byte, i int) (int, bool) {
	esc := false
	for j := i + 1; j < len(b); {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			break
		}
		q += j
		if k := bytes.IndexByte(b[j:q], '\\'); k >= 0 {
			esc = true
			j += k + 2
			continue
		}
		return q, esc
	}
	return -1, esc
}

// parseLogfmt parses "key=value key2="quoted value" word" sequences. Bare
// words and quoted strings without a key become fields with an empty path,
// so that free text between the pairs is scrubbed like any value. A line
// needs at least one pair; an unterminated quoted value, or one not followed
// by whitespace, rejects the line.
func (r *Record) parseLogfmt(timeKeys [][]byte) bool {
	b := r.Line
	pairs := 0
	for i := 0; i < len(b); {
		switch c := b[i]; {
		case isLogfmtSpace(c):
			i++
		case c == '"':
			e, esc := scanLogfmtQuoted(b, i)
			if e < 0 {
				r.addField(nil, Span{}, Span{i, len(b)}, Bare, false, -1)
				i = len(b)
				continue
			}
			r.addField(nil, Span{}, Span{i + 1, e}, String, esc, -1)
			i = e + 1
		default:
			k := skipKey(b, i)
			if k == i || k >= len(b) || b[k] != '=' {
				e := skipWord(b, k)
				r.addField(nil, Span{}, Span{i, e}, Bare, false, -1)
				i = e
				continue
			}
			if i = r.logfmtPair(i, k, timeKeys); i < 0 {
				return false
			}
			pairs++
		}
	}
	if pairs == 0 {
		return false
	}
	r.Format = Logfmt
	return true
}

// logfmtPair adds the pair whose key spans b[ks:eq] (b[eq] == '=') and
// returns the index after its value, or -1.
func (r *Record) logfmtPair(ks, eq int, timeKeys [][]byte) int {
	b := r.Line
	v := eq + 1
	val, kind, esc, end := Span{v, v}, Bare, false, v
	if v < len(b) && b[v] == '"' {
		var e int
		if e, esc = scanLogfmtQuoted(b, v); e < 0 || (e+1 < len(b) && !isLogfmtSpace(b[e+1])) {
			return -1
		}
		val, kind, end = Span{v + 1, e}, String, e+1
	} else {
		end = skipWord(b, v)
		val.End = end
	}
	i := r.addField(b[ks:eq:eq], Span{ks, eq}, val, kind, esc, -1)
	if len(timeKeys) > 0 {
		r.matchTime(i, timeKeys)
	}
	return end
}
