package corpus

import "strconv"

// appendJSON appends r as an application log object. Some keys are
// optional (user, user_agent, session_id, request, tags, error) so that
// consumers see varying shapes, nested objects and an array. All strings
// written come from pools or digit/hex generators that need no JSON
// escaping; the tests check every pool for that.
func (g *Generator) appendJSON(dst []byte, r *request) []byte {
	dst = append(dst, `{"time":"`...)
	dst = g.now.AppendFormat(dst, jsonTime)
	dst = append(dst, `","level":"`...)
	dst = append(dst, level(r.status)...)
	dst = append(dst, `","msg":"`...)
	if r.status >= 500 {
		dst = append(dst, "request failed"...)
	} else {
		dst = append(dst, "request served"...)
	}
	dst = append(dst, `","client_ip":"`...)
	dst = g.appendClientIP(dst, r.client)
	dst = append(dst, '"')
	if g.rng.IntN(10) < 4 {
		dst = g.appendUser(dst)
	}
	dst = append(dst, `,"method":"`...)
	dst = append(dst, r.method...)
	dst = append(dst, `","path":"`...)
	dst = g.appendPath(dst, r.kind)
	dst = append(dst, `","status":`...)
	dst = strconv.AppendInt(dst, int64(r.status), 10)
	dst = append(dst, `,"duration_ms":`...)
	dst = g.appendDuration(dst)
	return g.appendJSONOptional(dst, r)
}

// appendJSONOptional appends the optional trailing keys and the closing
// brace.
func (g *Generator) appendJSONOptional(dst []byte, r *request) []byte {
	if g.rng.IntN(3) == 0 {
		dst = append(dst, `,"user_agent":"`...)
		dst = append(dst, r.ua...)
		dst = append(dst, '"')
	}
	if g.rng.IntN(3) == 0 {
		dst = append(dst, `,"session_id":"`...)
		dst = g.appendHex(dst, 32)
		dst = append(dst, '"')
	}
	if g.rng.IntN(8) == 0 {
		dst = append(dst, `,"request":{"referer":"`...)
		dst = g.appendReferer(dst)
		dst = append(dst, `","x_forwarded_for":"`...)
		dst = g.appendXFF(dst)
		dst = append(dst, `"}`...)
	}
	if g.rng.IntN(10) == 0 {
		dst = append(dst, `,"tags":["`...)
		dst = append(dst, pick(g, jsonTags[:])...)
		dst = append(dst, `","`...)
		dst = append(dst, pick(g, jsonTags[:])...)
		dst = append(dst, `"]`...)
	}
	if r.status >= 500 {
		dst = append(dst, `,"error":"`...)
		dst = append(dst, pick(g, jsonErrors[:])...)
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

// level returns the log level for a response status.
func level(status int) string {
	switch {
	case status >= 500:
		return "error"
	case status >= 400:
		return "warn"
	}
	return "info"
}

// appendUser appends the "user" object: id, e-mail and display name.
func (g *Generator) appendUser(dst []byte) []byte {
	first, last := pick(g, firstNames[:]), pick(g, lastNames[:])
	dst = append(dst, `,"user":{"id":`...)
	dst = strconv.AppendInt(dst, int64(1+g.rng.IntN(99999)), 10)
	dst = append(dst, `,"email":"`...)
	dst = append(dst, first...)
	dst = append(dst, '.')
	dst = append(dst, last...)
	dst = append(dst, '@')
	dst = append(dst, pick(g, mailDomains[:])...)
	dst = append(dst, `","name":"`...)
	dst = appendCapitalized(dst, first)
	dst = append(dst, ' ')
	dst = appendCapitalized(dst, last)
	return append(dst, `"}`...)
}

// appendCapitalized appends s with its first ASCII letter upper-cased.
func appendCapitalized(dst []byte, s string) []byte {
	if s == "" {
		return dst
	}
	c := s[0]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	return append(append(dst, c), s[1:]...)
}

// appendDuration appends a request duration in milliseconds with one
// decimal, mostly small with a long tail.
func (g *Generator) appendDuration(dst []byte) []byte {
	tenths := 5 + g.rng.IntN(200)
	if g.rng.IntN(20) == 0 {
		tenths *= 50
	}
	dst = strconv.AppendInt(dst, int64(tenths/10), 10)
	dst = append(dst, '.')
	return append(dst, byte('0'+tenths%10))
}
