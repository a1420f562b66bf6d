package anonip

import (
	"bytes"
	"math/bits"

	"github.com/tarn-project/tarn/rules/internal/ascii"
)

// This file re-implements the parts of CPython 3.11's ipaddress module that
// anonip 1.1.0 relies on (the Debian build of 3.11.2 with its security
// back-ports, which is what /usr/bin/anonip runs): strict parsing of
// addresses and networks, is_private, supernet truncation, "+ increment" and
// str().

// addr is an IPv4 (v6 == false, value in lo) or IPv6 address.
type addr struct {
	hi, lo uint64
	v6     bool
}

// network is an ipaddress.IPv4Network/IPv6Network parsed with strict=True:
// the address has no host bits set below prefix.
type network struct {
	a      addr
	prefix int
}

// maxPrefixDigits mirrors CPython's int() limit of 4300 digits
// (sys.get_int_max_str_digits); longer digit strings are invalid prefixes.
const maxPrefixDigits = 4300

func (a addr) width() int {
	if a.v6 {
		return 128
	}
	return 32
}

// maskLow returns a with all bits below the top `keep` bits cleared.
func (a addr) maskLow(keep int) addr {
	hiMask, loMask := prefixMask(keep + 128 - a.width())
	a.hi &= hiMask
	a.lo &= loMask
	return a
}

// prefixMask returns the 128-bit mask with the top n bits set.
func prefixMask(n int) (hi, lo uint64) {
	switch {
	case n <= 0:
		return 0, 0
	case n < 64:
		return ^uint64(0) << (64 - n), 0
	case n < 128:
		return ^uint64(0), ^uint64(0) << (128 - n)
	}
	return ^uint64(0), ^uint64(0)
}

// add returns a+n, or ok=false when the sum leaves the address space
// (Python raises AddressValueError, which anonip logs and ignores).
func (a addr) add(n uint64) (addr, bool) {
	lo, carry := bits.Add64(a.lo, n, 0)
	hi, over := bits.Add64(a.hi, 0, carry)
	if over != 0 || (!a.v6 && (hi != 0 || lo > 0xFFFFFFFF)) {
		return a, false
	}
	return addr{hi: hi, lo: lo, v6: a.v6}, true
}

// parseV4 parses a dotted quad exactly like IPv4Address: four decimal
// octets, ASCII digits only, at most 3 digits, no leading zeros, <= 255.
func parseV4(s []byte) (uint32, bool) {
	var v uint32
	octets, i := 0, 0
	for {
		start, n := i, 0
		for i < len(s) && s[i]-'0' <= 9 {
			if i-start == 3 {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
			i++
		}
		if i == start || (i-start > 1 && s[start] == '0') || n > 255 {
			return 0, false
		}
		v = v<<8 | uint32(n)
		octets++
		if i == len(s) {
			return v, octets == 4
		}
		if s[i] != '.' || octets == 4 {
			return 0, false
		}
		i++
	}
}

// v6part is one ':'-separated field of an IPv6 text form.
type v6part struct {
	s      []byte
	val    uint16
	parsed bool // val already known (the two halves of a dotted suffix)
}

// empty reports whether the field is empty text.
func (p v6part) empty() bool { return !p.parsed && len(p.s) == 0 }

// parseV6 parses an IPv6 address without zone exactly like
// IPv6Address._ip_int_from_string (hex digits of either case).
func parseV6(s []byte) (hi, lo uint64, ok bool) {
	var parts [10]v6part
	n := 0
	for start := 0; ; {
		end := start
		for end < len(s) && s[end] != ':' {
			end++
		}
		if n == 9 {
			return 0, 0, false // more than 8 colons
		}
		parts[n] = v6part{s: s[start:end]}
		n++
		if end == len(s) {
			break
		}
		start = end + 1
	}
	if n < 3 {
		return 0, 0, false
	}
	if bytes.IndexByte(parts[n-1].s, '.') >= 0 {
		v4, ok4 := parseV4(parts[n-1].s)
		if !ok4 {
			return 0, 0, false
		}
		parts[n-1] = v6part{val: uint16(v4 >> 16), parsed: true}
		parts[n] = v6part{val: uint16(v4), parsed: true}
		n++
		if n > 9 {
			return 0, 0, false
		}
	}
	hiParts, loParts, ok := v6Layout(parts[:n])
	if !ok {
		return 0, 0, false
	}
	var words [8]uint16
	for i := 0; i < hiParts; i++ {
		if words[i], ok = parts[i].hextet(); !ok {
			return 0, 0, false
		}
	}
	for i := 0; i < loParts; i++ {
		if words[8-loParts+i], ok = parts[n-loParts+i].hextet(); !ok {
			return 0, 0, false
		}
	}
	for i := 0; i < 4; i++ {
		hi = hi<<16 | uint64(words[i])
		lo = lo<<16 | uint64(words[4+i])
	}
	return hi, lo, true
}

// v6Layout applies Python's '::' rules and returns how many parts are
// copied from before and after the skipped run of zeros.
func v6Layout(parts []v6part) (hiParts, loParts int, ok bool) {
	n := len(parts)
	skip := -1
	for i := 1; i < n-1; i++ {
		if parts[i].empty() {
			if skip >= 0 {
				return 0, 0, false
			}
			skip = i
		}
	}
	if skip < 0 {
		if n != 8 || parts[0].empty() || parts[n-1].empty() {
			return 0, 0, false
		}
		return n, 0, true
	}
	hiParts, loParts = skip, n-skip-1
	if parts[0].empty() {
		if hiParts--; hiParts != 0 {
			return 0, 0, false
		}
	}
	if parts[n-1].empty() {
		if loParts--; loParts != 0 {
			return 0, 0, false
		}
	}
	if 8-(hiParts+loParts) < 1 {
		return 0, 0, false
	}
	return hiParts, loParts, true
}

// hextet parses one field: 1-4 hex digits.
func (p v6part) hextet() (uint16, bool) {
	if p.parsed {
		return p.val, true
	}
	if len(p.s) == 0 || len(p.s) > 4 {
		return 0, false
	}
	var v uint16
	for _, c := range p.s {
		d := ascii.HexVal[c]
		if d < 0 {
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}

// splitZone splits "addr%zone" like IPv6Address._split_scope_id: the zone,
// when a '%' is present, must be non-empty and contain no further '%'.
func splitZone(s []byte) (a []byte, ok bool) {
	i := bytes.IndexByte(s, '%')
	if i < 0 {
		return s, true
	}
	zone := s[i+1:]
	return s[:i], len(zone) > 0 && bytes.IndexByte(zone, '%') < 0
}

// parseAddr parses a bare address like ipaddress.ip_network(s) does for a
// string without '/': IPv4 first, then IPv6 (zone allowed).
func parseAddr(s []byte) (addr, bool) {
	if v, ok := parseV4(s); ok {
		return addr{lo: uint64(v)}, true
	}
	a, ok := splitZone(s)
	if !ok {
		return addr{}, false
	}
	hi, lo, ok := parseV6(a)
	return addr{hi: hi, lo: lo, v6: true}, ok
}

// parseNetwork is ipaddress.ip_network(s) with strict=True.
func parseNetwork(s []byte) (network, bool) {
	slash := bytes.IndexByte(s, '/')
	if slash < 0 {
		a, ok := parseAddr(s)
		return network{a: a, prefix: a.width()}, ok
	}
	ip, mask := s[:slash], s[slash+1:]
	if bytes.IndexByte(mask, '/') >= 0 {
		return network{}, false
	}
	var a addr
	var prefix int
	if v, ok := parseV4(ip); ok {
		a = addr{lo: uint64(v)}
		if prefix, ok = v4Prefix(mask); !ok {
			return network{}, false
		}
	} else {
		z, ok := splitZone(ip)
		if !ok {
			return network{}, false
		}
		if a.hi, a.lo, ok = parseV6(z); !ok {
			return network{}, false
		}
		a.v6 = true
		if prefix, ok = decimalPrefix(mask, 128); !ok {
			return network{}, false
		}
	}
	if a.maskLow(prefix) != a {
		return network{}, false // "has host bits set"
	}
	return network{a: a, prefix: prefix}, true
}

// decimalPrefix parses a prefix length: ASCII digits only (leading zeros
// allowed, at most maxPrefixDigits of them), value 0..max.
func decimalPrefix(s []byte, max int) (int, bool) {
	if len(s) == 0 || len(s) > maxPrefixDigits {
		return 0, false
	}
	v := 0
	for _, c := range s {
		if c-'0' > 9 {
			return 0, false
		}
		if v = v*10 + int(c-'0'); v > max {
			return 0, false
		}
	}
	return v, true
}

// v4Prefix parses an IPv4 netmask: a prefix length, or a dotted netmask
// (1*0*) or hostmask (0*1*), as IPv4Network._make_netmask does.
func v4Prefix(s []byte) (int, bool) {
	if p, ok := decimalPrefix(s, 32); ok {
		return p, true
	}
	m, ok := parseV4(s)
	if !ok {
		return 0, false
	}
	if p, ok := contiguousPrefix(m); ok {
		return p, true
	}
	return contiguousPrefix(^m)
}

// contiguousPrefix returns n when m is n one bits followed by zero bits.
func contiguousPrefix(m uint32) (int, bool) {
	n := bits.LeadingZeros32(^m)
	return n, m<<uint(n) == 0 || n == 32
}
