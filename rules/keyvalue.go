package rules

import (
	"bytes"
	"time"

	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
)

// AppendKeyValue appends the anonymized value of one key/value pair that
// does not pass through Append, such as a structured-metadata entry or a
// stream label of a pushed Loki stream, with pseudonyms taken at time t.
// The key finds its action as a top-level JSON or logfmt key does: an
// exact fields or keys rule, a "path.*" fields rule, then the keys
// catalogue by the key's last path element, case- and '-'/'_'-insensitive
// ("User", "client-ip", "clientIp"). A key no rule names is scrubbed with
// the free-text detectors, except that a look-alike under its key (an id
// under trace_id, a dotted quad under version: detect.FieldLookAlike) is
// kept; unlike a record field, it is scrubbed even when scrub_unknown is
// false (such a value has no parser behind it that vouched for it).
//
// ok is false when the pair must not be kept at all: its key's action is
// drop_field, or the key itself holds something a detector finds (a key
// cannot be rewritten, as for a record's key). Nothing is appended then.
// An empty value, and the "-" of an absent one, is appended as it is.
// Applied actions are counted in Stats like a record field's.
func (p *Processor) AppendKeyValue(dst, key, value []byte, t time.Time) (out []byte, ok bool) {
	if p.keyPII(key) {
		p.Stats.Actions[p.e.keyDrop.slot]++
		return dst, false
	}
	a := p.keyValueAction(key)
	if a != nil && a.op == opDrop {
		p.Stats.Actions[a.slot]++
		return dst, false
	}
	if a == nil || a.op == opKeep || len(value) == 0 || (len(value) == 1 && value[0] == '-') {
		return append(dst, value...), true
	}
	p.t = t
	switch a.op {
	case opScrub:
		if detect.FieldLookAlike(key[bytes.LastIndexByte(key, '.')+1:], value) {
			return append(dst, value...), true
		}
		dst, _ = p.appendScrubbed(dst, value)
		return dst, true
	case opCoarsen:
		c, changed := appendCoarsened(dst, value, a.coarsen)
		p.count(a, changed)
		if !changed {
			return append(dst, value...), true
		}
		return c, true
	case opStripQuery:
		p.count(a, true)
		return p.appendStripped(dst, value, string(key) == "request_query", a), true
	}
	p.count(a, true)
	return p.appendValue(dst, value, a, format.String), true
}

// keyValueAction is the action of a key/value pair's key (see
// AppendKeyValue): never nil, the scrub of unknown values at least.
func (p *Processor) keyValueAction(key []byte) *action {
	if a, ok := p.e.named[string(key)]; ok {
		return a
	}
	for _, s := range p.e.subtrees {
		if bytes.HasPrefix(key, s.prefix) {
			return s.a
		}
	}
	if a, ok := p.keyAction(key); ok {
		return a
	}
	return p.e.scrub
}

// keyPII reports whether key holds something a detector finds and the
// rules do not keep (see keyHasPII).
func (p *Processor) keyPII(key []byte) bool {
	if len(key) < 3 || (!maybePII(key) && len(p.e.patterns) == 0) {
		return false
	}
	p.matches = p.e.detectors.Scan(key, p.matches[:0])
	for _, m := range p.matches {
		if a := p.e.kinds[m.Kind]; m.Kind == detect.Custom || (a != nil && a.op != opKeep) {
			return true
		}
	}
	return false
}
