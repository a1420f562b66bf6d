package anonip

import (
	"bytes"
	"unicode/utf8"
)

// anonip works on Python str values: stdin is decoded as UTF-8 with the
// surrogateescape error handler (the default in the C, POSIX and C.UTF-8
// locales and in Python's UTF-8 mode), so every byte that is not part of a
// valid UTF-8 sequence becomes one lone surrogate and is written back
// unchanged. A "unit" below is one Python character: a valid UTF-8 sequence
// or one escaped byte. Go's utf8.DecodeRune splits invalid input into exactly
// the same units (width-1 errors), so byte offsets map 1:1 to Python
// positions; only where a byte match could start or end inside a multi-byte
// sequence do the helpers here have to check unit boundaries.

// asciiSpace marks the ASCII characters str.isspace() accepts.
var asciiSpace = [128]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true,
	0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true, ' ': true}

// rstrip is Python's str.rstrip(): it drops trailing whitespace, including
// the non-ASCII characters str.isspace() accepts (U+0085, U+00A0, U+1680,
// U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
func rstrip(b []byte) []byte {
	for len(b) > 0 {
		c := b[len(b)-1]
		n := 0
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				n = 1
			}
		} else {
			n = trailingUnicodeSpace(b)
		}
		if n == 0 {
			return b
		}
		b = b[:len(b)-n]
	}
	return b
}

// trailingUnicodeSpace returns the length of a non-ASCII whitespace
// character at the end of b, or 0. A lead byte always starts a unit, so a
// complete sequence at the end is always one Python character.
func trailingUnicodeSpace(b []byte) int {
	if n := len(b); n >= 2 && b[n-2] == 0xc2 && (b[n-1] == 0x85 || b[n-1] == 0xa0) {
		return 2
	}
	n := len(b)
	if n < 3 {
		return 0
	}
	r, size := utf8.DecodeRune(b[n-3:])
	if size != 3 {
		return 0
	}
	switch {
	case r == 0x1680, r >= 0x2000 && r <= 0x200a, r == 0x2028, r == 0x2029,
		r == 0x202f, r == 0x205f, r == 0x3000:
		return 3
	}
	return 0
}

// atBoundary reports whether byte offset i of b is between two Python
// characters, i.e. not inside a valid multi-byte UTF-8 sequence.
func atBoundary(b []byte, i int) bool {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		c := b[j]
		if c < 0x80 {
			return true
		}
		if c >= 0xc0 { // a lead byte always starts a unit
			_, size := utf8.DecodeRune(b[j:])
			return j+size <= i
		}
	}
	return true
}

// boundarySafe reports whether every byte occurrence of needle is also an
// occurrence of the Python string: true unless needle starts with a
// continuation byte or ends with an incomplete (but so far valid) sequence.
func boundarySafe(needle []byte) bool {
	if len(needle) == 0 || needle[0]&0xc0 == 0x80 {
		return len(needle) == 0
	}
	for j := len(needle) - 1; j >= 0 && j >= len(needle)-3; j-- {
		c := needle[j]
		if c < 0x80 {
			return true
		}
		if c >= 0xc0 {
			return utf8.FullRune(needle[j:])
		}
	}
	return true
}

// appendReplaceAll appends Python's hay.replace(needle, repl) to dst:
// non-overlapping, leftmost occurrences whose ends are character
// boundaries. needle must not be empty. hay, needle and repl must not
// alias dst's unused capacity.
func appendReplaceAll(dst, hay, needle, repl []byte) []byte {
	if boundarySafe(needle) {
		for {
			i := bytes.Index(hay, needle)
			if i < 0 {
				return append(dst, hay...)
			}
			dst = append(dst, hay[:i]...)
			dst = append(dst, repl...)
			hay = hay[i+len(needle):]
		}
	}
	return appendReplaceChecked(dst, hay, needle, repl)
}

// appendReplaceChecked is the slow path of appendReplaceAll for needles whose
// byte matches may split a character: it finds all byte occurrences in one
// Knuth-Morris-Pratt pass (linear time even for periodic needles) and
// keeps the boundary-aligned, non-overlapping ones. It allocates the
// failure table; it only runs for needles with broken UTF-8 at an end.
func appendReplaceChecked(dst, hay, needle, repl []byte) []byte {
	fail := make([]int, len(needle))
	for i, k := 1, 0; i < len(needle); i++ {
		for k > 0 && needle[i] != needle[k] {
			k = fail[k-1]
		}
		if needle[i] == needle[k] {
			k++
		}
		fail[i] = k
	}
	last := 0 // hay[:last] has been copied to dst
	for i, k := 0, 0; i < len(hay); i++ {
		for k > 0 && hay[i] != needle[k] {
			k = fail[k-1]
		}
		if hay[i] == needle[k] {
			k++
		}
		if k < len(needle) {
			continue
		}
		start := i + 1 - len(needle)
		k = fail[k-1]
		if start >= last && atBoundary(hay, start) && atBoundary(hay, i+1) {
			dst = append(dst, hay[last:start]...)
			dst = append(dst, repl...)
			last = i + 1
		}
	}
	return append(dst, hay[last:]...)
}

// unitCount returns the number of Python characters in b.
func unitCount(b []byte) int {
	n := 0
	for len(b) > 0 {
		_, size := utf8.DecodeRune(b)
		b = b[size:]
		n++
	}
	return n
}

// isUnsafeURLByte marks the characters urlsplit deletes everywhere.
func isUnsafeURLByte(c byte) bool { return c == '\t' || c == '\r' || c == '\n' }

// onlyUnsafeURLBytes reports whether b is empty once urlsplit has deleted
// its tabs, CRs and LFs.
func onlyUnsafeURLBytes(b []byte) bool {
	for _, c := range b {
		if !isUnsafeURLByte(c) {
			return false
		}
	}
	return true
}

// firstURLByte returns the first byte of b that urlsplit keeps.
func firstURLByte(b []byte) (byte, bool) {
	for _, c := range b {
		if !isUnsafeURLByte(c) {
			return c, true
		}
	}
	return 0, false
}

// appendURLBytes appends b without tabs, CRs and LFs, lower-casing ASCII
// letters when lower is set.
func appendURLBytes(dst, b []byte, lower bool) []byte {
	for _, c := range b {
		if isUnsafeURLByte(c) {
			continue
		}
		if lower && c-'A' < 26 {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
