package anonip

import "strconv"

// cidr is a literal network used by the is_private tables.
type cidr struct {
	a      addr
	prefix int
}

func (c cidr) contains(a addr) bool {
	return a.v6 == c.a.v6 && a.maskLow(c.prefix) == c.a
}

func v4net(a, b, c, d byte, prefix int) cidr {
	return cidr{a: addr{lo: uint64(a)<<24 | uint64(b)<<16 | uint64(c)<<8 | uint64(d)}, prefix: prefix}
}

func v6net(hi uint64, lo uint64, prefix int) cidr {
	return cidr{a: addr{hi: hi, lo: lo, v6: true}, prefix: prefix}
}

// The is_private tables of the Debian build of Python 3.11 that
// /usr/bin/anonip runs (_IPv4Constants/_IPv6Constants, including the
// _private_networks_exceptions back-ported from 3.11.10).
var (
	private4 = []cidr{
		v4net(0, 0, 0, 0, 8), v4net(10, 0, 0, 0, 8), v4net(127, 0, 0, 0, 8),
		v4net(169, 254, 0, 0, 16), v4net(172, 16, 0, 0, 12), v4net(192, 0, 0, 0, 24),
		v4net(192, 0, 0, 170, 31), v4net(192, 0, 2, 0, 24), v4net(192, 168, 0, 0, 16),
		v4net(198, 18, 0, 0, 15), v4net(198, 51, 100, 0, 24), v4net(203, 0, 113, 0, 24),
		v4net(240, 0, 0, 0, 4), v4net(255, 255, 255, 255, 32),
	}
	private4Except = []cidr{v4net(192, 0, 0, 9, 32), v4net(192, 0, 0, 10, 32)}
	private6       = []cidr{
		v6net(0, 1, 128), v6net(0, 0, 128), v6net(0, 0xffff_0000_0000, 96),
		v6net(0x0064_ff9b_0001_0000, 0, 48), v6net(0x0100_0000_0000_0000, 0, 64),
		v6net(0x2001_0000_0000_0000, 0, 23), v6net(0x2001_0db8_0000_0000, 0, 32),
		v6net(0x2002_0000_0000_0000, 0, 16), v6net(0xfc00_0000_0000_0000, 0, 7),
		v6net(0xfe80_0000_0000_0000, 0, 10),
	}
	private6Except = []cidr{
		v6net(0x2001_0001_0000_0000, 1, 128), v6net(0x2001_0001_0000_0000, 2, 128),
		v6net(0x2001_0003_0000_0000, 0, 32), v6net(0x2001_0004_0112_0000, 0, 48),
		v6net(0x2001_0020_0000_0000, 0, 28), v6net(0x2001_0030_0000_0000, 0, 28),
	}
)

// isPrivate is IPv4Address.is_private / IPv6Address.is_private; an
// IPv4-mapped IPv6 address takes the answer of its IPv4 address.
func isPrivate(a addr) bool {
	if a.v6 && a.hi == 0 && a.lo>>32 == 0xffff {
		a = addr{lo: a.lo & 0xffffffff}
	}
	in, except := private4, private4Except
	if a.v6 {
		in, except = private6, private6Except
	}
	return anyContains(in, a) && !anyContains(except, a)
}

func anyContains(nets []cidr, a addr) bool {
	for _, n := range nets {
		if n.contains(a) {
			return true
		}
	}
	return false
}

// appendAddr appends str(a) as Python prints it: dotted quad, or lower-case
// hex hextets with the first longest run (>= 2) of zero hextets as "::".
// IPv4-mapped addresses are printed in hex too (Python < 3.13).
func appendAddr(dst []byte, a addr) []byte {
	if !a.v6 {
		for i := 3; i >= 0; i-- {
			dst = strconv.AppendUint(dst, a.lo>>(8*uint(i))&0xff, 10)
			if i > 0 {
				dst = append(dst, '.')
			}
		}
		return dst
	}
	var w [8]uint64
	for i := 0; i < 4; i++ {
		w[i] = a.hi >> (48 - 16*uint(i)) & 0xffff
		w[4+i] = a.lo >> (48 - 16*uint(i)) & 0xffff
	}
	zs, zl := longestZeroRun(&w)
	for i := 0; i < 8; i++ {
		if i == zs {
			dst = append(dst, "::"...)
			i += zl - 1
			continue
		}
		if i > 0 && i != zs+zl {
			dst = append(dst, ':')
		}
		dst = strconv.AppendUint(dst, w[i], 16)
	}
	return dst
}

// longestZeroRun returns the start and length of the first longest run of
// zero hextets, or (-1, 0) when no run is at least 2 long.
func longestZeroRun(w *[8]uint64) (start, length int) {
	start = -1
	for i := 0; i < 8; {
		if w[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && w[j] == 0 {
			j++
		}
		if j-i > length {
			start, length = i, j-i
		}
		i = j
	}
	if length < 2 {
		return -1, 0
	}
	return start, length
}
