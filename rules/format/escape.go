package format

import (
	"bytes"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendValue appends the unescaped value of field i to dst: JSON string
// escapes including \uXXXX and surrogate pairs (lone surrogates become
// U+FFFD), the same escapes for quoted logfmt values, and Apache/nginx
// escapes (\" \\ \n \r \t \b \v \xHH) for combined fields. Unknown escapes
// are kept verbatim. An out-of-range i appends nothing.
func (r *Record) AppendValue(dst []byte, i int) []byte {
	if i < 0 || i >= len(r.Fields) {
		return dst
	}
	f := &r.Fields[i]
	raw := r.Line[f.Value.Start:f.Value.End]
	if !f.Escaped {
		return append(dst, raw...)
	}
	if r.Format == Combined || r.Format == Common {
		return appendCLFUnescaped(dst, raw)
	}
	return AppendJSONUnescaped(dst, raw)
}

// appendUnescaped copies b to dst, decoding each backslash escape as
// combined (clf) or JSON/logfmt escapes.
func appendUnescaped(dst, b []byte, clf bool) []byte {
	for len(b) > 0 {
		j := bytes.IndexByte(b, '\\')
		if j < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:j]...)
		var n int
		if clf {
			dst, n = unescCLF(dst, b, j)
		} else {
			dst, n = unescJSON(dst, b, j)
		}
		b = b[j+n:]
	}
	return dst
}

// simpleEscape maps the letter of a one-letter escape to its byte, 0 if none.
var simpleEscape = func() (t [256]byte) {
	for _, p := range [...][2]byte{{'"', '"'}, {'\\', '\\'}, {'/', '/'}, {'b', '\b'}, {'f', '\f'}, {'n', '\n'}, {'r', '\r'}, {'t', '\t'}, {'v', '\v'}} {
		t[p[0]] = p[1]
	}
	return t
}()

// AppendJSONUnescaped appends b, the inside of a JSON string (without its
// quotes), to dst with its escapes decoded as encoding/json decodes them:
// \" \\ \/ \b \f \n \r \t, \uXXXX and surrogate pairs, U+FFFD for a lone
// surrogate. It does not validate: an invalid escape (which json.Valid
// rejects) is kept verbatim, and invalid UTF-8 is copied as it is.
func AppendJSONUnescaped(dst, b []byte) []byte {
	return appendUnescaped(dst, b, false)
}

func unescJSON(dst, b []byte, i int) ([]byte, int) {
	if i+1 < len(b) && b[i+1] != 'v' {
		if c := simpleEscape[b[i+1]]; c != 0 {
			return append(dst, c), 2
		}
	}
	if r1, ok := hex4(b, i); ok {
		if utf8.ValidRune(r1) {
			return utf8.AppendRune(dst, r1), 6
		}
		if r2, ok := hex4(b, i+6); ok && r1 < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000 {
			return utf8.AppendRune(dst, 0x10000+(r1-0xd800)<<10+(r2-0xdc00)), 12
		}
		return utf8.AppendRune(dst, utf8.RuneError), 6
	}
	return append(dst, '\\'), 1
}

// hex4 decodes "\uXXXX" at b[i].
func hex4(b []byte, i int) (rune, bool) {
	if i+5 >= len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[i+2 : i+6] {
		v := unhex(c)
		if v < 0 {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// unhex returns the value of a hexadecimal digit, or -1.
func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// appendCLFUnescaped decodes Apache (\" \\ \n ...) and nginx (\xHH) escapes.
func appendCLFUnescaped(dst, b []byte) []byte {
	return appendUnescaped(dst, b, true)
}

func unescCLF(dst, b []byte, i int) ([]byte, int) {
	if i+1 < len(b) && b[i+1] != '/' && b[i+1] != 'f' {
		if c := simpleEscape[b[i+1]]; c != 0 {
			return append(dst, c), 2
		}
	}
	if i+3 < len(b) && b[i+1] == 'x' {
		if h, l := unhex(b[i+2]), unhex(b[i+3]); h >= 0 && l >= 0 {
			return append(dst, byte(h<<4|l)), 4
		}
	}
	return append(dst, '\\'), 1
}

// appendJSONEscaped appends v escaped for the inside of a JSON string;
// invalid UTF-8 becomes \ufffd.
func appendJSONEscaped(dst, v []byte) []byte {
	start := 0
	for i := 0; i < len(v); {
		c := v[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		n := 1
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(v[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		dst = append(dst, v[start:i]...)
		dst = appendJSONEscape(dst, c)
		i += n
		start = i
	}
	return append(dst, v[start:]...)
}

// appendJSONEscape appends the JSON escape of byte c, which is a quote,
// backslash, control byte or a byte of invalid UTF-8.
func appendJSONEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	if c >= utf8.RuneSelf {
		return append(dst, `\ufffd`...)
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
}

// appendLogfmtEscaped appends v escaped for the inside of a quoted logfmt
// value: \" \\ \n \r \t, other control bytes as \u00XX.
func appendLogfmtEscaped(dst, v []byte) []byte {
	start := 0
	for i, c := range v {
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			continue
		}
		dst = append(dst, v[start:i]...)
		dst = appendJSONEscape(dst, c)
		start = i + 1
	}
	return append(dst, v[start:]...)
}

// needsLogfmtQuote reports whether v cannot be written as a bare logfmt value.
func needsLogfmtQuote(v []byte) bool {
	for _, c := range v {
		if c <= ' ' || c == '=' || c == '"' || c == 0x7f {
			return true
		}
	}
	return len(v) == 0
}

// appendCLFEscaped appends v escaped the way nginx escapes quoted fields:
// '"', '\\', control bytes and DEL (and spaces when escSpace) as \xHH.
func appendCLFEscaped(dst, v []byte, escSpace bool) []byte {
	start := 0
	for i, c := range v {
		if c > ' ' && c != '"' && c != '\\' && c != 0x7f || c == ' ' && !escSpace {
			continue
		}
		dst = append(dst, v[start:i]...)
		dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		start = i + 1
	}
	return append(dst, v[start:]...)
}

// safeCLFBare reports whether v can stand as a bare combined token (and, with
// inTime, as the content of the time brackets) without changing how the
// line splits into fields.
func safeCLFBare(v []byte, inTime bool) bool {
	for _, c := range v {
		if c < ' ' || c == 0x7f || c == '"' || c == ']' || c == ' ' && !inTime || c == '[' && !inTime {
			return false
		}
	}
	return len(v) > 0
}

// safeQuotedRaw reports whether raw can replace the inside of a quoted
// logfmt or combined value: no control bytes and every quote escaped.
func safeQuotedRaw(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if !quotedSpecial[raw[i]] {
			continue // the common case: one table lookup a byte
		}
		if raw[i] != '\\' {
			return false
		}
		if i++; i == len(raw) || raw[i] < ' ' || raw[i] == 0x7f {
			return false
		}
	}
	return true
}

// quotedSpecial marks the bytes safeQuotedRaw looks at: '\\', '"' and
// control bytes.
var quotedSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t[0x7f], t['"'], t['\\'] = true, true, true
	return t
}()
