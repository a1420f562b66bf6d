package detect

// nextEmail finds the first e-mail address at or after from: a local part
// (plus-tags included, or quoted: `"john doe"@example.com`), '@' or its URL
// encoding "%40", and a domain with at least one dot whose last label has
// two or more letters, or the start of a domain cut by "..." (see
// cutDomainEnd). The display name of an address in angle brackets
// (`Hannah Schwarz <h.schwarz@example.de>`) is a match of its own, found
// before the address (see displayName).
//
// It looks for separators and expands around each one. The local part of a
// separator never reaches back past the previous separator and a domain
// never reaches past the next one, so every byte is looked at a bounded
// number of times.
func nextEmail(text []byte, from int) (start, end int, ok bool) {
	seps := newPair('@', '%')
	for i := max(from, 0); ; {
		if i = seps.next(text, i); i < 0 {
			break
		}
		n := sepLen(text, i)
		if n == 0 {
			i++
			continue
		}
		s := localStart(text, i, from)
		if s == i {
			s = quotedLocal(text, i, from)
		}
		e := domainEnd(text, i+n)
		cut := false
		if e == i+n {
			e, cut = cutDomainEnd(text, i+n)
		}
		if s < i && (e > i+n || cut) {
			if ns, ne, ok := displayName(text, s, e, from); ok {
				return ns, ne, true
			}
			return s, e, true
		}
		i += n
	}
	return 0, 0, false
}

// sepLen returns the length of the '@' or "%40" at text[i], or 0.
func sepLen(text []byte, i int) int {
	switch {
	case text[i] == '@':
		return 1
	case text[i] == '%' && i+2 < len(text) && text[i+1] == '4' && text[i+2] == '0':
		return 3
	}
	return 0
}

// localStart returns the start of the local part that ends at the separator
// at sep, not before from; sep when there is none. A '%' is part of it only
// as a percent-encoded byte other than "%40"; leading dots are not.
func localStart(text []byte, sep, from int) int {
	s := sep
	for s > from {
		c := text[s-1]
		if is(c, cLocal) {
			s--
			continue
		}
		if c == '%' && sep-s >= 2 && is(text[s], cHex) && is(text[s+1], cHex) {
			if text[s] == '4' && text[s+1] == '0' {
				s += 2 // "%40" separates; its digits are not ours
				break
			}
			s--
			continue
		}
		break
	}
	for s < sep && text[s] == '.' {
		s++
	}
	return s
}

// domainEnd returns the end of the domain that starts at i, or i when the
// bytes there are not a domain with a dot and a top-level label of two or
// more letters. A domain ends before ".." and trailing dots or hyphens.
func domainEnd(text []byte, i int) int {
	e := i
	for e < len(text) && is(text[e], cDomain) {
		if text[e] == '.' && (e == i || text[e-1] == '.') {
			break
		}
		e++
	}
	for e > i && (text[e-1] == '.' || text[e-1] == '-') {
		e--
	}
	dot := e - 1
	for dot >= i && text[dot] != '.' {
		if !is(text[dot], cAlpha) {
			return i
		}
		dot--
	}
	if dot <= i || e-dot-1 < 2 {
		return i
	}
	return e
}

// cutDomainEnd returns the end of the start of a domain at i that "..."
// cuts off ("anna@exampl...", "anna@..."), and true; i and false when the
// host name characters at i do not end in "...". PHP cuts every string
// argument of a stack trace after zend.exception_string_param_max_len
// bytes (15 by default) and appends "..."; an address cut there has lost
// its top-level label but not its local part, which is still personal.
func cutDomainEnd(text []byte, i int) (int, bool) {
	e := i
	for e < len(text) && is(text[e], cDomain) {
		if text[e] == '.' && e+2 < len(text) && text[e+1] == '.' && text[e+2] == '.' {
			return e, true
		}
		e++
	}
	return i, false
}
