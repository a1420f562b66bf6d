package aggregate

import "bytes"

// Bounds and placeholders of route templates.
const (
	// routeMaxSegments is the most segments a template has; the last one
	// is routeMore when the path had more.
	routeMaxSegments = 8
	// routeMaxSegmentLen is the longest segment kept; longer ones (in the
	// input or after templating) become routeID.
	routeMaxSegmentLen = 64
	// routeID replaces a segment, or the part of one, that looks like an
	// identifier or personal data.
	routeID = ":id"
	// routeMore is the eighth segment of a path with more than eight.
	routeMore = "..."
	// routeInvalid is the template of a request target that is neither a
	// path, an absolute URI nor "*".
	routeInvalid = "/:invalid"
)

// routeSafe marks the bytes a kept segment may hold: RFC 3986 unreserved
// characters and sub-delimiters, and ':'. Everything else ('%', '@',
// '\\', quotes, spaces, controls, non-ASCII …) turns the segment into
// routeID. ';' never reaches the check: path parameters are cut first.
var routeSafe = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range []byte("-._~!$&'()*+,=:") {
		t[c] = true
	}
	return t
}()

// AppendRoute appends the route template of the request target uri (as
// found in a request line) to dst, so that routes have bounded
// cardinality and hold no personal data. It allocates nothing when dst
// has room (at most 8*65+1 bytes are appended).
//
// The target is read as follows:
//   - a path ("/…") or an absolute URI ("scheme://authority/…", of which
//     only the path counts) is templated; query and fragment are dropped;
//   - "*" (the asterisk form of OPTIONS) is kept as "*";
//   - anything else (empty, "-", "host:443", garbage) is "/:invalid".
//
// So every template is "*" or starts with '/'. The path is split on '/'
// (repeated slashes collapse, an empty path is "/", a trailing slash is
// kept), at most 8 segments are kept (with more, the eighth is "..." and
// the rest is dropped), and each segment is templated on its own:
//   - path parameters (from ';' on, e.g. ";jsessionid=…") are dropped;
//   - ":id" replaces a segment that is empty after that, longer than 64
//     bytes, holds a byte outside [A-Za-z0-9-._~!$&'()*+,=:] (so any '%'
//     escape, '@' or non-ASCII byte), or has digits but no letters
//     (numbers, dates, IP addresses, versions such as 1.2.3);
//   - otherwise the segment's dot-separated parts are templated: ":id"
//     replaces a part that is a UUID, hex of 8 or more, a run of 5 or
//     more digits, a token of [A-Za-z0-9_-] of 16 or more with a digit or
//     of 8 or more with 3 digits, and the first part when it is all
//     digits and an extension follows ("12345.json" is ":id.json");
//   - words ("users", "v2", "index.html", "wp-login.php") are kept.
//
// A segment whose template would exceed 64 bytes is ":id". Templates are
// fixed points: AppendRoute of a template yields the template.
func AppendRoute(dst, uri []byte) []byte {
	if len(uri) == 1 && uri[0] == '*' {
		return append(dst, '*')
	}
	path, ok := routePath(uri)
	if !ok {
		return append(dst, routeInvalid...)
	}
	return appendRouteTemplate(dst, path)
}

// routePath returns the path of an origin-form or absolute-form request
// target, without query and fragment, and whether uri is one.
func routePath(uri []byte) ([]byte, bool) {
	if len(uri) > 0 && uri[0] == '/' {
		return cutQuery(uri), true
	}
	n := schemeEnd(uri)
	if n < 0 {
		return nil, false
	}
	rest := uri[n:]
	i := 0
	for i < len(rest) && rest[i] != '/' && rest[i] != '?' && rest[i] != '#' {
		i++
	}
	return cutQuery(rest[i:]), true
}

// schemeEnd returns the length of a leading "scheme://", or -1.
func schemeEnd(uri []byte) int {
	if len(uri) == 0 || !isLetter(uri[0]) {
		return -1
	}
	for i := 1; i < len(uri); i++ {
		c := uri[i]
		switch {
		case isLetter(c) || isDigit(c) || c == '+' || c == '-' || c == '.':
		case c == ':' && i+2 < len(uri) && uri[i+1] == '/' && uri[i+2] == '/':
			return i + 3
		default:
			return -1
		}
	}
	return -1
}

// cutQuery returns p up to the first '?' or '#'.
func cutQuery(p []byte) []byte {
	for i, c := range p {
		if c == '?' || c == '#' {
			return p[:i]
		}
	}
	return p
}

// appendRouteTemplate appends the template of a path without query.
func appendRouteTemplate(dst, path []byte) []byte {
	trailing := len(path) > 0 && path[len(path)-1] == '/'
	n := 0
	for {
		seg, rest, ok := nextSegment(path)
		if !ok {
			break
		}
		n++
		dst = append(dst, '/')
		if n == routeMaxSegments {
			if _, _, more := nextSegment(rest); more {
				return append(dst, routeMore...)
			}
		}
		dst = appendSegment(dst, seg)
		path = rest
	}
	if n == 0 || trailing {
		dst = append(dst, '/')
	}
	return dst
}

// nextSegment skips slashes and returns the segment up to the next slash
// and what follows it; ok is false when only slashes are left.
func nextSegment(path []byte) (seg, rest []byte, ok bool) {
	i := 0
	for i < len(path) && path[i] == '/' {
		i++
	}
	if i == len(path) {
		return nil, nil, false
	}
	path = path[i:]
	j := bytes.IndexByte(path, '/')
	if j < 0 {
		return path, nil, true
	}
	return path[:j], path[j:], true
}

// appendSegment appends the template of one path segment.
func appendSegment(dst, seg []byte) []byte {
	if i := bytes.IndexByte(seg, ';'); i >= 0 {
		seg = seg[:i]
	}
	if len(seg) == 0 || len(seg) > routeMaxSegmentLen || !segmentSafe(seg) || numberLike(seg) {
		return append(dst, routeID...)
	}
	start := len(dst)
	dst = appendParts(dst, seg)
	if len(dst)-start > routeMaxSegmentLen {
		dst = append(dst[:start], routeID...)
	}
	return dst
}

// segmentSafe reports whether every byte of seg may be kept.
func segmentSafe(seg []byte) bool {
	for _, c := range seg {
		if !routeSafe[c] {
			return false
		}
	}
	return true
}

// numberLike reports whether seg has digits but no letters.
func numberLike(seg []byte) bool {
	digit := false
	for _, c := range seg {
		if isLetter(c) {
			return false
		}
		digit = digit || isDigit(c)
	}
	return digit
}

// appendParts appends seg with each identifier-like dot-separated part
// replaced by routeID.
func appendParts(dst, seg []byte) []byte {
	for first := true; ; first = false {
		i := bytes.IndexByte(seg, '.')
		part := seg
		if i >= 0 {
			part = seg[:i]
		}
		if idLike(part) || first && i >= 0 && allDigits(part) {
			dst = append(dst, routeID...)
		} else {
			dst = append(dst, part...)
		}
		if i < 0 {
			return dst
		}
		dst = append(dst, '.')
		seg = seg[i+1:]
	}
}

// idLike reports whether a dot-free part looks like an identifier: a
// UUID, hex of 8 or more, a run of 5 or more digits, or a token.
func idLike(p []byte) bool {
	digits, run, maxRun := 0, 0, 0
	hex, token := true, true
	for _, c := range p {
		if isDigit(c) {
			digits++
			run++
			maxRun = max(maxRun, run)
			continue
		}
		run = 0
		switch {
		case 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F':
		case isLetter(c) || c == '-' || c == '_':
			hex = false
		default:
			hex, token = false, false
		}
	}
	switch {
	case maxRun >= 5, hex && len(p) >= 8, isUUID(p):
		return true
	case token && (len(p) >= 16 && digits > 0 || len(p) >= 8 && digits >= 3):
		return true
	}
	return false
}

// isUUID reports whether p is 8-4-4-4-12 hex digits, in any case.
func isUUID(p []byte) bool {
	if len(p) != 36 {
		return false
	}
	for i, c := range p {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isDigit(c) && !('a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// allDigits reports whether p is one or more ASCII digits.
func allDigits(p []byte) bool {
	for _, c := range p {
		if !isDigit(c) {
			return false
		}
	}
	return len(p) > 0
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
