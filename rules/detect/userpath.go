package detect

import "bytes"

// userPaths are the URL path prefixes, after a '/', whose next path
// segment names a user: /users/jdoe/settings, /user/42, /u/jdoe,
// /~alice/, /profile/jdoe, /account/jdoe. Matched case-insensitively.
var userPaths = [...]string{"users/", "user/", "u/", "~", "profile/", "account/"} // grouped by first letter, as userPrefix reads them

// maxUserPath is the length of the longest prefix of userPaths, with its '/'.
const maxUserPath = len("/account/")

// nextUser finds the first user name at or after from: in a URL path (see
// nextUserPath) or named in free text (see nextUserWord).
func nextUser(text []byte, from int) (start, end int, ok bool) {
	start, end, ok = nextUserPath(text, from)
	s, e, ok2 := nextUserWord(text, from)
	if ok2 && (!ok || s < start) {
		return s, e, true
	}
	return start, end, ok
}

// nextUserPath finds the first path segment at or after from that follows
// one of userPaths: the user name or id of a profile URL, in request
// lines, URL fields and free text. Every non-empty segment there counts,
// numeric ids too: either way it identifies a user. The span is the
// segment only.
func nextUserPath(text []byte, from int) (start, end int, ok bool) {
	for i := max(from-maxUserPath, 0); i < len(text); {
		j := bytes.IndexByte(text[i:], '/')
		if j < 0 {
			break
		}
		i += j + 1
		if i >= 2 && text[i-2] == '/' {
			continue // "//host": an authority, not a path
		}
		n := userPrefix(text, i)
		if n == 0 || i+n < from {
			continue
		}
		st, e := i+n, i+n
		for e < len(text) && !segmentEnd[text[e]] {
			e++
		}
		if e > st {
			return st, e, true
		}
	}
	return 0, 0, false
}

// userPrefix returns the length of the prefix of userPaths at text[i:],
// or 0.
func userPrefix(text []byte, i int) int {
	if i >= len(text) {
		return 0
	}
	var paths []string
	switch lower(text[i]) {
	case 'u':
		paths = userPaths[:3]
	case '~':
		paths = userPaths[3:4]
	case 'p':
		paths = userPaths[4:5]
	case 'a':
		paths = userPaths[5:]
	}
	for _, p := range paths {
		if len(text)-i >= len(p) && foldedIs(text[i:i+len(p)], p) {
			return len(p)
		}
	}
	return 0
}

// segmentEnd marks the bytes that end a URL path segment: those that end
// a parameter value, '/', '<', '>', '\\', ')', ']' and '}'.
var segmentEnd = func() [256]bool {
	t := valueEnd
	for _, c := range []byte("/<>\\)]}") {
		t[c] = true
	}
	return t
}()
