package detect

// minMatchLen is the length of the shortest text any built-in detector can
// match in: "::", an IPv6 address.
const minMatchLen = 2

// Trigger bits: which bytes a text holds. Trigger k is bit 7k, the bottom
// of a 7-bit field in which present counts the bytes (see presentSum).
const (
	pDigit uint64 = 1 << (7 * iota) // 0-9
	pDot                            // '.'
	pColon                          // ':'
	pEq                             // '='
	pAt                             // '@' or '%' (of "%40")
	pJ                              // 'J' (of "eyJ")
	pB                              // 'b' or 'B' (of "Bearer", "Basic")
	pZ                              // 'z' or 'Z' (of "Authorization")
	pSpace                          // ' ' or '\t' (after "Bearer", "Basic")
)

// pAll has every trigger bit.
const pAll = pDigit | pDot | pColon | pEq | pAt | pJ | pB | pZ | pSpace

// presentSum maps a byte to its trigger bit: a one in the field of that
// trigger. Summing the entries of up to sumChunk bytes counts the bytes of
// each trigger in its field without overflow; adding 0x3f to every field
// then carries into the field's top bit (6 above its trigger bit) exactly
// when the count is not zero. This costs one addition per byte.
var presentSum = func() (t [256]uint64) {
	set := func(chars string, bit uint64) {
		for i := 0; i < len(chars); i++ {
			t[chars[i]] = bit
		}
	}
	set("0123456789", pDigit)
	set(".", pDot)
	set(":", pColon)
	set("=", pEq)
	set("@%", pAt)
	set("J", pJ)
	set("bB", pB)
	set("zZ", pZ)
	set(" \t", pSpace)
	return t
}()

// sumChunk is the most bytes whose presentSum entries one sum may add up
// before a field's count reaches its top bit.
const sumChunk = 63

// digitsEnough is the digit count above which counting stops mattering:
// enough for a card number, the longest of the digit-counting kinds.
const digitsEnough = cardMinDigits

// triggers records the trigger bytes of a text.
type triggers struct {
	bits   uint64 // trigger bits of the bytes seen
	digits int    // number of digits seen (at least, when present stopped early)
}

// present returns the trigger bytes of text. It stops early once nothing
// more can be learned (every bit is set and enough digits were counted), so
// on long texts it costs little.
func present(text []byte) triggers {
	const carry = pAll * 0x3f
	var t triggers
	for len(text) > 0 {
		chunk := text[:min(len(text), sumChunk)]
		text = text[len(chunk):]
		var s0, s1 uint64
		for len(chunk) >= 8 {
			s0 += presentSum[chunk[0]] + presentSum[chunk[1]] + presentSum[chunk[2]] + presentSum[chunk[3]]
			s1 += presentSum[chunk[4]] + presentSum[chunk[5]] + presentSum[chunk[6]] + presentSum[chunk[7]]
			chunk = chunk[8:]
		}
		for _, c := range chunk {
			s0 += presentSum[c]
		}
		sum := s0 + s1
		t.digits += int(sum & 0x3f)
		t.bits |= (sum + carry) >> 6 & pAll
		if t.bits == pAll && t.digits >= digitsEnough {
			break
		}
	}
	return t
}

// has reports whether all of the bits were seen.
func (t triggers) has(bits uint64) bool { return t.bits&bits == bits }

// allowed returns the bits 1<<d of the detectors d that can find anything
// in a text of length n with these triggers. Each condition is necessary
// for every match of its detector, so skipping the others never changes the
// result. It is branch-free: the conditions are rarely predictable.
func (t triggers) allowed(n int) detMask {
	// An IPv6 address has a ':'; an IPv4 address digits and dots.
	m := bit(detIP, t.has(pColon) || t.has(pDigit|pDot))
	// '@' or "%40", and a dot in the domain.
	m |= bit(detEmail, t.has(pAt|pDot) && n >= len("a@b.cc"))
	// A phone number has 7 digits, a card number 13, an IBAN two check
	// digits and 15 characters.
	m |= bit(detWord, t.digits >= phoneMinDigits || (t.digits >= 2 && n >= ibanMin))
	// "eyJ", a header of 16 characters, a dot, a payload of 2, a dot.
	m |= bit(detJWT, t.has(pJ) && n >= jwtMinHeader+4)
	// "Bearer" or "Basic" and a space, or "Authorization" and ':' or '='.
	m |= bit(detAuth, t.has(pB|pSpace) || (t.has(pZ) && t.bits&(pColon|pEq) != 0))
	// "name=value", "name: value" or "scheme://user@host".
	m |= bit(detParam, t.bits&(pColon|pEq) != 0)
	// "/u/x" or "/~x"; no trigger bit is left for '/', nextUserPath
	// looks for it.
	m |= bit(detUser, n >= len("/~x"))
	// A vendor key is at least 16 bytes (see vendor.go); a street address
	// has a house number, a postcode and a space before the town.
	m |= bit(detVendor, n >= vendorMinLen)
	m |= bit(detAddress, t.digits >= streetMinDigits && t.has(pSpace))
	// "('x...')": a quote, a value and "...".
	m |= bit(detCutArg, t.has(pDot) && n >= len("'x...'"))
	return m
}

// bit returns 1<<d when ok, else 0.
func bit(d detector, ok bool) detMask {
	var b detMask
	if ok {
		b = 1
	}
	return b << d
}
