package format

import (
	"bytes"
	"time"
)

// Field names of the nginx error log parser. They are shared by every
// Record and must not be modified.
var (
	nameNginxTime       = []byte("nginx.time")
	nameNginxLevel      = []byte("nginx.level")
	nameNginxPID        = []byte("nginx.pid")
	nameNginxConnection = []byte("nginx.connection")
	nameNginxMessage    = []byte("nginx.message")
	nameNginxUser       = []byte("nginx.user")
	nameNginxRest       = []byte("nginx.rest")
	nginxKnownKeys      = kvNames("nginx.", "client", "server", "request", "subrequest", "upstream", "host", "referrer", "login")
	nginxPrefix         = []byte("nginx.")
	nginxClient         = []byte(", client: ")
	nginxServer         = []byte(", server: ")
	nginxUserQuote      = []byte(`user "`)
)

// NginxErrorFields returns the names of the fields the nginx error log
// parser produces (besides nginx.<key> of unknown trailing keys and the
// request's request_method, request_uri, request_query and
// server_protocol). The slice is the caller's.
func NginxErrorFields() []string {
	out := []string{"nginx.time", "nginx.level", "nginx.pid", "nginx.connection", "nginx.message", "nginx.user"}
	for _, k := range nginxKnownKeys {
		out = append(out, string(k.name))
	}
	return out
}

// isNginxTime reports whether b is "2006/01/02 15:04:05".
func isNginxTime(b []byte) bool {
	return len(b) == 19 && b[4] == '/' && b[7] == '/' && b[10] == ' ' && b[13] == ':' && b[16] == ':' &&
		isDigits(b[:4]) && isDigits(b[5:7]) && isDigits(b[8:10]) && isDigits(b[11:13]) && isDigits(b[14:16]) && isDigits(b[17:])
}

// parseNginxTime parses an nginx error log time, a local time without
// zone, as UTC.
func parseNginxTime(b []byte) (time.Time, bool) {
	if !isNginxTime(b) {
		return time.Time{}, false
	}
	y, _ := num(b, 0, 4)
	m, _ := num(b, 5, 2)
	d, _ := num(b, 8, 2)
	if m < 1 || m > 12 {
		return time.Time{}, false
	}
	return civil(y, time.Month(m), d, b[11:19], 0, 0)
}

// startsNginxError reports whether line begins like an nginx error log
// line: "2006/01/02 15:04:05 [".
func startsNginxError(line []byte) bool {
	return len(line) > 21 && isNginxTime(line[:19]) && line[19] == ' ' && line[20] == '['
}

// parseNginxError parses an nginx error log line:
//
//	2026/12/02 01:13:17 [error] 1234#0: *5 message, client: 1.2.3.4, server: x, request: "GET / HTTP/1.1", host: "x"
//
// The free text is nginx.message (with nginx.user for `user "X"`), the
// trailing "key: value" pairs are nginx.<key>, and the request is split
// like the combined format's.
func (r *Record) parseNginxError() bool {
	if !r.nginxAt(0, trimEnd(r.Line, 0, len(r.Line)), -1) {
		return false
	}
	r.Time = 0
	r.Format = NginxError
	return true
}

// nginxAt adds the fields of the nginx error log line at b[s:end] (the
// whole line, or a syslog message) with parent as the parent of its
// top-level fields. It adds nothing and returns false if b[s:end] is not
// one.
func (r *Record) nginxAt(s, end, parent int) bool {
	b := r.Line
	if !startsNginxError(b[s:end]) {
		return false
	}
	l := bytes.IndexByte(b[s+21:end], ']') + s + 21
	if l <= s+21 || l+2 >= end || b[l+1] != ' ' {
		return false
	}
	ps := l + 2
	pe := ps + skipPID(b[ps:end])
	if pe == ps || pe >= end || b[pe] != ':' || pe+1 < end && b[pe+1] != ' ' {
		return false
	}
	r.addField(nameNginxTime, Span{}, Span{s, s + 19}, Bare, false, parent)
	r.addField(nameNginxLevel, Span{}, Span{s + 21, l}, Bare, false, parent)
	r.addField(nameNginxPID, Span{}, Span{ps, pe}, Bare, false, parent)
	ms := min(pe+2, end)
	if ms < end && b[ms] == '*' {
		ce := skipDigits(b, ms+1)
		if ce > ms+1 && ce < end && b[ce] == ' ' {
			r.addField(nameNginxConnection, Span{}, Span{ms, ce}, Bare, false, parent)
			ms = ce + 1
		}
	}
	me := index(b, ms, end, nginxClient)
	if me < 0 {
		me = index(b, ms, end, nginxServer)
	}
	if me < 0 {
		me = end
	}
	r.nginxMessage(ms, me, parent)
	r.nginxPairs(me, end, parent)
	return true
}

// skipPID returns the length of the "pid#tid" digits and '#' at the
// start of b.
func skipPID(b []byte) int {
	i := 0
	for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == '#') {
		i++
	}
	return i
}

// nginxMessage adds nginx.message for b[s:e] and nginx.user for the name
// in `user "X"`.
func (r *Record) nginxMessage(s, e, parent int) {
	if s >= e {
		return // nothing to edit: an edit could not put the space back
	}
	m := r.addField(nameNginxMessage, Span{}, Span{s, e}, Bare, false, parent)
	b := r.Line
	u := index(b, s, e, nginxUserQuote)
	if u < 0 || u > s && b[u-1] != ' ' {
		return
	}
	us := u + len(nginxUserQuote)
	if q := bytes.IndexByte(b[us:e], '"'); q > 0 {
		r.addField(nameNginxUser, Span{}, Span{us, us + q}, String, false, m)
	}
}

// nginxPairs adds the ", key: value" pairs of b[i:end]; a quoted value
// ends at a quote followed by the next pair or the end of the line. Text
// after the last pair that is not a pair is nginx.rest, so no byte of the
// line is outside a field the rules see.
func (r *Record) nginxPairs(i, end, parent int) {
	b := r.Line
	for i+2 < end && b[i] == ',' && b[i+1] == ' ' {
		ks := i + 2
		k := ks
		for k < end && (b[k] >= 'a' && b[k] <= 'z' || b[k] == '_') {
			k++
		}
		if k == ks || k+1 >= end || b[k] != ':' || b[k+1] != ' ' {
			break
		}
		vs, ve, next, kind := nginxValueEnd(b, k+2, end)
		if ve > vs {
			f := r.addField(r.nginxKeyName(b[ks:k]), Span{ks, k}, Span{vs, ve}, kind, false, parent)
			if sameName(r.Fields[f].Path, nginxKnownKeys[2].name) || sameName(r.Fields[f].Path, nginxKnownKeys[3].name) {
				r.parseRequestLine(f, vs, ve)
			}
		}
		i = next
	}
	if i < end {
		r.addField(nameNginxRest, Span{}, Span{i, end}, Bare, false, parent)
	}
}

// nginxValueEnd returns the span of the value at b[i:end] (without
// quotes), where the next pair starts, and the value's kind (String when
// quoted).
func nginxValueEnd(b []byte, i, end int) (vs, ve, next int, kind Kind) {
	if i < end && b[i] == '"' {
		for q := i + 1; q < end; q++ {
			if b[q] == '"' && (q+1 == end || isNginxPair(b, q+1, end)) {
				return i + 1, q, q + 1, String
			}
		}
	}
	for j := i; j < end; j++ {
		if b[j] == ',' && isNginxPair(b, j, end) {
			return i, j, j, Bare
		}
	}
	return i, end, end, Bare
}

// isNginxPair reports whether b[i:end] starts with ", key: ".
func isNginxPair(b []byte, i, end int) bool {
	if i+2 >= end || b[i] != ',' || b[i+1] != ' ' {
		return false
	}
	k := i + 2
	for k < end && (b[k] >= 'a' && b[k] <= 'z' || b[k] == '_') {
		k++
	}
	return k > i+2 && k+1 < end && b[k] == ':' && b[k+1] == ' '
}

// nginxKeyName returns "nginx.<key>" from the name table, or built in the
// scratch buffer for an unknown key.
func (r *Record) nginxKeyName(key []byte) []byte {
	for _, n := range nginxKnownKeys {
		if string(key) == n.key {
			return n.name
		}
	}
	start := len(r.paths)
	r.paths = append(r.paths, nginxPrefix...)
	r.paths = append(r.paths, key...)
	return r.paths[start:len(r.paths):len(r.paths)]
}
