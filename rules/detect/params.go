package detect

// nextParam finds the first secret or token at or after from: the
// user information of a URL ("scheme://user:pass@host", a Secret), or the
// value of a parameter named in the configuration, written as `name=value`
// (query strings, forms, cookies, logfmt), `"name":"value"` (JSON) or
// `name: value` (headers, text). The span is the value only.
func (s *Set) nextParam(text []byte, from int) (k Kind, start, end int, ok bool) {
	seps := newPair('=', ':')
	for i := max(from, 1) - 1; ; {
		if i = seps.next(text, i+1); i < 0 {
			break
		}
		c := text[i]
		if c == ':' && hasPrefix(text, i+1, "//") {
			if st, e, ok := userinfo(text, i+3); ok && s.kinds[Secret] {
				return Secret, st, e, true
			}
			continue
		}
		k, ok := s.paramName(text, i)
		if !ok || !s.kinds[k] {
			continue
		}
		if st, e, ok := paramValue(text, i+1, c == ':'); ok {
			return k, st, e, true
		}
	}
	return 0, 0, 0, false
}

// userinfo returns the span of the user information of the URL authority
// starting at i: everything before the last '@' of the authority.
func userinfo(text []byte, i int) (start, end int, ok bool) {
	last := -1
	for j := i; j < len(text); j++ {
		switch c := text[j]; {
		case c == '@':
			last = j
		case c <= ' ' || c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' ||
			c == '<' || c == '>' || c == '\\' || c == 0x7f:
			return i, last, last > i
		}
	}
	return i, last, last > i
}

// paramName looks up the name that ends before the separator at sep,
// optionally in quotes, and preceded by the start of the text or a byte
// that is not part of a name. Case, '-' and '_' are ignored. A
// query-only name counts only after '?' or '&' and before '='.
func (s *Set) paramName(text []byte, sep int) (Kind, bool) {
	e := sep
	if text[e-1] == '"' || text[e-1] == '\'' {
		e--
	}
	b, n, first, last := s.nameStart(text, e)
	if n < s.nameLen[0] || n > s.nameLen[1] {
		return 0, false
	}
	if bit := uint64(1) << (n - 1); s.firstLen[lower(first)]&bit == 0 || s.lastLen[lower(last)]&bit == 0 {
		return 0, false // no name of this length starts and ends like this one
	}
	var buf [maxNameLen]byte
	p, ok := s.names[string(foldName(buf[:0], text[b:e]))]
	if ok && p.query && (text[sep] != '=' || b == 0 || text[b-1] != '?' && text[b-1] != '&') {
		return 0, false
	}
	return p.kind, ok
}

// nameStart scans back from e over name bytes and returns the start b of
// the name, its folded length n (0 when longer than any name, or when it
// is not preceded by the start of the text or a non-name byte) and its
// first and last folded bytes.
func (s *Set) nameStart(text []byte, e int) (b, n int, first, last byte) {
	for b = e; b > 0 && is(text[b-1], cName); b-- {
		c := text[b-1]
		if c == '-' || c == '_' {
			continue
		}
		if n++; n > s.nameLen[1] {
			return b, 0, 0, 0
		}
		if n == 1 {
			last = c
		}
		first = c
	}
	return b, n, first, last
}

// paramValue returns the span of the value after a separator ending at i.
// A value ends at '&', ';', white space, a quote, ',', '#', '?' (a query
// after a path parameter) or a control byte; a quoted value may hold spaces. After ':' spaces are skipped.
func paramValue(text []byte, i int, colon bool) (start, end int, ok bool) {
	if colon {
		i = skipSpaces(text, i)
		if i < len(text) && (text[i] == '{' || text[i] == '[') {
			return 0, 0, false // `"user":{…}`: an object or array, whose own keys are parameters
		}
	}
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		q := text[i]
		e := i + 1
		for e < len(text) && text[e] != q && text[e] >= ' ' {
			if text[e] == '\\' && e+1 < len(text) && text[e+1] >= ' ' {
				e++
			}
			e++
		}
		return i + 1, e, e > i+1
	}
	e := i
	for e < len(text) && !valueEnd[text[e]] {
		e++
	}
	return i, e, e > i
}

// valueEnd marks the bytes that end an unquoted parameter value.
var valueEnd = func() (t [256]bool) {
	for c := 0; c <= ' '; c++ {
		t[c] = true
	}
	for _, c := range []byte("&;\"',#?\x7f") {
		t[c] = true
	}
	return t
}()
