package detect

// authMinCred is the shortest credential taken after a bare scheme word.
const authMinCred = 8

// nextAuth finds the first HTTP credential at or after from and returns the
// span of the credential only: the token after "Bearer" or "Basic" (any
// case, after a word boundary), and the credential of an "Authorization:"
// or "Authorization=" header or parameter with any scheme, or none.
//
// A bare "Bearer"/"Basic" needs a credential of at least 8 token68
// characters that is not all lower-case letters (so "basic authentication"
// is prose, not a credential); a Basic credential must also be padded
// base64.
func nextAuth(text []byte, from int) (start, end int, ok bool) {
	// The keywords are looked for with bytes.IndexByte: "bearer" and
	// "basic" at each 'b' or 'B', "authorization" at each 'z' or 'Z' (seven
	// bytes in). Both searches cover windows of keyword positions that
	// double in size, so that a hit of one does not make the other search
	// far past it: the scan stays linear over many calls.
	for lo, win := max(from, 0), 64; lo < len(text); lo, win = lo+win, min(2*win, 1<<30) {
		hi := lo + min(len(text)-lo, win)
		bk, bs, be, bok := bareIn(text, lo, hi)
		if bok {
			hi = bk
		}
		if s, e, ok := headerIn(text, lo, hi); ok {
			return s, e, true
		}
		if bok {
			return bs, be, true
		}
	}
	return 0, 0, false
}

// bareIn finds the first "Bearer" or "Basic" credential whose keyword
// starts in [lo,hi) after a word boundary, and returns the keyword's offset
// and the credential's span.
func bareIn(text []byte, lo, hi int) (kw, start, end int, ok bool) {
	bs := newPair('b', 'B')
	for i := lo; ; i++ {
		if i = bs.next(text[:hi], i); i < 0 {
			return 0, 0, 0, false
		}
		if at(text, i-1, cAlnum) {
			continue
		}
		switch {
		case hasFoldPrefix(text, i, "bearer"):
			start, end, ok = bareCred(text, i+len("bearer"), false)
		case hasFoldPrefix(text, i, "basic"):
			start, end, ok = bareCred(text, i+len("basic"), true)
		}
		if ok {
			return i, start, end, true
		}
	}
}

// headerIn finds the first "Authorization" header or parameter whose name
// starts in [lo,hi) after a word boundary, and returns its credential.
func headerIn(text []byte, lo, hi int) (start, end int, ok bool) {
	const z = len("authori") // the offset of the 'z'
	if hi+z > len(text) {
		hi = len(text) - z
	}
	if hi <= lo {
		return 0, 0, false
	}
	zs := newPair('z', 'Z')
	for k := lo + z; ; k++ {
		if k = zs.next(text[:hi+z], k); k < 0 {
			return 0, 0, false
		}
		i := k - z
		if !at(text, i-1, cAlnum) && hasFoldPrefix(text, i, "authorization") {
			if s, e, ok := authHeader(text, i+len("authorization")); ok {
				return s, e, true
			}
		}
	}
}

// authHeader reads `: [scheme ]credential` after a header name ending at j;
// quotes around the name or the value (JSON) are allowed.
func authHeader(text []byte, j int) (start, end int, ok bool) {
	if hasPrefix(text, j, `"`) || hasPrefix(text, j, `'`) {
		j++
	}
	if !hasPrefix(text, j, ":") && !hasPrefix(text, j, "=") {
		return 0, 0, false
	}
	j = skipSpaces(text, j+1)
	if hasPrefix(text, j, `"`) || hasPrefix(text, j, `'`) {
		j++
	}
	w := runEnd(text, j, cAlpha)
	if w > j && w < len(text) && (text[w] == ' ' || text[w] == '\t') {
		if k := skipSpaces(text, w); at(text, k, cTok68) {
			j = k // skip the scheme
		}
	}
	e := tok68End(text, j)
	return j, e, e > j
}

// bareCred reads the credential after a scheme word ending at j.
func bareCred(text []byte, j int, basic bool) (start, end int, ok bool) {
	if j >= len(text) || (text[j] != ' ' && text[j] != '\t') {
		return 0, 0, false
	}
	s := skipSpaces(text, j)
	e := tok68End(text, s)
	if e-s < authMinCred || at(text, e, cWord) {
		return 0, 0, false
	}
	prose := true
	for _, c := range text[s:e] {
		prose = prose && is(c, cLower)
	}
	if prose || (basic && !isBase64(text[s:e])) {
		return 0, 0, false
	}
	return s, e, true
}

// tok68End returns the end of the token68 credential starting at i,
// trailing '=' padding included.
func tok68End(text []byte, i int) int {
	e := runEnd(text, i, cTok68)
	for e > i && e < len(text) && text[e] == '=' {
		e++
	}
	return e
}

// isBase64 reports whether b is padded standard base64.
func isBase64(b []byte) bool {
	if len(b)%4 != 0 {
		return false
	}
	for _, c := range b {
		if !is(c, cAlnum) && c != '+' && c != '/' && c != '=' {
			return false
		}
	}
	return true
}

// skipSpaces returns the index of the first byte at or after i that is not
// a space or a tab.
func skipSpaces(text []byte, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}
