package ipaddr

// Scan classes of a byte for Next, from the table below.
const (
	sRun   = 1 << iota // a hex digit, ':' or '.': part of an address token
	sWord              // a letter, digit or '_'
	sDigit             // 0-9
)

// scanClass holds the scan classes of every byte.
var scanClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		if class[c]&cHex != 0 {
			t[c] |= sRun
		}
		if class[c]&cWord != 0 {
			t[c] |= sWord
		}
		if class[c]&cDigit != 0 {
			t[c] |= sDigit
		}
	}
	t[':'] |= sRun
	t['.'] |= sRun
	return t
}()

// Next finds the first IPv4 or IPv6 address in text at or after from. The
// span [start,end) covers the address and its zone id, never brackets or a
// port. A token glued to letters, digits or '_' (as in "v1.2.3.4" or
// "std::map") is not an address. Next runs in time linear in the text.
//
// An address carried by the first labels of a reverse-DNS host name
// ("1-2-3-4.dyn.example.net", "p5B0C1D2E.dip0.t-ipconnect.de",
// "static.4.3.2.1.clients.your-server.de") is reported with the span of
// those labels, "4.3.2.1.in-addr.arpa" as a whole; AppendTruncatedAddr
// reads the address from such a span.
//
// Only these events are looked at closely: the start of a name (see
// hostAt), a run of hex digits, ':' and '.' that is not glued to a word on
// its left, and a digit that follows a letter or '_' (an address inside a
// host name, see hostV4). The bytes in between are skipped in a tight loop.
func Next(text []byte, from int) (start, end int, v6 bool, ok bool) {
	i := max(from, 0)
	prev := uint8(0) // scan class of text[i-1]
	if i > 0 && i <= len(text) {
		prev = scanClass[text[i-1]]
	}
	for i < len(text) {
		if prev&sWord != 0 {
			// Inside a word: only a digit after a letter or '_' matters.
			// The byte after the word is glued to it and starts nothing.
			for ; i < len(text); i++ {
				cur := scanClass[text[i]]
				if cur&sWord == 0 {
					break
				}
				if cur&sDigit != 0 && prev&sDigit == 0 {
					if e, ok := hostV4(text, i); ok {
						return i, e, false, true
					}
				}
				prev = cur
			}
			if i >= len(text) {
				break
			}
			prev = scanClass[text[i]]
			i++
			continue
		}
		for i < len(text) && scanClass[text[i]] == 0 {
			i++ // white space and punctuation
		}
		if i >= len(text) {
			break
		}
		if i == 0 || nameStart(text[i-1]) {
			if e, ok := hostAt(text, i); ok {
				return i, e, false, true
			}
		}
		prev = scanClass[text[i]]
		if prev&sRun == 0 {
			i++ // a letter or '_' starts a word
			continue
		}
		j := i + 1
		colon, dot := text[i] == ':', text[i] == '.'
		for j < len(text) && scanClass[text[j]]&sRun != 0 {
			colon = colon || text[j] == ':'
			dot = dot || text[j] == '.'
			j++
		}
		if colon || dot {
			if s, e, v6, ok := classify(text, i, j, colon); ok {
				if a, ok := inAddr(text, s); ok && !v6 {
					e = a // "4.3.2.1.in-addr.arpa" is one span
				}
				return s, e, v6, true
			}
			// "x:1.2.3.4", "::1.2.3.4:80": a run that is no address as a
			// whole may hold an IPv4 address after one of its colons.
			if colon && dot {
				if s, e, ok := v4AfterColon(text, i, j); ok {
					return s, e, false, true
				}
			}
			// ".2001:db8::1", ":::1": leading punctuation that starts no
			// address; look again after it (once per run).
			if k := skipPunct(text, i, j); k > i && k < j {
				i, prev = k, scanClass['.']
				continue
			}
		}
		// The rest of a word glued to the run starts nothing.
		prev = scanClass[text[j-1]]
		i = j
		for i < len(text) && scanClass[text[i]]&sWord != 0 {
			prev = scanClass[text[i]]
			i++
		}
	}
	return 0, 0, false, false
}

// nameStart reports whether a host name may start after c: c is no part of
// a name (a letter, digit, '_', '-' or '.').
func nameStart(c byte) bool {
	return class[c]&cWord == 0 && c != '-' && c != '.'
}

// v4AfterColon finds an IPv4 address right after a colon inside the run
// text[i:j], ending the run or followed by ':' (a port). Each try reads at
// most 15 bytes, so the search is linear.
func v4AfterColon(text []byte, i, j int) (start, end int, ok bool) {
	var a [4]byte
	for k := i + 1; k < j; k++ {
		if text[k-1] != ':' || class[text[k]]&cDigit == 0 {
			continue
		}
		if e, ok := scanV4(text[:j], k, &a); ok && (e == j || text[e] == ':') {
			return k, e, true
		}
	}
	return 0, 0, false
}

// skipPunct returns the index of the first byte of the run text[i:j] that
// is not '.' or ':'.
func skipPunct(text []byte, i, j int) int {
	for i < j && (text[i] == '.' || text[i] == ':') {
		i++
	}
	return i
}

// hostV4 finds an IPv4 address glued to letters on its left inside a host
// name, as in "host129.206.196.21.example.com": digits after a letter,
// followed by '.' and a letter.
func hostV4(text []byte, i int) (int, bool) {
	if i == 0 || class[text[i]]&cDigit == 0 || class[text[i-1]]&cDigit != 0 || class[text[i-1]]&cWord == 0 {
		return 0, false
	}
	var a [4]byte
	e, ok := scanV4(text, i, &a)
	return e, ok && e+1 < len(text) && text[e] == '.' && class[text[e+1]]&cWord != 0 && class[text[e+1]]&cDigit == 0
}

// classify decides whether the run text[i:j] holds an address.
func classify(text []byte, i, j int, colon bool) (start, end int, v6 bool, ok bool) {
	// The byte after the run is no hex digit, ':' or '.'; a letter or '_'
	// there glues the run into a word.
	glued := j < len(text) && class[text[j]]&cWord != 0
	var a [4]byte
	if !colon {
		e, ok := scanV4(text[:j], i, &a)
		return i, e, false, ok && v4End(text, e, j, glued)
	}
	run := trimTrailing(text[i:j])
	end = i + len(run)
	if e, ok := zoned(text, run, end); ok {
		return i, e, true, true
	}
	if !glued || end < j {
		var b [16]byte
		if _, ok := parseV6(run, &b); ok {
			return i, end, true, true
		}
		// "::ffff:1.2.3.4:21": an address followed by a port; "0::1::",
		// an address followed by colons.
		k := portStart(run)
		if k < 0 && len(run) > 2 && run[len(run)-1] == ':' && run[len(run)-2] == ':' {
			k = len(run) - 2
		}
		if k > 0 {
			head := trimTrailing(run[:k]) // "2001:db8::7..::"
			if _, ok := parseV6(head, &b); ok {
				return i, i + len(head), true, true
			}
		}
	}
	// "1.2.3.4:80": an IPv4 address followed by a port.
	if e, ok := scanV4(text[:j], i, &a); ok && e < j && text[e] == ':' {
		return i, e, false, true
	}
	return 0, 0, false, false
}

// zoned accepts an IPv6 address run followed by a zone id at text[end].
func zoned(text, run []byte, end int) (int, bool) {
	if end >= len(text) || text[end] != '%' {
		return 0, false
	}
	z := end + 1
	for z < len(text) && class[text[z]]&cZone != 0 {
		z++
	}
	for z > end+1 && text[z-1] == '.' {
		z-- // a sentence's full stop, not the zone's
	}
	var b [16]byte
	if _, ok := parseV6(run, &b); !ok || z == end+1 {
		return 0, false
	}
	return z, true
}

// portStart returns the index of a trailing ":digits" in run, or -1.
func portStart(run []byte) int {
	k := len(run)
	for k > 0 && class[run[k-1]]&cDigit != 0 {
		k--
	}
	if k == len(run) || k < 2 || run[k-1] != ':' || run[k-2] == ':' {
		return -1
	}
	return k - 1
}

// v4End accepts an IPv4 address ending at e inside a run ending at j: the
// run ends with the address, or the address is followed by one '.' and no
// digit — the end of a sentence, or a host name built from the address
// ("059.45.101.203.dsl.example.net"), which must be truncated too.
func v4End(text []byte, e, j int, glued bool) bool {
	switch {
	case e == j:
		return !glued
	case e < j && text[e] == '.':
		return e+1 == len(text) || class[text[e+1]]&cDigit == 0
	}
	return false
}

// trimTrailing drops a trailing '.' or a single trailing ':' that ends a
// sentence or a "key: value" label rather than the address.
func trimTrailing(b []byte) []byte {
	for {
		switch n := len(b); {
		case n > 0 && b[n-1] == '.':
			b = b[:n-1]
		case n > 2 && b[n-1] == ':' && b[n-2] != ':':
			b = b[:n-1]
		default:
			return b
		}
	}
}
