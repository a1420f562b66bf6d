package detect

import "github.com/tarn-project/tarn/rules/ipaddr"

// Versions that look like IPv4 addresses: "version=1.26.2.79",
// "Chrome/120.0.0.0", "/releases/3.5.6.33/". They are not reported. A
// dotted quad with more than four parts ("1.2.3.4.5") is no address to
// begin with (see ipaddr.Next).

// versionLike reports whether the IPv4 "address" starting at start is a
// version: the value of a version key, the version of a product token, or
// a path segment after a release directory.
func versionLike(text []byte, start int) bool {
	return versionKey(text, start) || productVersion(text, start) || releasePath(text, start)
}

// versionKey reports whether the value at start follows a version key (see
// versionName): `version=1.2.3.4`, `"app_version":"1.2.3.4"`,
// `ver: 1.2.3.4`.
func versionKey(text []byte, start int) bool {
	b, e, ok := keyBefore(text, start)
	return ok && versionName(text[b:e])
}

// versionName reports whether a key names a version: "v", "ver", or a key
// that ends in "version" ("app_version", "osVersion") or in "_ver" or "_v"
// ('-' and '.' as well as '_').
func versionName(key []byte) bool {
	n := len(key)
	switch {
	case n >= 7 && hasFoldPrefix(key, n-7, "version"):
		return true
	case n >= 3 && hasFoldPrefix(key, n-3, "ver"):
		return n == 3 || is(key[n-4], cName) && !is(key[n-4], cAlnum)
	case n >= 1 && hasFoldPrefix(key, n-1, "v"):
		return n == 1 || is(key[n-2], cName) && !is(key[n-2], cAlnum)
	}
	return false
}

// ipaddrV4 reports whether b is a dotted quad.
func ipaddrV4(b []byte) bool {
	_, ok := ipaddr.ParseV4(b)
	return ok
}

// notProducts are names that, before '/', announce an address rather than
// a product version ("ip/1.2.3.4", "from/1.2.3.4").
var notProducts = []string{
	"ip", "ipv4", "addr", "address", "host", "client", "remote", "peer", "src", "source",
	"dst", "dest", "from", "to", "via", "by", "for", "server", "proxy", "node", "gateway", "nat",
}

// productVersion reports whether the address at start is the version of a
// product token such as "Chrome/120.0.0.0" or "okhttp/4.12.0.1": it follows
// '/' and a name of two or more letters, digits, '-', '_' or '.' that starts
// with a letter after a space, '(', ';', ',', a quote or the text, and is
// not a word that announces an address.
func productVersion(text []byte, start int) bool {
	if start < 3 || text[start-1] != '/' {
		return false
	}
	w := start - 1
	for w > 0 && start-w <= maxNameLen && is(text[w-1], cName) {
		w--
	}
	if start-1-w < 2 || !is(text[w], cAlpha) {
		return false
	}
	if w > 0 && !isProductStart(text[w-1]) {
		return false
	}
	for _, n := range notProducts {
		if start-1-w == len(n) && hasFoldPrefix(text, w, n) {
			return false
		}
	}
	return true
}

// isProductStart reports whether a product token may start after c.
func isProductStart(c byte) bool {
	return c == ' ' || c == '(' || c == ';' || c == ',' || c == '"' || c == '\'' || c == '='
}

// releaseDirs are the path segments after which a dotted quad is a
// version: "/releases/3.5.6.33/", "/download/1.2.3.4/x.tar.gz".
var releaseDirs = []string{"releases", "release", "download", "downloads", "v"}

// releasePath reports whether the address at start is a path segment right
// after one of releaseDirs.
func releasePath(text []byte, start int) bool {
	if start < 2 || text[start-1] != '/' {
		return false
	}
	for _, d := range releaseDirs {
		b := start - 1 - len(d)
		if b >= 0 && hasFoldPrefix(text, b, d) && (b == 0 || !is(text[b-1], cName)) {
			return true
		}
	}
	return false
}
