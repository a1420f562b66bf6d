package rules

import (
	"bytes"
	"slices"
	"unicode/utf8"

	"github.com/tarn-project/tarn/rules/internal/ascii"
)

// decodeForScan prepares text for the detectors when it may hide personal
// data behind URL encoding ("%2B49+30+1234567", "a%40b.example"): it
// appends to p.decoded the text with the %XX sequences of punctuation and
// of UTF-8 characters decoded ("K%C3%B6ln") and a '+' read as a space
// where it is one (see spacePlus), and records in p.offs the offset in
// text of each decoded byte (plus one entry for the end), so matches can
// be mapped back. It returns nil when text holds nothing to decode.
func (p *Processor) decodeForScan(text []byte) []byte {
	if !needsDecode(text) {
		return nil
	}
	p.decoded, p.offs = p.decoded[:0], p.offs[:0]
	form := startsForm(text)
	for i := 0; i < len(text); {
		if k := plainRun(text, i); k > i {
			p.appendPlain(text, i, k)
			i = k
			continue
		}
		c := text[i]
		p.offs = append(p.offs, int32(i))
		switch {
		case c == '%':
			if d, n := unescape(text, i); n > 0 {
				p.appendUnescaped(d[:n], i)
				i += 3 * n
				continue
			}
		case c == '?' || c == '&':
			form = true
		case c == ' ' || c == '\t' || c == '"':
			form = false
		case c == '+' && spacePlus(text, i, p.decoded, form):
			c = ' '
		}
		p.decoded = append(p.decoded, c)
		i++
	}
	p.offs = append(p.offs, int32(len(text)))
	return p.decoded
}

// decodeSpecial marks the bytes decodeForScan looks at one by one.
var decodeSpecial = func() (t [256]bool) {
	for _, c := range []byte("%?&+ \t\"") {
		t[c] = true
	}
	return t
}()

// plainRun returns the end of the run of bytes from text[i] that
// decodeForScan copies as they are.
func plainRun(text []byte, i int) int {
	for i < len(text) && !decodeSpecial[text[i]] {
		i++
	}
	return i
}

// appendPlain copies text[i:k] and the offsets of its bytes.
func (p *Processor) appendPlain(text []byte, i, k int) {
	p.decoded = append(p.decoded, text[i:k]...)
	n := len(p.offs)
	p.offs = slices.Grow(p.offs, k-i)[:n+k-i]
	for j := range k - i {
		p.offs[n+j] = int32(i + j)
	}
}

// appendUnescaped appends the bytes d decoded from the %XX sequences at
// text[i:], the first of whose offsets decodeForScan has recorded.
func (p *Processor) appendUnescaped(d []byte, i int) {
	p.decoded = append(p.decoded, d...)
	for k := 1; k < len(d); k++ {
		p.offs = append(p.offs, int32(i+3*k))
	}
}

// spacePlus reports whether the '+' at text[i] stands for a space, given
// the text decoded so far and whether it is in a query string or form
// value (after '?' or '&', or in a text that starts with "key=", up to the
// next space or quote). Outside a form only a '+' after a letter or digit
// (or a non-ASCII character) is a space ("Rosenweg+88"), so "+49 30
// 1234567" keeps its plus; in a form
// every '+' is one ("Rosenweg+88%2C+77307+Bremen" is "Rosenweg 88, 77307
// Bremen") except right after '=' (a phone number's "tel=+4930...") and in
// an e-mail local part (plusTag).
func spacePlus(text []byte, i int, decoded []byte, form bool) bool {
	if len(decoded) == 0 || plusTag(text, i) {
		return false
	}
	prev := decoded[len(decoded)-1]
	return ascii.IsAlnum(prev) || prev >= utf8.RuneSelf || form && prev != '='
}

// startsForm reports whether text starts with a form key and '='
// ("address=Rosenweg+88", a query string logged without its '?').
func startsForm(text []byte) bool {
	for i, c := range text {
		switch {
		case c == '=':
			return i > 0
		case !ascii.IsAlnum(c) && c != '_' && c != '-' && c != '.' && c != '[' && c != ']':
			return false
		}
	}
	return false
}

// plusTag reports whether the '+' at text[i] is part of an e-mail local
// part ("first.last+shop@example.com", "a+b%40example.com"): letters,
// digits and ".+-_" reach '@' or "%40" within 64 bytes. Such a '+' is not a
// space, or the address would be found without the part before it.
func plusTag(text []byte, i int) bool {
	for k := i + 1; k < len(text) && k-i <= 64; k++ {
		switch c := text[k]; {
		case c == '@' || c == '%' && k+2 < len(text) && text[k+1] == '4' && text[k+2] == '0':
			return k > i+1
		case !ascii.IsAlnum(c) && c != '.' && c != '+' && c != '-' && c != '_':
			return false
		}
	}
	return false
}

// escaped decodes the %XX sequence at text[i] when it stands for a space
// or punctuation ("%40", "%2B", "%20", "%3A"). Encoded letters, digits and
// control bytes are left alone, so "%01.2.3.4" is still read as written.
func escaped(text []byte, i int) (byte, bool) {
	d := hexByte(text, i)
	return d, d >= ' ' && d <= '~' && !ascii.IsAlnum(d)
}

// unescape decodes the %XX sequence at text[i] as escaped does, or the
// two to four %XX sequences there that together encode one UTF-8
// character other than a control ("K%C3%B6ln"), and returns the bytes and
// their number; 0: none.
func unescape(text []byte, i int) (d [utf8.UTFMax]byte, n int) {
	if c, ok := escaped(text, i); ok {
		d[0] = c
		return d, 1
	}
	w := utf8Width(hexByte(text, i))
	for n < w {
		c := hexByte(text, i+3*n)
		if n > 0 && c&0xC0 != 0x80 {
			return d, 0
		}
		d[n] = c
		n++
	}
	if r, size := utf8.DecodeRune(d[:n]); size != n || r == utf8.RuneError || r < 0xA0 {
		return d, 0
	}
	return d, n
}

// hexByte returns the byte of the %XX sequence at text[i], or 0.
func hexByte(text []byte, i int) byte {
	if i+2 >= len(text) || text[i] != '%' || !ascii.IsHex(text[i+1]) || !ascii.IsHex(text[i+2]) {
		return 0
	}
	return byte(ascii.HexVal[text[i+1]])<<4 | byte(ascii.HexVal[text[i+2]])
}

// utf8Width returns the length of the UTF-8 sequence that lead byte c
// starts, or 0 when c starts none.
func utf8Width(c byte) int {
	switch {
	case c >= 0xC2 && c <= 0xDF:
		return 2
	case c >= 0xE0 && c <= 0xEF:
		return 3
	case c >= 0xF0 && c <= 0xF4:
		return 4
	}
	return 0
}

// needsDecode reports whether text holds a %XX sequence escaped decodes or
// a '+' that may be a space: after a letter or digit, or after punctuation
// other than '=' and '(' (",+" in a form value; decodeForScan decides).
// A '+' after a space, as in a user agent's "; +http://", needs nothing.
func needsDecode(text []byte) bool {
	for i := 0; i < len(text); i++ {
		j := bytes.IndexAny(text[i:], "%+")
		if j < 0 {
			return false
		}
		i += j
		if text[i] == '%' {
			if _, n := unescape(text, i); n > 0 {
				return true
			}
		} else if i > 0 && maySpacePlus(text[i-1]) {
			return true
		}
	}
	return false
}

// maySpacePlus reports whether a '+' after the raw byte c may stand for a
// space.
func maySpacePlus(c byte) bool {
	return c > ' ' && c != 0x7F && c != '=' && c != '(' && c != '"'
}
