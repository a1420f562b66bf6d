package ipaddr

import "strconv"

// Prefix is how many leading bits of an address truncation keeps.
type Prefix struct {
	// V4 is the IPv4 prefix length, 0..32 (default 24).
	V4 int
	// V6 is the IPv6 prefix length, 0..128 (default 48).
	V6 int
}

// DefaultPrefix keeps a /24 of IPv4 and a /48 of IPv6 addresses.
var DefaultPrefix = Prefix{V4: 24, V6: 48}

// MaskBits zeroes all bits of a after the first keep bits.
func MaskBits(a []byte, keep int) {
	for i := range a {
		switch {
		case keep >= 8:
			keep -= 8
		case keep <= 0:
			a[i] = 0
		default:
			a[i] &= ^byte(0xff >> keep)
			keep = 0
		}
	}
}

// AppendV4 appends a in dotted-quad form.
func AppendV4(dst []byte, a [4]byte) []byte {
	for i, c := range a {
		if i > 0 {
			dst = append(dst, '.')
		}
		d := &octets[c]
		dst = append(dst, d[4-d[0]:]...)
	}
	return dst
}

// octets holds the decimal digits of every byte value, right-aligned in
// the last three bytes after their count: writing an address is the hot
// path of truncation.
var octets = func() (t [256][4]byte) {
	for v := range t {
		s := strconv.Itoa(v)
		t[v][0] = byte(len(s))
		copy(t[v][4-len(s):], s)
	}
	return t
}()

// AppendV6 appends a in canonical RFC 5952 form: lower case, no leading
// zeros, the longest run of two or more zero groups written as "::". When
// dotted is set, the last 32 bits are written as an IPv4 address.
func AppendV6(dst []byte, a [16]byte, dotted bool) []byte {
	groups := 8
	if dotted {
		groups = 6
	}
	zs, zl := zeroRun(a, groups)
	for g := 0; g < groups; g++ {
		if g == zs {
			dst = append(dst, ':', ':')
			g += zl - 1
			continue
		}
		if g > 0 && g != zs+zl {
			dst = append(dst, ':')
		}
		dst = strconv.AppendUint(dst, uint64(a[2*g])<<8|uint64(a[2*g+1]), 16)
	}
	if dotted {
		if zs+zl != groups {
			dst = append(dst, ':')
		}
		dst = AppendV4(dst, [4]byte{a[12], a[13], a[14], a[15]})
	}
	return dst
}

// zeroRun finds the first longest run of at least two zero groups among the
// first n groups; start is -1 when there is none.
func zeroRun(a [16]byte, n int) (start, length int) {
	start = -1
	for g := 0; g < n; {
		if a[2*g] != 0 || a[2*g+1] != 0 {
			g++
			continue
		}
		e := g
		for e < n && a[2*e] == 0 && a[2*e+1] == 0 {
			e++
		}
		if e-g > length && e-g >= 2 {
			start, length = g, e-g
		}
		g = e
	}
	return start, length
}

// AppendTruncatedAddr appends the truncated form of one bare address (no
// port, brackets or list; a zone id is dropped). IPv4-mapped IPv6 addresses
// are truncated with the IPv4 prefix and keep their form. b may also be the
// span Next reports for an address inside a host name ("ip-1-2-3-4",
// "p5B0C1D2E", "static.4.3.2.1": the truncated address in dotted-quad form;
// "4.3.2.1.in-addr.arpa": "0.3.2.1.in-addr.arpa"), or a whole host name
// starting with such labels, whose domain is kept ("1.2.3.0.dyn.example.net").
// ok is false when b is not an address; nothing is appended then.
func AppendTruncatedAddr(dst, b []byte, p Prefix) ([]byte, bool) {
	if v4, ok := ParseV4(b); ok {
		MaskBits(v4[:], p.V4)
		return AppendV4(dst, v4), true
	}
	a, _, dotted, ok := ParseV6(b)
	if !ok {
		return appendTruncatedHost(dst, b, p)
	}
	if IsMapped(a) {
		MaskBits(a[12:], p.V4)
	} else {
		MaskBits(a[:], p.V6)
	}
	return AppendV6(dst, a, dotted), true
}

// AppendTruncated appends value with every address in it truncated. value
// may be one address or a comma-separated list; each element may carry a
// port (`1.2.3.4:80`, `[::1]:443`) and surrounding spaces, which are kept.
// A "-" or empty element (nginx's empty marker) is kept as it is. ok is
// false when any element is not an address; dst is then returned unchanged.
func AppendTruncated(dst, value []byte, p Prefix) ([]byte, bool) {
	orig := len(dst)
	for start := 0; start <= len(value); {
		end := start
		for end < len(value) && value[end] != ',' {
			end++
		}
		var ok bool
		if dst, ok = appendElement(dst, value[start:end], p); !ok {
			return dst[:orig], false
		}
		if end < len(value) {
			dst = append(dst, ',')
		}
		start = end + 1
	}
	return dst, true
}

// appendElement truncates one list element with optional spaces and port.
func appendElement(dst, e []byte, p Prefix) ([]byte, bool) {
	lead := 0
	for lead < len(e) && (e[lead] == ' ' || e[lead] == '\t') {
		lead++
	}
	trail := len(e)
	for trail > lead && (e[trail-1] == ' ' || e[trail-1] == '\t') {
		trail--
	}
	dst = append(dst, e[:lead]...)
	core := e[lead:trail]
	if len(core) == 0 || (len(core) == 1 && core[0] == '-') {
		dst = append(dst, core...)
		return append(dst, e[trail:]...), true
	}
	addr, before, after := splitHostPort(core)
	dst = append(dst, before...)
	dst, ok := AppendTruncatedAddr(dst, addr, p)
	if !ok {
		return dst, false
	}
	dst = append(dst, after...)
	return append(dst, e[trail:]...), true
}

// splitHostPort separates brackets and port from an address:
// "[a]:p" → a, "[", "]:p"; "1.2.3.4:80" → 1.2.3.4, "", ":80".
func splitHostPort(b []byte) (addr, before, after []byte) {
	if b[0] == '[' {
		for i := 1; i < len(b); i++ {
			if b[i] == ']' {
				if isPort(b[i+1:]) {
					return b[1:i], b[:1], b[i:]
				}
				break
			}
		}
		return b, nil, nil
	}
	colons, last := 0, -1
	for i, c := range b {
		if c == ':' {
			colons++
			last = i
		}
	}
	if colons == 1 && isPort(b[last:]) {
		return b[:last], nil, b[last:]
	}
	return b, nil, nil
}

// isPort reports whether b is empty or ":digits".
func isPort(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	if b[0] != ':' || len(b) < 2 || len(b) > 6 {
		return false
	}
	for _, c := range b[1:] {
		if class[c]&cDigit == 0 {
			return false
		}
	}
	return true
}
