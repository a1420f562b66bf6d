package anonip

import (
	"bytes"
	"unicode/utf8"
)

// ipRef is what anonip's extract_ip found in a string: the parsed network
// and where its ip_str (the text anonip later searches and replaces) comes
// from.
type ipRef struct {
	net   network
	whole bool // ip_str is the whole string (ip_network(column) parsed)
	// Otherwise ip_str is urlparse("//"+s).hostname: the host at [hs, he)
	// lower-cased, plus "%" and the zone at [he+1, ze) when ze > he. Both
	// still contain the tabs/CRs/LFs that urlsplit deletes.
	hs, he, ze int
}

// maxHostLen bounds the text of a parseable address (45 for the longest
// IPv6 form with a dotted suffix); longer hosts cannot parse.
const maxHostLen = 48

// extractIP is anonip's Anonip.extract_ip: first the whole string as an
// ipaddress.ip_network, then the hostname urllib.parse.urlparse finds in
// "//" + s after one trailing ']' is cut off.
func extractIP(s []byte) (ipRef, bool) {
	if n, ok := parseNetwork(s); ok {
		return ipRef{net: n, whole: true}, true
	}
	return extractHost(s)
}

// extractHost is the urlparse branch of extract_ip.
func extractHost(s []byte) (ipRef, bool) {
	if n := len(s); n > 0 && s[n-1] == ']' && (s[0] != '[' || (n >= 2 && s[n-2] == ']')) {
		s = s[:n-1]
	}
	netloc := s[:netlocEnd(s)]
	ob, cb := bytes.IndexByte(netloc, '['), bytes.IndexByte(netloc, ']')
	if (ob < 0) != (cb < 0) || !nfkcSafe(netloc) {
		return ipRef{}, false // "Invalid IPv6 URL" / NFKC check
	}
	hi := bytes.LastIndexByte(netloc, '@') + 1 // start of hostinfo
	if ob < 0 {
		he := bytes.IndexByte(netloc[hi:], ':')
		if he < 0 {
			he = len(netloc)
		} else {
			he += hi
		}
		return hostRef(s, hi, he, he, false)
	}
	hob := bytes.IndexByte(netloc[hi:], '[')
	if hob < 0 || !onlyUnsafeURLBytes(netloc[hi:hi+hob]) {
		return ipRef{}, false // brackets only in userinfo, or data before '['
	}
	hs := hi + hob + 1
	he := len(netloc)
	if c := bytes.IndexByte(netloc[hs:], ']'); c >= 0 {
		he = hs + c
		if c, ok := firstURLByte(netloc[he+1:]); ok && c != ':' {
			return ipRef{}, false // data between ']' and ':'
		}
	}
	ze := he
	if p := bytes.IndexByte(netloc[hs:he], '%'); p >= 0 {
		he = hs + p
	}
	return hostRef(s, hs, he, ze, true)
}

// netlocEnd returns where urlsplit's netloc ends: the first '/', '?' or '#'.
func netlocEnd(s []byte) int {
	for i, c := range s {
		if c == '/' || c == '?' || c == '#' {
			return i
		}
	}
	return len(s)
}

// hostRef parses the hostname s[hs:he] (zone s[he+1:ze] when ze > he) the
// way ipaddress.ip_network(hostname) does after urlsplit deleted tabs, CRs
// and LFs. Unbracketed hosts can only be IPv4, bracketed ones only IPv6.
func hostRef(s []byte, hs, he, ze int, v6 bool) (ipRef, bool) {
	var buf [maxHostLen]byte
	n := 0
	for _, c := range s[hs:he] {
		if isUnsafeURLByte(c) {
			continue
		}
		if n == len(buf) {
			return ipRef{}, false
		}
		buf[n] = c
		n++
	}
	host := buf[:n]
	ref := ipRef{hs: hs, he: he, ze: ze}
	if !v6 {
		v, ok := parseV4(host)
		ref.net = network{a: addr{lo: uint64(v)}, prefix: 32}
		return ref, ok
	}
	if ze > he && !validZone(s[he+1:ze]) {
		return ipRef{}, false
	}
	h, l, ok := parseV6(host)
	ref.net = network{a: addr{hi: h, lo: l, v6: true}, prefix: 128}
	return ref, ok
}

// validZone reports whether a zone id is non-empty and free of '%' once
// tabs, CRs and LFs are deleted.
func validZone(z []byte) bool {
	return !onlyUnsafeURLBytes(z) && bytes.IndexByte(z, '%') < 0
}

// appendNeedle returns ip_str for a hostname reference into in: a sub-slice
// of in when no byte needs to change, else the text built at the end of
// dst. matchable is false when deleting tabs inside the zone joined bytes
// into a different character, so that ip_str cannot occur in any string.
func (r ipRef) appendNeedle(dst, in []byte) (out, needle []byte, matchable bool) {
	end := r.he
	if r.ze > r.he {
		end = r.ze
	}
	if !needsRewrite(in[r.hs:r.he], true) && !needsRewrite(in[r.he:end], false) {
		return dst, in[r.hs:end], true
	}
	start := len(dst)
	dst = appendURLBytes(dst, in[r.hs:r.he], true)
	if r.ze <= r.he {
		return dst, dst[start:], true
	}
	dst = append(dst, '%')
	zs := len(dst)
	zone := in[r.he+1 : r.ze]
	dst = appendURLBytes(dst, zone, false)
	removed := len(zone) - (len(dst) - zs)
	return dst, dst[start:], unitCount(dst[zs:]) == unitCount(zone)-removed
}

// needsRewrite reports whether b contains a byte urlsplit deletes or, for
// the host part, an upper-case ASCII letter that hostname lower-cases.
func needsRewrite(b []byte, host bool) bool {
	for _, c := range b {
		if isUnsafeURLByte(c) || (host && c-'A' < 26) {
			return true
		}
	}
	return false
}

// nfkcSafe is urllib.parse._checknetloc: a netloc with a character whose
// NFKC form contains '/', '?', '#', '@' or ':' is rejected. The characters
// are listed in nfkcBad (Unicode 14, as in Python 3.11).
func nfkcSafe(netloc []byte) bool {
	for i := 0; i < len(netloc); {
		if netloc[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(netloc[i:])
		i += size
		for _, bad := range nfkcBad {
			if r == bad {
				return false
			}
		}
	}
	return true
}

// nfkcBad lists every code point whose NFKC normalization contains one of
// "/?#@:" (computed with Python 3.11's unicodedata, Unicode 14.0).
var nfkcBad = [...]rune{
	0x2047, 0x2048, 0x2049, 0x2100, 0x2101, 0x2105, 0x2106, 0x2a74, 0xfe13,
	0xfe16, 0xfe55, 0xfe56, 0xfe5f, 0xfe6b, 0xff03, 0xff0f, 0xff1a, 0xff1f,
	0xff20,
}
