package rules

import (
	"bytes"
	"time"

	"github.com/tarn-project/tarn/rules/ipaddr"
	"github.com/tarn-project/tarn/rules/pseudo"
)

// Normalize appends the canonical form of an identifier, the bytes its
// pseudonym is computed from, so that one client or user gets one pseudonym
// however the log spelled it: an IP address in canonical form (zone id
// dropped), an e-mail address lower-cased with "%40" decoded, anything else
// as it is.
func Normalize(dst, v []byte) []byte {
	if a, ok := ipaddr.ParseV4(v); ok {
		return ipaddr.AppendV4(dst, a)
	}
	if a, _, dotted, ok := ipaddr.ParseV6(v); ok {
		return ipaddr.AppendV6(dst, a, dotted && ipaddr.IsMapped(a))
	}
	at := bytes.IndexByte(v, '@')
	enc := -1
	if at < 0 {
		enc = indexFold40(v)
	}
	if at < 0 && enc < 0 {
		return append(dst, v...)
	}
	for i := 0; i < len(v); i++ {
		if i == enc {
			dst = append(dst, '@')
			i += 2
			continue
		}
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// indexFold40 finds "%40" in v.
func indexFold40(v []byte) int {
	for i := 0; i+2 < len(v); i++ {
		if v[i] == '%' && v[i+1] == '4' && v[i+2] == '0' {
			return i
		}
	}
	return -1
}

// Pseudonym computes the pseudonym of value as the rules do for a record of
// time t: hex of the given length and the ipv6 form. It is what
// `tarn pseudonym` prints so an SRE can search for one client.
func Pseudonym(key []byte, rotation pseudo.Rotation, t time.Time, value []byte, length int) (hex, ipv6 string) {
	mac := pseudo.New(key, rotation, 1).Sum(t, Normalize(nil, value))
	return string(pseudo.AppendHex(nil, mac, length)), string(pseudo.AppendIPv6(nil, mac))
}
