package format

import (
	"bytes"
	"strconv"
)

// Field names of the combined/common parser (nginx variable names). They are
// shared by every Record and must not be modified.
var (
	nameVhost      = []byte("vhost")
	nameRemoteAddr = []byte("remote_addr")
	nameIdent      = []byte("remote_ident")
	nameUser       = []byte("remote_user")
	nameTime       = []byte("time_local")
	nameRequest    = []byte("request")
	nameMethod     = []byte("request_method")
	nameURI        = []byte("request_uri")
	nameQuery      = []byte("request_query")
	nameProto      = []byte("server_protocol")
	nameStatus     = []byte("status")
	nameBytes      = []byte("body_bytes_sent")
	nameReferer    = []byte("http_referer")
	nameUserAgent  = []byte("http_user_agent")
	nameXFF        = []byte("http_x_forwarded_for")
	namesHead      = [...][]byte{nameVhost, nameRemoteAddr, nameIdent, nameUser}
	combinedNames  = [...][]byte{nameVhost, nameRemoteAddr, nameIdent, nameUser, nameTime, nameRequest,
		nameMethod, nameURI, nameQuery, nameProto, nameStatus, nameBytes, nameReferer, nameUserAgent, nameXFF}
)

// CombinedFields returns the names of the fields the combined/common parser
// produces, in the order of a line (besides the extra_N of unnamed extra
// fields). The slice is the caller's.
func CombinedFields() []string {
	out := make([]string, len(combinedNames))
	for i, n := range combinedNames {
		out[i] = string(n)
	}
	return out
}

// parseCombined parses an Apache/nginx common or combined line, optionally
// with a leading vhost and trailing extra fields:
//
//	[vhost[:port] ]host ident user [time] "request" status bytes ["referer" "ua"] [extra ...]
//
// The vhost is recognised by the position of the time bracket (fifth instead
// of fourth token). A trailing CR and trailing spaces are ignored.
func (r *Record) parseCombined() bool {
	line := r.Line
	end := len(line)
	for end > 0 && (line[end-1] == ' ' || line[end-1] == '\r') {
		end--
	}
	var head [4]Span
	n, i := 0, 0
	for i < end && line[i] != '[' {
		if n == len(head) {
			return false
		}
		s := i
		i = skipToken(line, i, end)
		if i == s || i >= end {
			return false
		}
		head[n] = Span{s, i}
		n++
		i++ // the space
	}
	if n < 3 || i >= end {
		return false
	}
	names := namesHead[1:]
	if n == 4 {
		names = namesHead[:]
	}
	for k := 0; k < n; k++ {
		r.addField(names[k], Span{}, head[k], Bare, false, -1)
	}
	i = r.parseCLFTime(i, end)
	if i < 0 {
		return false
	}
	i = r.parseRequest(i, end)
	if i < 0 {
		return false
	}
	return r.parseCLFTail(i, end)
}

// skipToken returns the index of the first space at or after i (or end).
func skipToken(line []byte, i, end int) int {
	if j := bytes.IndexByte(line[i:end], ' '); j >= 0 {
		return i + j
	}
	return end
}

// parseCLFTime parses "[time] " at i (line[i] == '[') and returns the index
// after the space, or -1.
func (r *Record) parseCLFTime(i, end int) int {
	j := bytes.IndexByte(r.Line[i+1:end], ']') + i + 1
	if j <= i+1 || j+1 >= end || r.Line[j+1] != ' ' {
		return -1
	}
	r.Time = r.addField(nameTime, Span{}, Span{i + 1, j}, String, false, -1)
	return j + 2
}

// parseRequest parses the quoted request line at i and its sub-fields and
// returns the index after the closing quote, or -1.
func (r *Record) parseRequest(i, end int) int {
	s, e, esc := scanCLFQuoted(r.Line, i, end)
	if s < 0 {
		return -1
	}
	req := r.addField(nameRequest, Span{}, Span{s, e}, String, esc, -1)
	r.parseRequestLine(req, s, e)
	return e + 1
}

// parseRequestLine adds request_method, request_uri, request_query and
// server_protocol when line[s:e] is "METHOD SP target SP proto".
func (r *Record) parseRequestLine(req, s, e int) {
	b := r.Line
	m := s
	for m < e && b[m] >= 'A' && b[m] <= 'Z' {
		m++
	}
	if m == s || m >= e || b[m] != ' ' {
		return
	}
	u := m + 1
	ue := skipToken(b, u, e)
	if ue == u || ue >= e {
		return
	}
	p := ue + 1
	if skipToken(b, p, e) != e || !isProto(b[p:e]) {
		return
	}
	r.addField(nameMethod, Span{}, Span{s, m}, String, false, req)
	uri := r.addField(nameURI, Span{}, Span{u, ue}, String, hasByte(b[u:ue], '\\'), req)
	for q := u; q < ue; q++ {
		if b[q] == '?' {
			r.addField(nameQuery, Span{}, Span{q + 1, ue}, String, hasByte(b[q+1:ue], '\\'), uri)
			break
		}
	}
	r.addField(nameProto, Span{}, Span{p, e}, String, false, req)
}

// isProto reports whether b looks like "HTTP/1.1": upper-case letters, a
// slash, then digits and dots.
func isProto(b []byte) bool {
	i := 0
	for i < len(b) && b[i] >= 'A' && b[i] <= 'Z' {
		i++
	}
	if i == 0 || i+1 >= len(b) || b[i] != '/' {
		return false
	}
	for _, c := range b[i+1:] {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}

// parseCLFTail parses " status bytes" and the optional referer, user agent
// and extra fields after the request's closing quote at i-1.
func (r *Record) parseCLFTail(i, end int) bool {
	b := r.Line
	for _, name := range [...][]byte{nameStatus, nameBytes} {
		if i >= end || b[i] != ' ' {
			return false
		}
		s := i + 1
		i = skipToken(b, s, end)
		if !isCount(b[s:i]) {
			return false
		}
		r.addField(name, Span{}, Span{s, i}, Bare, false, -1)
	}
	r.Format = Common
	extra, xff := 0, false
	for i < end {
		if b[i] != ' ' || i+1 >= end {
			return false
		}
		i++
		if b[i] != '"' {
			s := i
			i = skipToken(b, i, end)
			extra++
			r.addField(r.extraName(extra), Span{}, Span{s, i}, Bare, false, -1)
			continue
		}
		s, e, esc := scanCLFQuoted(b, i, end)
		if s < 0 {
			return false
		}
		i = e + 1
		var name []byte
		switch {
		case extra == 0 && r.Format == Common:
			name, r.Format = nameReferer, Combined
		case extra == 0 && len(r.Fields) > 0 && sameName(r.Fields[len(r.Fields)-1].Path, nameReferer):
			name = nameUserAgent
		case !xff:
			name, xff = nameXFF, true
			extra++
		default:
			extra++
			name = r.extraName(extra)
		}
		r.addField(name, Span{}, Span{s, e}, String, esc, -1)
	}
	return true
}

// sameName reports whether a is the package name table entry b.
func sameName(a, b []byte) bool { return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0] }

// extraName builds "extra_N" in the scratch buffer.
func (r *Record) extraName(n int) []byte {
	start := len(r.paths)
	r.paths = append(r.paths, "extra_"...)
	r.paths = strconv.AppendInt(r.paths, int64(n), 10)
	return r.paths[start:len(r.paths):len(r.paths)]
}

// isCount reports whether b is "-" or a run of decimal digits.
func isCount(b []byte) bool {
	if len(b) == 1 && b[0] == '-' {
		return true
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// scanCLFQuoted scans the quoted field whose opening quote is at i. A
// backslash escapes the next byte (Apache's \" and \\, nginx's \xHH); a
// quote not followed by a space or the end of the line is taken as content,
// since some servers log request bytes unescaped. It returns the value span
// (without quotes) and whether it holds a backslash, or s = -1.
func scanCLFQuoted(b []byte, i, end int) (s, e int, esc bool) {
	if i >= end || b[i] != '"' {
		return -1, -1, false
	}
	for j := i + 1; j < end; {
		q := bytes.IndexByte(b[j:end], '"')
		if q < 0 {
			break
		}
		q += j
		if k := bytes.IndexByte(b[j:q], '\\'); k >= 0 {
			esc = true
			j += k + 2 // skip the backslash and the byte it escapes
			continue
		}
		if q+1 == end || b[q+1] == ' ' {
			return i + 1, q, esc
		}
		j = q + 1
	}
	return -1, -1, false
}

// hasByte reports whether b contains c.
func hasByte(b []byte, c byte) bool { return bytes.IndexByte(b, c) >= 0 }
