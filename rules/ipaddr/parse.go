// Package ipaddr parses, finds and truncates IPv4 and IPv6 addresses in byte
// slices without allocating.
//
// It accepts the forms found in real logs: leading zeros in IPv4 octets
// (read as decimal), mixed-case IPv6, embedded IPv4 (`::ffff:1.2.3.4`), zone
// ids (`fe80::1%eth0`), ports (`1.2.3.4:80`), brackets (`[2001:db8::1]:443`)
// and comma-separated lists (`X-Forwarded-For: a, b, c`).
package ipaddr

import "github.com/tarn-project/tarn/rules/internal/ascii"

// class bits of a byte, from the table below.
const (
	cDigit = 1 << iota // 0-9
	cHex               // 0-9 a-f A-F
	cWord              // letters, digits, '_'
	cZone              // characters allowed in a zone id
	cLabel             // letters, digits and '-': a host name label
)

var class = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= cDigit | cHex | cWord | cZone
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cWord | cZone
		t[c-'a'+'A'] |= cWord | cZone
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] |= cHex
		t[c-'a'+'A'] |= cHex
	}
	for c := 0; c < 256; c++ {
		if t[c]&cWord != 0 {
			t[c] |= cLabel
		}
	}
	t['_'] |= cWord | cZone
	t['-'] |= cZone | cLabel
	t['.'] |= cZone
	return t
}()

// ParseV4 parses a dotted-quad IPv4 address that fills all of b. Octets have
// one to three decimal digits; leading zeros are read as decimal, as most
// web servers log them.
func ParseV4(b []byte) (a [4]byte, ok bool) {
	n, ok := scanV4(b, 0, &a)
	return a, ok && n == len(b)
}

// scanV4 parses a dotted quad at b[i:] into a and returns its end.
func scanV4(b []byte, i int, a *[4]byte) (int, bool) {
	for k := 0; k < 4; k++ {
		if k > 0 {
			if i >= len(b) || b[i] != '.' {
				return 0, false
			}
			i++
		}
		v, digits := 0, 0
		for i < len(b) && class[b[i]]&cDigit != 0 && digits < 3 {
			v = v*10 + int(b[i]-'0')
			i++
			digits++
		}
		if digits == 0 || v > 255 {
			return 0, false
		}
		a[k] = byte(v)
	}
	if i < len(b) && class[b[i]]&cDigit != 0 {
		return 0, false
	}
	return i, true
}

// ParseV6 parses an IPv6 address that fills all of b, with an optional zone
// id after '%'. zone is the index of the '%' (len(b) when there is none);
// dotted reports whether the last 32 bits were written as an IPv4 address.
func ParseV6(b []byte) (a [16]byte, zone int, dotted bool, ok bool) {
	zone = len(b)
	for i, c := range b {
		if c == '%' {
			zone = i
			break
		}
	}
	if zone < len(b) && !validZone(b[zone+1:]) {
		return a, zone, false, false
	}
	dotted, ok = parseV6(b[:zone], &a)
	return a, zone, dotted, ok
}

func validZone(z []byte) bool {
	if len(z) == 0 {
		return false
	}
	for _, c := range z {
		if class[c]&cZone == 0 {
			return false
		}
	}
	return true
}

// parseV6 parses an IPv6 address without zone filling all of b.
func parseV6(b []byte, a *[16]byte) (dotted bool, ok bool) {
	if len(b) < 2 {
		return false, false
	}
	ellipsis := -1 // byte index in a where "::" stood
	n := 0         // bytes of a filled
	i := 0
	if b[0] == ':' {
		if b[1] != ':' {
			return false, false
		}
		ellipsis, i = 0, 2
		if i == len(b) {
			return false, true
		}
	}
	for i < len(b) {
		if n == 16 {
			return false, false
		}
		// An embedded IPv4 address ends the address.
		if n <= 12 && looksV4(b[i:]) {
			var v4 [4]byte
			if end, ok := scanV4(b, i, &v4); !ok || end != len(b) {
				return false, false
			}
			copy(a[n:], v4[:])
			n += 4
			dotted = true
			break
		}
		v, digits := 0, 0
		for i < len(b) && class[b[i]]&cHex != 0 && digits < 4 {
			v = v<<4 | int(ascii.HexVal[b[i]])
			i++
			digits++
		}
		if digits == 0 {
			return false, false
		}
		a[n], a[n+1] = byte(v>>8), byte(v)
		n += 2
		if i == len(b) {
			break
		}
		if b[i] != ':' {
			return false, false
		}
		i++
		if i == len(b) {
			return false, false // trailing single colon
		}
		if b[i] == ':' {
			if ellipsis >= 0 {
				return false, false
			}
			ellipsis = n
			i++
		}
	}
	return dotted, expand(a, n, ellipsis)
}

// expand moves the groups after "::" to the end of a.
func expand(a *[16]byte, n, ellipsis int) bool {
	if ellipsis < 0 {
		return n == 16
	}
	if n == 16 {
		return false // "::" must stand for at least one group
	}
	gap := 16 - n
	copy(a[ellipsis+gap:], a[ellipsis:n])
	for j := ellipsis; j < ellipsis+gap; j++ {
		a[j] = 0
	}
	return true
}

// looksV4 reports whether b starts with digits followed by '.', the start of
// an embedded IPv4 address.
func looksV4(b []byte) bool {
	for j := 0; j < len(b) && j < 4; j++ {
		if b[j] == '.' {
			return j > 0
		}
		if class[b[j]]&cDigit == 0 {
			return false
		}
	}
	return false
}

// IsMapped reports whether a is an IPv4-mapped IPv6 address (::ffff:0:0/96).
func IsMapped(a [16]byte) bool {
	for _, c := range a[:10] {
		if c != 0 {
			return false
		}
	}
	return a[10] == 0xff && a[11] == 0xff
}
