package corpus

import "strconv"

// Address families of clients. The family is a fixed function of the
// client index so that the share of lines per family does not depend on
// which clients the Zipf draw makes the busiest: about 3% of clients are
// IPv4-mapped IPv6, 15% IPv6 and the rest IPv4.
const (
	famV4 = iota
	famV6
	famMapped
)

// family returns the address family of client c.
func family(c int) int {
	switch {
	case c%32 == 7:
		return famMapped
	case c%20 == 2 || c%20 == 9 || c%20 == 16:
		return famV6
	}
	return famV4
}

// appendClientIP appends the address of client c; the same client always
// has the same address for a given seed.
func (g *Generator) appendClientIP(dst []byte, c int) []byte {
	h := mix(g.seed, uint64(c), 2)
	switch family(c) {
	case famMapped:
		dst = append(dst, "::ffff:"...)
		return appendV4(dst, h)
	case famV6:
		return appendV6(dst, h)
	}
	return appendV4(dst, h)
}

// appendV4 appends a public-looking or documentation IPv4 address drawn
// from the bits of h.
func appendV4(dst []byte, h uint64) []byte {
	var a [4]byte
	if h%8 == 0 {
		p := v4DocPrefixes[(h>>3)%uint64(len(v4DocPrefixes))]
		a = [4]byte{p[0], p[1], p[2], 0}
	} else {
		a = [4]byte{v4FirstOctets[(h>>3)%uint64(len(v4FirstOctets))], byte(h >> 16), byte(h >> 24), 0}
	}
	a[3] = byte(1 + (h>>32)%254) // never .0 or .255
	for i, b := range a {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendUint(dst, uint64(b), 10)
	}
	return dst
}

// appendV6 appends an IPv6 address: a /32 prefix from v6Prefixes, two
// more prefix groups, then either a short "::x" interface id (servers,
// routers) or four random groups (SLAAC and privacy addresses).
func appendV6(dst []byte, h uint64) []byte {
	dst = append(dst, v6Prefixes[h%uint64(len(v6Prefixes))]...)
	h2 := mix(h, 0, 3)
	dst = strconv.AppendUint(dst, (h>>8)&0xffff, 16)
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, (h>>24)&0xffff, 16)
	if h>>40&3 == 0 {
		dst = append(dst, "::"...)
		return strconv.AppendUint(dst, 1+(h>>42)&0xfff, 16)
	}
	for i := 0; i < 4; i++ {
		dst = append(dst, ':')
		dst = strconv.AppendUint(dst, h2>>(16*i)&0xffff, 16)
	}
	return dst
}

// appendXFF appends an X-Forwarded-For value: "-" for most requests, else
// one to three addresses (other clients and private proxy addresses).
func (g *Generator) appendXFF(dst []byte) []byte {
	if g.rng.IntN(10) < 7 {
		return append(dst, '-')
	}
	n := 1 + g.rng.IntN(3)
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		if i > 0 && g.rng.IntN(2) == 0 {
			dst = append(dst, "10."...)
			dst = strconv.AppendInt(dst, int64(g.rng.IntN(256)), 10)
			dst = append(dst, '.')
			dst = strconv.AppendInt(dst, int64(g.rng.IntN(256)), 10)
			dst = append(dst, '.')
			dst = strconv.AppendInt(dst, int64(1+g.rng.IntN(254)), 10)
			continue
		}
		dst = g.appendClientIP(dst, g.rng.IntN(g.clients))
	}
	return dst
}
