package rules

import (
	"bytes"

	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/ipaddr"
	"github.com/tarn-project/tarn/rules/pseudo"
	"github.com/tarn-project/tarn/rules/useragent"
)

// fields decides and applies the action of every field of p.rec.
//
// Nesting (combined's request → request_uri → request_query): a parent with
// an explicit action other than scrub wins over its sub-fields. A parent
// that is scrubbed is scrubbed as a whole, except for sub-fields with an
// explicit action of their own, which are applied in place.
func (p *Processor) fields() {
	fs := p.rec.Fields
	for i := 0; i < len(fs); {
		if p.keyHasPII(i) {
			p.edits = append(p.edits, format.Edit{Field: i, Drop: true})
			p.Stats.Actions[p.e.keyDrop.slot]++
			i++
			continue
		}
		a, explicit := p.resolve(i)
		n := p.descendants(i)
		switch {
		case n == 0:
			p.apply(i, a)
		case a == nil && !explicit:
			i++ // nothing for the parent: look at each sub-field
			continue
		case a == nil || a.op != opScrub || !p.anyExplicit(i+1, i+1+n):
			p.apply(i, a)
		default:
			p.composite(i, n)
		}
		i += 1 + n
	}
}

// keyHasPII reports whether the key of field i (a JSON or logfmt key, as
// in {"192.0.2.7": 5}) holds something a detector finds. Such a field is
// dropped whole: keys cannot be rewritten. Keys without a digit, '@', '%'
// or ':' cannot hold any built-in kind and are not scanned.
func (p *Processor) keyHasPII(i int) bool {
	k := p.rec.Fields[i].Key
	if k.End-k.Start < 3 { // as keyPII says, here so that no call is made
		return false
	}
	return p.keyPII(p.rec.Line[k.Start:k.End])
}

// maybePII reports whether b holds a byte every built-in detector match
// needs at least one of.
func maybePII(b []byte) bool {
	for _, c := range b {
		if '0' <= c && c <= '9' || c == '@' || c == '%' || c == ':' {
			return true
		}
	}
	return false
}

// resolve finds the action of field i: by exact path, then by a
// "path.*" rule for everything below a path, then by key name
// (case-insensitive), then the implicit scrub of unknown string values
// and of numbers that may be card numbers (scrubNumber). Inside a nested
// JSON document every unknown value is scrubbed, as the string holding
// it was, even when scrub_unknown is false. nil means keep.
func (p *Processor) resolve(i int) (a *action, explicit bool) {
	f := &p.rec.Fields[i]
	if i == p.rec.Time && p.badTime {
		return p.e.scrub, true // not a time: whatever it is, scrub it
	}
	if a, ok := p.pathAction(i); ok {
		return a, true
	}
	if (p.e.scrubUnknown || p.depth > 0) && i != p.rec.Time {
		switch f.Kind {
		case format.String, format.Bare:
			return p.e.scrub, false
		case format.Number:
			if maybeCardNumber(p.rec.Line[f.Value.Start:f.Value.End]) {
				return p.e.scrub, false
			}
		}
	}
	return nil, false
}

// lookupPath is pathAction without the memo.
func (p *Processor) lookupPath(path []byte) (*action, bool) {
	if a, ok := p.e.named[string(path)]; ok {
		return a, true
	}
	for _, s := range p.e.subtrees {
		if bytes.HasPrefix(path, s.prefix) {
			return s.a, true
		}
	}
	return p.keyAction(path)
}

// keyAction finds the action of the key that is the last element of
// path: its lower-case spelling, then its spelling without '-' and '_'
// ("X-Api-Key", "x_api_key" and "apiKey" are one key).
func (p *Processor) keyAction(path []byte) (*action, bool) {
	if len(p.e.keys) == 0 {
		return nil, false
	}
	// A path that is one lower-case key without '-' or '_' was looked up
	// in full before.
	plain, seps := plainKey(path)
	if plain && !seps {
		return nil, false
	}
	last := path[bytes.LastIndexByte(path, '.')+1:]
	if !plain {
		p.lower = appendLower(p.lower[:0], last)
		if a, ok := p.e.keys[string(p.lower)]; ok {
			return a, true
		}
	}
	if !seps && !plain && string(p.lower) == string(last) {
		return nil, false
	}
	p.lower = foldKey(p.lower[:0], last)
	if a, ok := p.e.folded[string(p.lower)]; ok {
		return a, true
	}
	return p.headerKey(last)
}

// headerPrefixes are the prefixes Traefik's access log puts before the
// name of a request header (request_), a response header of the backend
// (origin_) and one sent to the client (downstream_).
var headerPrefixes = [...]string{"request_", "origin_", "downstream_"}

// headerKey finds the action of a Traefik header field by the header's
// name: request_X-Forwarded-For is the key x-forwarded-for,
// downstream_Set-Cookie the key set-cookie.
func (p *Processor) headerKey(key []byte) (*action, bool) {
	for _, pre := range headerPrefixes {
		if len(key) > len(pre) && bytes.EqualFold(key[:len(pre)], []byte(pre)) {
			p.lower = foldKey(p.lower[:0], key[len(pre):])
			a, ok := p.e.folded[string(p.lower)]
			return a, ok
		}
	}
	return nil, false
}

// plainKey reports whether path has no '.' and no upper-case letter, and
// whether it has a '-' or '_'.
func plainKey(path []byte) (plain, seps bool) {
	plain = true
	for _, c := range path {
		if c == '.' || 'A' <= c && c <= 'Z' {
			plain = false
		}
		seps = seps || c == '-' || c == '_'
	}
	return plain, seps
}

// descendants counts the fields after i nested inside it.
func (p *Processor) descendants(i int) int {
	fs := p.rec.Fields
	n := 0
	for j := i + 1; j < len(fs) && p.inside(j, i); j++ {
		n++
	}
	return n
}

// inside reports whether field j is nested (at any depth) in field i.
func (p *Processor) inside(j, i int) bool {
	for k := p.rec.Fields[j].Parent; k >= 0; k = p.rec.Fields[k].Parent {
		if k == i {
			return true
		}
		if k < i {
			return false
		}
	}
	return false
}

// anyExplicit reports whether a field in [from,to) has an explicit action.
func (p *Processor) anyExplicit(from, to int) bool {
	for j := from; j < to; j++ {
		if _, explicit := p.resolve(j); explicit {
			return true
		}
	}
	return false
}

// apply records the edit of action a on field i.
func (p *Processor) apply(i int, a *action) {
	if a == nil || a.op == opKeep {
		return
	}
	if a.op == opDrop {
		p.edits = append(p.edits, format.Edit{Field: i, Drop: true})
		p.Stats.Actions[a.slot]++
		return
	}
	start := len(p.vals)
	var raw, changed bool
	p.vals, raw, changed = p.transform(p.vals, i, a)
	if !changed {
		p.vals = p.vals[:start]
		return
	}
	p.edits = append(p.edits, format.Edit{Field: i, Value: p.vals[start:], Raw: raw})
}

// transform appends the new value of field i under action a. raw reports
// that it is in the field's raw (escaped) form; changed is false when the
// field stays as it is.
func (p *Processor) transform(dst []byte, i int, a *action) (out []byte, raw, changed bool) {
	f := &p.rec.Fields[i]
	rv := p.rec.Line[f.Value.Start:f.Value.End]
	if len(rv) == 0 || (len(rv) == 1 && rv[0] == '-') {
		return dst, true, false // empty, or the "-" of an absent value
	}
	switch a.op {
	case opKeep:
		return dst, true, false
	case opScrub:
		if f.Kind == format.Number && a == p.e.scrub && i != p.rec.Time {
			return p.scrubNumber(dst, i, rv)
		}
		if f.Kind == format.String && maybeNested(rv) && (p.rec.Format == format.JSON || p.rec.Format == format.Logfmt) {
			if out, handled, changed := p.appendNested(dst, i); handled {
				return out, false, changed
			}
		}
		if f.Escaped && p.rec.Format == format.JSON {
			out, n := p.scrubField(dst, i, p.value(i))
			return out, false, n > 0
		}
		out, n := p.scrubField(dst, i, rv)
		return out, true, n > 0
	case opCoarsen:
		out, ok := appendCoarsened(dst, rv, a.coarsen)
		p.count(a, ok)
		return out, true, ok
	case opStripQuery:
		p.count(a, true)
		return p.appendStripped(dst, rv, string(f.Path) == "request_query", a), true, true
	}
	p.count(a, true)
	return p.appendValue(dst, p.value(i), a, f.Kind), false, true
}

func (p *Processor) count(a *action, ok bool) {
	if ok {
		p.Stats.Actions[a.slot]++
	}
}

// value returns the unescaped value of field i in a scratch buffer.
func (p *Processor) value(i int) []byte {
	p.scratch = p.rec.AppendValue(p.scratch[:0], i)
	return p.scratch
}

// appendValue appends the result of a value action on v.
func (p *Processor) appendValue(dst, v []byte, a *action, kind format.Kind) []byte {
	switch a.op {
	case opTruncate:
		if out, ok := ipaddr.AppendTruncated(dst, v, a.prefix); ok {
			return out
		}
		return p.appendRedacted(dst, a.placeholder, kind)
	case opPseudo:
		return p.appendPseudonym(dst, v, a, kind)
	case opMask:
		return appendMasked(dst, v, a)
	case opUserAgent:
		return useragent.Generalize(dst, v)
	}
	return p.appendRedacted(dst, a.placeholder, kind)
}

// appendRedacted writes the placeholder, or 0 for a JSON number so the
// value keeps its type.
func (p *Processor) appendRedacted(dst, placeholder []byte, kind format.Kind) []byte {
	if kind == format.Number {
		return append(dst, '0')
	}
	return append(dst, placeholder...)
}

// appendPseudonym writes the keyed pseudonym of v in a's form.
func (p *Processor) appendPseudonym(dst, v []byte, a *action, kind format.Kind) []byte {
	p.norm = p.e.normalize(p.norm[:0], v)
	mac := p.ps.Sum(p.t, p.norm)
	switch {
	case kind == format.Number || a.form == formDecimal:
		return pseudo.AppendDecimal(dst, mac, 15)
	case a.form == formIPv6:
		return pseudo.AppendIPv6(dst, mac)
	case a.keepDomain:
		if at := bytes.LastIndexByte(p.norm, '@'); at >= 0 {
			return pseudo.AppendEmail(dst, mac, a.length, p.norm[at+1:])
		}
	}
	return pseudo.AppendHex(dst, mac, a.length)
}

// appendMasked keeps the first and last characters of v and masks the rest
// with one mask character per byte.
func appendMasked(dst, v []byte, a *action) []byte {
	first, last := a.maskFirst, a.maskLast
	if first+last >= len(v) {
		first, last = 0, 0 // too short to keep anything
	}
	dst = append(dst, v[:first]...)
	for range len(v) - first - last {
		dst = append(dst, a.maskChar)
	}
	return append(dst, v[len(v)-last:]...)
}

// appendScrubbed appends text with every detector match replaced and
// returns how many matches there were. URL-encoded text is scanned in
// decoded form and the matches are replaced in the original bytes.
func (p *Processor) appendScrubbed(dst, text []byte) ([]byte, int) {
	if p.clean == nil {
		p.clean = new(cleanCache)
	}
	slot := p.clean.slot(text)
	if slot >= 0 && p.clean.has(slot, text) {
		return append(dst, text...), 0
	}
	out, n := p.scrub(dst, text)
	if n == 0 && slot >= 0 {
		p.clean.put(slot, text)
	}
	return out, n
}

// scrub is appendScrubbed without the cache.
func (p *Processor) scrub(dst, text []byte) ([]byte, int) {
	scan := text
	decoded := p.decodeForScan(text)
	if decoded != nil {
		scan = decoded
	}
	p.matches = p.e.detectors.Scan(scan, p.matches[:0])
	last, n := 0, 0
	for _, m := range p.matches {
		a := p.e.kinds[m.Kind]
		if m.Kind == detect.Custom {
			a = p.e.patterns[m.Pattern]
		}
		if a == nil || a.op == opKeep {
			continue
		}
		start, end := m.Start, m.End
		if decoded != nil {
			start, end = int(p.offs[start]), int(p.offs[end])
		}
		dst = append(dst, text[last:start]...)
		dst = p.appendMatch(dst, scan[m.Start:m.End], a)
		last = end
		n++
		p.Stats.Detections[m.Kind]++
		p.Stats.Actions[a.slot]++
	}
	return append(dst, text[last:]...), n
}

// appendMatch writes the replacement of one detector match.
func (p *Processor) appendMatch(dst, span []byte, a *action) []byte {
	switch a.op {
	case opTruncate:
		if out, ok := ipaddr.AppendTruncatedAddr(dst, span, a.prefix); ok {
			return out
		}
	case opPseudo:
		return p.appendPseudonym(dst, span, a, format.String)
	}
	return append(dst, a.placeholder...)
}

// composite scrubs parent field i as a whole, except for sub-fields with an
// explicit action of their own, which are applied in place.
func (p *Processor) composite(i, n int) {
	fs := p.rec.Fields
	line := p.rec.Line
	start, pos := len(p.vals), fs[i].Value.Start
	for j := i + 1; j <= i+n; {
		a, explicit := p.resolve(j)
		m := p.descendants(j)
		if !explicit || (a != nil && a.op == opScrub) {
			if m > 0 && p.anyExplicit(j+1, j+1+m) {
				j++ // the sub-field is scrubbed; look inside it for explicit ones
			} else {
				j += 1 + m
			}
			continue
		}
		c := fs[j].Value
		gap := c.Start // a key ("user=<") is kept: scrubbed alone it looks like a parameter without its value
		if k := fs[j].Key; k.End > k.Start && k.Start >= pos && k.End <= c.Start {
			gap = k.Start
		}
		p.vals, _ = p.appendScrubbed(p.vals, line[pos:gap])
		p.vals = append(p.vals, line[gap:c.Start]...)
		mark := len(p.vals)
		var raw, changed bool
		if a != nil {
			p.vals, raw, changed = p.transform(p.vals, j, a)
		}
		if !changed {
			p.vals = append(p.vals[:mark], line[c.Start:c.End]...)
		} else if !raw {
			makeRawSafe(p.vals[mark:])
		}
		pos = c.End
		j += 1 + m
	}
	p.vals, _ = p.appendScrubbed(p.vals, line[pos:fs[i].Value.End])
	p.edits = append(p.edits, format.Edit{Field: i, Value: p.vals[start:], Raw: true})
}

// makeRawSafe replaces bytes that would need escaping inside a quoted
// field, so a value can be spliced into raw text unchanged.
func makeRawSafe(b []byte) {
	for k, c := range b {
		if c < ' ' || c == '"' || c == '\\' || c == 0x7f {
			b[k] = '_'
		}
	}
}

func appendLower(dst, s []byte) []byte {
	for _, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
