package rules

import "bytes"

// appendStripped applies strip_query to a URL, a referer or a bare query
// string (isQuery): parameters on the allow-list are kept with their values
// scrubbed, listed ones are pseudonymized or redacted, all others and the
// fragment are dropped. The part before the query is scrubbed.
func (p *Processor) appendStripped(dst, v []byte, isQuery bool, a *action) []byte {
	if h := bytes.IndexByte(v, '#'); h >= 0 {
		v = v[:h]
	}
	q := v
	if !isQuery {
		qm := bytes.IndexByte(v, '?')
		if qm < 0 {
			dst, _ = p.appendScrubbed(dst, v)
			return dst
		}
		dst, _ = p.appendScrubbed(dst, v[:qm])
		dst = append(dst, '?')
		q = v[qm+1:]
	}
	mark, kept := len(dst), 0
	for len(q) > 0 {
		var param []byte
		if amp := bytes.IndexByte(q, '&'); amp >= 0 {
			param, q = q[:amp], q[amp+1:]
		} else {
			param, q = q, nil
		}
		name, val, hasVal := bytes.Cut(param, []byte{'='})
		p.lower = appendLower(p.lower[:0], name)
		key := string(p.lower)
		switch {
		case a.allow[key], a.pseudoKeys[key], a.redactKeys[key]:
		default:
			continue
		}
		if kept > 0 {
			dst = append(dst, '&')
		}
		kept++
		dst = append(dst, name...)
		if !hasVal {
			continue
		}
		dst = append(dst, '=')
		switch {
		case len(val) == 0:
		case a.pseudoKeys[key]:
			dst = p.appendPseudonym(dst, val, a, 0)
		case a.redactKeys[key]:
			dst = append(dst, a.placeholder...)
		default:
			dst, _ = p.appendScrubbed(dst, val)
		}
	}
	if kept == 0 && !isQuery {
		dst = dst[:mark-1] // no parameter left: drop the '?'
	}
	return dst
}
