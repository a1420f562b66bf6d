package lokipush

import (
	"bytes"
	"errors"

	logformat "github.com/tarn-project/tarn/rules/format"
)

// jscan walks a JSON value that json.Valid has already accepted, so it
// only has to find boundaries, not report syntax errors. It exists because
// decoding every entry with json.Unmarshal is several times slower and
// allocates per value.
type jscan struct {
	b   []byte
	pos int
}

func (s *jscan) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, 0 at the end.
func (s *jscan) peek() byte {
	s.ws()
	if s.pos < len(s.b) {
		return s.b[s.pos]
	}
	return 0
}

// open consumes c ('[' or '{') if it is next.
func (s *jscan) open(c byte) bool {
	if s.peek() != c {
		return false
	}
	s.pos++
	return true
}

// next reports whether another member of the array or object follows,
// consuming the separating comma or the closing bracket.
func (s *jscan) next(first bool) bool {
	switch s.peek() {
	case ',':
		s.pos++
		return true
	case ']', '}':
		s.pos++
		return false
	case 0:
		return false
	}
	return first
}

// value returns the raw bytes of the next value and skips them.
func (s *jscan) value() []byte {
	s.ws()
	start := s.pos
	switch {
	case s.pos >= len(s.b):
	case s.b[s.pos] == '"':
		s.str()
	case s.b[s.pos] == '[' || s.b[s.pos] == '{':
		s.nested()
	default: // number, true, false, null
		for s.pos < len(s.b) && !isDelim(s.b[s.pos]) {
			s.pos++
		}
	}
	return s.b[start:s.pos]
}

func isDelim(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// str skips a string starting at the opening quote: the first quote
// preceded by an even number of backslashes ends it.
func (s *jscan) str() {
	s.pos++
	for {
		i := bytes.IndexByte(s.b[s.pos:], '"')
		if i < 0 {
			s.pos = len(s.b)
			return
		}
		s.pos += i + 1
		n := 0
		for j := s.pos - 2; j >= 0 && s.b[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return
		}
	}
}

// nested skips an array or object.
func (s *jscan) nested() {
	depth := 0
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case '"':
			s.str()
			continue
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
		s.pos++
		if depth == 0 {
			return
		}
	}
}

// colon consumes the ':' after an object key.
func (s *jscan) colon() {
	if s.peek() == ':' {
		s.pos++
	}
}

// jsonString returns the content of the JSON string raw, unescaped, and
// whether raw is a string at all. Without escapes it returns a sub-slice of
// raw (bytes kept as sent, like Loki's parser does).
func jsonString(raw []byte) ([]byte, bool) {
	return appendString(nil, raw)
}

// appendString appends the unescaped content of the JSON string raw to
// dst; without escapes and with dst nil, it returns a sub-slice of raw.
// Escapes are decoded by rules/format.AppendJSONUnescaped, as encoding/json
// does, with U+FFFD for lone surrogates. raw comes from a body json.Valid
// accepted, so its escapes are valid: this only unquotes and decodes.
func appendString(dst, raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return dst, false
	}
	s := raw[1 : len(raw)-1]
	if dst == nil && bytes.IndexByte(s, '\\') < 0 {
		return s, true
	}
	return logformat.AppendJSONUnescaped(dst, s), true
}

// elements returns the elements of a JSON array, appended to dst; ok is
// false if raw is not an array.
func elements(raw []byte, dst [][]byte) ([][]byte, bool) {
	s := jscan{b: raw}
	if !s.open('[') {
		return dst, false
	}
	for first := true; s.next(first); first = false {
		dst = append(dst, s.value())
	}
	return dst, true
}

var errObject = errors.New("must be an object with string values")

// stringMembers appends the members of a JSON object whose values are all
// strings to dst, in document order.
func stringMembers(raw []byte, dst []member) ([]member, error) {
	s := jscan{b: raw}
	if !s.open('{') {
		return dst, errObject
	}
	for first := true; s.next(first); first = false {
		k, _ := jsonString(s.value())
		s.colon()
		v, ok := jsonString(s.value())
		if !ok {
			return dst, errObject
		}
		dst = append(dst, member{k, v})
	}
	return dst, nil
}

// member is one decoded member of a JSON object of strings.
type member struct{ name, value []byte }
