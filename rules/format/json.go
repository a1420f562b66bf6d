package format

import "encoding/binary"

// maxJSONDepth is the deepest nesting of objects and arrays Parse accepts.
// Deeper lines are rejected as not JSON (so Auto scrubs them as Text):
// failing closed is safer than leaving deep content opaque and unscanned.
const maxJSONDepth = 64

// JSON byte classes.
const (
	jSpace   = 1 << iota // JSON whitespace
	jStrStop             // ends a run of plain string bytes: '"', '\\', control
	jHex                 // hexadecimal digit
)

var jsonClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\r\n") {
		t[c] |= jSpace
	}
	for c := 0; c < 0x20; c++ {
		t[c] |= jStrStop
	}
	t['"'] |= jStrStop
	t['\\'] |= jStrStop
	for _, c := range []byte("0123456789abcdefABCDEF") {
		t[c] |= jHex
	}
	return t
}()

// skipJSONSpace returns the index of the first non-whitespace byte at or
// after i.
func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && jsonClass[b[i]]&jSpace != 0 {
		i++
	}
	return i
}

// jsonParser walks one JSON line, adding a field per scalar leaf.
type jsonParser struct {
	r        *Record
	b        []byte
	timeKeys [][]byte
}

// parseJSON parses a line holding one JSON object, optionally surrounded by
// whitespace.
func (r *Record) parseJSON(timeKeys [][]byte) bool {
	b := r.Line
	i := skipJSONSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	r.stack = r.stack[:0]
	p := jsonParser{r: r, b: b, timeKeys: timeKeys}
	i = p.object(i, 0, Span{}, 1)
	if i < 0 || skipJSONSpace(b, i) != len(b) {
		return false
	}
	r.Format = JSON
	return true
}

// ParseJSONDocument parses doc as one JSON object or array, optionally
// surrounded by whitespace, into rec as Parse(JSON, doc, nil, rec) parses
// an object: a JSON document found inside a string value, which the rules
// engine processes as a record of its own. Paths start at the document's
// root; the elements of a top-level array have the empty path. On false
// rec is reset as by a failed Parse.
func ParseJSONDocument(doc []byte, rec *Record) bool {
	rec.reset(doc)
	i := skipJSONSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' && doc[i] != '[' {
		return false
	}
	rec.stack = rec.stack[:0]
	p := jsonParser{r: rec, b: doc}
	if doc[i] == '{' {
		i = p.object(i, 0, Span{}, 1)
	} else {
		i = p.array(i, 0, Span{}, 1)
	}
	if i < 0 || skipJSONSpace(doc, i) != len(doc) {
		rec.reset(doc)
		return false
	}
	rec.Format = JSON
	return true
}

// The path of a value is either lp, its span in the line (a top-level key
// without escapes, lp.End > 0), or r.stack[:plen].

// value parses the value at i and returns the index after it, or -1.
func (p *jsonParser) value(i, plen int, lp, key Span, depth int) int {
	b := p.b
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; c {
	case '{':
		return p.object(i, plen, lp, depth+1)
	case '[':
		return p.array(i, plen, lp, depth+1)
	case '"':
		e, esc, ok := scanJSONString(b, i+1)
		if !ok || e >= len(b) {
			return -1
		}
		p.leaf(plen, lp, key, Span{i + 1, e}, String, esc)
		return e + 1
	case 't':
		return p.literal(i, "true", Bool, plen, lp, key)
	case 'f':
		return p.literal(i, "false", Bool, plen, lp, key)
	case 'n':
		return p.literal(i, "null", Null, plen, lp, key)
	}
	e := scanJSONNumber(b, i)
	if e < 0 {
		return -1
	}
	p.leaf(plen, lp, key, Span{i, e}, Number, false)
	return e
}

// literal matches the literal word at i.
func (p *jsonParser) literal(i int, word string, kind Kind, plen int, lp, key Span) int {
	e := i + len(word)
	if e > len(p.b) || string(p.b[i:e]) != word {
		return -1
	}
	p.leaf(plen, lp, key, Span{i, e}, kind, false)
	return e
}

// object parses the object at i (b[i] == '{').
func (p *jsonParser) object(i, plen int, lp Span, depth int) int {
	b := p.b
	if depth > maxJSONDepth {
		return -1
	}
	i = skipJSONSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1
	}
	if lp.End > 0 {
		p.r.stack = append(p.r.stack[:0], b[lp.Start:lp.End]...)
		plen = len(p.r.stack)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return -1
		}
		ke, kesc, ok := scanJSONString(b, i+1)
		if !ok || ke >= len(b) {
			return -1
		}
		key := Span{i, ke + 1}
		cplen, clp := p.childPath(plen, key, kesc)
		i = skipJSONSpace(b, ke+1)
		if i >= len(b) || b[i] != ':' {
			return -1
		}
		i = p.value(skipJSONSpace(b, i+1), cplen, clp, key, depth)
		var done bool
		if i, done = p.next(i, '}'); done {
			return i
		}
	}
}

// array parses the array at i (b[i] == '['); elements share its path.
func (p *jsonParser) array(i, plen int, lp Span, depth int) int {
	b := p.b
	if depth > maxJSONDepth {
		return -1
	}
	i = skipJSONSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1
	}
	for {
		var done bool
		if i, done = p.next(p.value(i, plen, lp, Span{}, depth), ']'); done {
			return i
		}
	}
}

// next handles what follows a member or element ending at i (-1 on error).
// After a comma it returns the index of the next item and false; after the
// closing byte the index past it and true; on error -1 and true.
func (p *jsonParser) next(i int, closing byte) (int, bool) {
	if i < 0 {
		return -1, true
	}
	i = skipJSONSpace(p.b, i)
	switch {
	case i >= len(p.b):
		return -1, true
	case p.b[i] == closing:
		return i + 1, true
	case p.b[i] == ',':
		return skipJSONSpace(p.b, i+1), false
	}
	return -1, true
}

// childPath returns the path of the member with key span key inside an
// object whose path is r.stack[:plen].
func (p *jsonParser) childPath(plen int, key Span, esc bool) (int, Span) {
	inner := p.b[key.Start+1 : key.End-1]
	if plen == 0 && !esc {
		return 0, Span{key.Start + 1, key.End - 1}
	}
	st := p.r.stack[:plen]
	if plen > 0 {
		st = append(st, '.')
	}
	if esc {
		st = AppendJSONUnescaped(st, inner)
	} else {
		st = append(st, inner...)
	}
	p.r.stack = st
	return len(st), Span{}
}

// leaf adds a scalar field.
func (p *jsonParser) leaf(plen int, lp, key, val Span, kind Kind, esc bool) {
	r := p.r
	var path []byte
	if lp.End > 0 {
		path = p.b[lp.Start:lp.End:lp.End]
	} else {
		path = r.storePath(r.stack[:plen])
	}
	i := r.addField(path, key, val, kind, esc, -1)
	if (kind == String || kind == Number) && len(p.timeKeys) > 0 {
		r.matchTime(i, p.timeKeys)
	}
}

// scanJSONString scans a JSON string body starting at i (after the opening
// quote). It returns the index of the closing quote (len(b) if there is
// none), whether the body holds an escape, and false on an invalid escape or
// a raw control byte.
func scanJSONString(b []byte, i int) (end int, esc, ok bool) {
	for i < len(b) {
		if i+8 <= len(b) && !mayStopString(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
			continue
		}
		c := b[i]
		if jsonClass[c]&jStrStop == 0 {
			i++
			continue
		}
		switch c {
		case '"':
			return i, esc, true
		case '\\':
			n := jsonEscapeLen(b, i)
			if n == 0 {
				return i, esc, false
			}
			esc = true
			i += n
		default:
			return i, esc, false
		}
	}
	return len(b), esc, true
}

// mayStopString reports whether one of the 8 bytes in x may be a quote, a
// backslash or a control byte (no false negatives).
func mayStopString(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ ('"' * ones)
	bs := x ^ ('\\' * ones)
	return ((q-ones)&^q|(bs-ones)&^bs|(x-0x20*ones)&^x)&highs != 0
}

// jsonEscapeLen returns the length of the valid escape sequence at b[i]
// (a backslash), or 0.
func jsonEscapeLen(b []byte, i int) int {
	if i+1 >= len(b) {
		return 0
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if i+5 < len(b) && jsonClass[b[i+2]]&jsonClass[b[i+3]]&jsonClass[b[i+4]]&jsonClass[b[i+5]]&jHex != 0 {
			return 6
		}
	}
	return 0
}

// scanJSONNumber returns the index after the JSON number at i, or -1.
func scanJSONNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i = skipDigits(b, i+1); b[i-1] == '.' {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		s := i
		if i = skipDigits(b, i); i == s {
			return -1
		}
	}
	return i
}

// skipDigits returns the index of the first non-digit at or after i.
func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// isJSONNumber reports whether b is exactly one JSON number.
func isJSONNumber(b []byte) bool { return scanJSONNumber(b, 0) == len(b) && len(b) > 0 }
