package pseudo

import (
	"encoding/binary"
	"encoding/hex"
	"math/bits"
)

const hexDigits = "0123456789abcdef"

// AppendHex appends the first n lower-case hex digits of mac to dst, with n
// clamped to 8..64 (callers default to 16). It allocates only if dst lacks
// capacity.
func AppendHex(dst []byte, mac [32]byte, n int) []byte {
	n = min(max(n, 8), 64)
	dst = hex.AppendEncode(dst, mac[:(n+1)/2])
	return dst[:len(dst)-n%2]
}

// AppendIPv6 appends a unique-local IPv6 address in fd00::/8: byte 0 is 0xfd,
// bytes 1..15 are mac[0:15]. The text is canonical RFC 5952 (lower-case, no
// leading zeros, the first longest run of two or more zero groups written as
// "::"), so netip.ParseAddr(s).String() == s.
func AppendIPv6(dst []byte, mac [32]byte) []byte {
	var g [8]uint16
	g[0] = 0xfd00 | uint16(mac[0])
	for i := 1; i < 8; i++ {
		g[i] = binary.BigEndian.Uint16(mac[2*i-1:])
	}
	zs, ze := longestZeroRun(&g)
	var buf [39]byte
	w := 0
	for i := 0; i < 8; i++ {
		switch {
		case i == zs:
			buf[w], buf[w+1] = ':', ':'
			w += 2
			i = ze - 1
			continue
		case i > 0 && i != ze:
			buf[w] = ':'
			w++
		}
		w += putGroup(buf[w:], g[i])
	}
	return append(dst, buf[:w]...)
}

// longestZeroRun returns the first longest run [start, end) of at least two
// zero groups, or (-1, -1).
func longestZeroRun(g *[8]uint16) (start, end int) {
	start, end = -1, -1
	for i := 0; i < 8; {
		if g[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && g[j] == 0 {
			j++
		}
		if j-i >= 2 && j-i > end-start {
			start, end = i, j
		}
		i = j
	}
	return start, end
}

// putGroup writes v in hex without leading zeros ("0" for zero) to b and
// returns the number of bytes written (1..4).
func putGroup(b []byte, v uint16) int {
	d := [4]byte{hexDigits[v>>12], hexDigits[v>>8&0xf], hexDigits[v>>4&0xf], hexDigits[v&0xf]}
	n := max((bits.Len16(v)+3)/4, 1)
	return copy(b, d[4-n:])
}

// pow10 holds 10^0 .. 10^15.
var pow10 = func() (t [16]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// AppendDecimal appends a number of exactly digits decimal digits (clamped to
// 1..15, so it fits a JSON number exactly as float64) whose first digit is
// not zero: 10^(d-1) + x mod 9·10^(d-1), x the big-endian uint64 of mac[0:8].
func AppendDecimal(dst []byte, mac [32]byte, digits int) []byte {
	d := min(max(digits, 1), 15)
	lo := pow10[d-1]
	v := lo + binary.BigEndian.Uint64(mac[:8])%(9*lo)
	var buf [15]byte
	for i := d - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:d]...)
}

// AppendEmail appends AppendHex(mac, n) as the local part and, when domain is
// non-empty, "@" and domain with ASCII letters lower-cased (other bytes are
// copied unchanged). A nil or empty domain yields only the local part.
func AppendEmail(dst []byte, mac [32]byte, n int, domain []byte) []byte {
	dst = AppendHex(dst, mac, n)
	if len(domain) == 0 {
		return dst
	}
	dst = append(dst, '@')
	for _, c := range domain {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
