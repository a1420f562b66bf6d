package rules

import (
	"bytes"

	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
)

// Nested JSON documents: a string value that is scrubbed and holds, once
// unescaped, a JSON object or array (the tool-call arguments of an LLM
// gateway, a request body logged as a string) is processed as a JSON
// record of its own with the same rules — keys catalogue, detectors,
// look-alikes, unknown strings scrubbed — and written back escaped into
// the string, so both the outer and the inner document stay valid. Paths
// inside start at the inner document's root ({"name":...} inside any
// string has the path name). A string that does not parse as JSON, is
// longer than maxNestedBytes or is nested deeper than maxNestedDepth is
// scrubbed as free text, as every other string.
const (
	// maxNestedDepth is how many documents deep strings are looked into:
	// a document in a string of a document in a string of the record is
	// depth 2.
	maxNestedDepth = 3
	// maxNestedBytes bounds the unescaped size of one nested document (the
	// default max_line_bytes), and with it what each level's buffers keep.
	maxNestedBytes = 256 << 10
)

// maybeNested reports whether the raw (still escaped) string value rv may
// hold a JSON document: it starts with '{' or '[', possibly after spaces,
// tabs or escaped whitespace (\n, \r, \t). For nearly every value this is
// one byte test. rv is not empty.
func maybeNested(rv []byte) bool {
	switch rv[0] {
	case '{', '[':
		return true
	case ' ', '\t', '\\':
	default:
		return false
	}
	for k := 0; k < len(rv); k++ {
		switch c := rv[k]; c {
		case '{', '[':
			return true
		case ' ', '\t':
		case '\\':
			if k+1 >= len(rv) || rv[k+1] != 'n' && rv[k+1] != 'r' && rv[k+1] != 't' {
				return false
			}
			k++
		default:
			return false
		}
	}
	return false
}

// appendNested processes the string value of field i as a nested JSON
// document and appends the result, unescaped, to dst. handled is false
// when the value is no document (or past the bounds): the caller scrubs it
// as text. changed is false when no part of the document needed a change:
// the value stays as it is, byte for byte.
func (p *Processor) appendNested(dst []byte, i int) (out []byte, handled, changed bool) {
	f := &p.rec.Fields[i]
	if p.depth >= maxNestedDepth || f.Value.Len() > maxNestedBytes {
		return dst, false, false
	}
	c := p.nestedProcessor()
	c.doc = p.rec.AppendValue(c.doc[:0], i)
	if !docBounds(c.doc) || !format.ParseJSONDocument(c.doc, &c.rec) {
		return dst, false, false
	}
	c.t, c.badTime = p.t, false
	c.edits, c.vals = c.edits[:0], c.vals[:0]
	c.fields()
	p.mergeNested(c)
	if len(c.edits) == 0 {
		return dst, true, false
	}
	return format.Rewrite(dst, &c.rec, c.edits), true, true
}

// docBounds reports whether doc starts with '{' or '[' and ends with the
// matching '}' or ']', ignoring JSON whitespace: a cheap test before the
// parse.
func docBounds(doc []byte) bool {
	doc = bytes.Trim(doc, " \t\r\n")
	if len(doc) < 2 {
		return false
	}
	first, last := doc[0], doc[len(doc)-1]
	return first == '{' && last == '}' || first == '[' && last == ']'
}

// nestedProcessor returns the processor of the documents nested in this
// one's strings, made on first use. It shares the engine, the
// pseudonymizer (and its cache) and the clean-text cache.
func (p *Processor) nestedProcessor() *Processor {
	if p.nested == nil {
		if p.clean == nil {
			p.clean = new(cleanCache)
		}
		p.nested = &Processor{
			e:     p.e,
			ps:    p.ps,
			clean: p.clean,
			depth: p.depth + 1,
			Stats: Stats{Actions: make([]uint64, len(p.e.actions))},
		}
	}
	return p.nested
}

// mergeNested moves the action and detection counts of the nested
// processor c into p's Stats.
func (p *Processor) mergeNested(c *Processor) {
	for k, v := range c.Stats.Actions {
		if v != 0 {
			p.Stats.Actions[k] += v
			c.Stats.Actions[k] = 0
		}
	}
	for k, v := range c.Stats.Detections {
		p.Stats.Detections[k] += v
	}
	c.Stats.Detections = [detect.NumKinds]uint64{}
}

// Card numbers written as JSON numbers ("pan":4111111111111111): the
// detectors scan strings only, so a number under a key no rule names is
// looked at when it may be a card number (13 to 19 digits, starting with
// 2 to 6, see maybeCardNumber) and replaced, as a JSON string, when the
// card detector finds it whole. Other long numbers — epoch milliseconds
// (1733140800123), snowflake ids, byte counts — start with 1, have no
// card network's prefix and length, or fail the Luhn check, and stay
// numbers. Phone-length numbers are not looked at: as bare digits they
// cannot be told from counters and ids.

// maybeCardNumber reports whether the raw JSON number rv may be a payment
// card number: 13 to 19 digits, the first 2 to 6 (the networks the card
// detector knows).
func maybeCardNumber(rv []byte) bool {
	if len(rv) < 13 || len(rv) > 19 || rv[0] < '2' || rv[0] > '6' {
		return false
	}
	for _, c := range rv {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// scrubNumber is the scrub of the number rv of field i under a key no rule
// names: a card number found whole by the card detector is replaced by
// the card action's placeholder or pseudonym (Rewrite quotes it); any
// other number, and one whose key names it a look-alike (an id under an
// id key), is kept.
func (p *Processor) scrubNumber(dst []byte, i int, rv []byte) (out []byte, raw, changed bool) {
	a := p.e.kinds[detect.Card]
	if a == nil || a.op == opKeep || !maybeCardNumber(rv) {
		return dst, true, false
	}
	path := p.rec.Fields[i].Path
	if detect.FieldLookAlike(path[bytes.LastIndexByte(path, '.')+1:], rv) {
		return dst, true, false
	}
	p.matches = p.e.detectors.Scan(rv, p.matches[:0])
	for _, m := range p.matches {
		if m.Kind != detect.Card || m.Start != 0 || m.End != len(rv) {
			continue
		}
		p.Stats.Detections[detect.Card]++
		p.Stats.Actions[a.slot]++
		return p.appendMatch(dst, rv, a), false, true
	}
	return dst, true, false
}
