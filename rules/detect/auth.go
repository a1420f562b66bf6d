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
	i := max(from, 0)
	prevAlnum := at(text, i-1, cAlnum)
	for ; i < len(text); i++ {
		c := text[i]
		skip := prevAlnum || (c|0x20 != 'a' && c|0x20 != 'b')
		prevAlnum = is(c, cAlnum)
		if skip {
			continue
		}
		if s, e, ok := authAt(text, i); ok {
			return s, e, true
		}
	}
	return 0, 0, false
}

// authAt tries the keywords at i.
func authAt(text []byte, i int) (start, end int, ok bool) {
	switch {
	case hasFoldPrefix(text, i, "authorization"):
		return authHeader(text, i+len("authorization"))
	case hasFoldPrefix(text, i, "bearer"):
		return bareCred(text, i+len("bearer"), false)
	case hasFoldPrefix(text, i, "basic"):
		return bareCred(text, i+len("basic"), true)
	}
	return 0, 0, false
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
