package rules

import (
	"bytes"

	"github.com/tarn-project/tarn/rules/internal/ascii"
)

// decodeForScan prepares text for the detectors when it may hide personal
// data behind URL encoding ("%2B49+30+1234567", "a%40b.example"): it
// appends to p.decoded the text with %XX sequences decoded and a '+' that
// follows a letter or digit read as a space, and records in p.offs the
// offset in text of each decoded byte (plus one entry for the end), so
// matches can be mapped back. It returns nil when text holds nothing to
// decode.
func (p *Processor) decodeForScan(text []byte) []byte {
	if !needsDecode(text) {
		return nil
	}
	p.decoded, p.offs = p.decoded[:0], p.offs[:0]
	for i := 0; i < len(text); {
		c := text[i]
		p.offs = append(p.offs, int32(i))
		switch {
		case c == '%':
			if d, ok := escaped(text, i); ok {
				p.decoded = append(p.decoded, d)
				i += 3
				continue
			}
		case c == '+' && len(p.decoded) > 0 && ascii.IsAlnum(p.decoded[len(p.decoded)-1]) && !plusTag(text, i):
			c = ' '
		}
		p.decoded = append(p.decoded, c)
		i++
	}
	p.offs = append(p.offs, int32(len(text)))
	return p.decoded
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
	if i+2 >= len(text) || !ascii.IsHex(text[i+1]) || !ascii.IsHex(text[i+2]) {
		return 0, false
	}
	d := byte(ascii.HexVal[text[i+1]])<<4 | byte(ascii.HexVal[text[i+2]])
	return d, d >= ' ' && d <= '~' && !ascii.IsAlnum(d)
}

// needsDecode reports whether text holds a %XX sequence escaped decodes or
// a '+' after a letter or digit.
func needsDecode(text []byte) bool {
	for i := 0; i < len(text); i++ {
		j := bytes.IndexAny(text[i:], "%+")
		if j < 0 {
			return false
		}
		i += j
		if text[i] == '%' {
			if _, ok := escaped(text, i); ok {
				return true
			}
		} else if i > 0 && ascii.IsAlnum(text[i-1]) {
			return true
		}
	}
	return false
}
