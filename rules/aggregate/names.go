package aggregate

import "github.com/tarn-project/tarn/rules/ipaddr"

// Status classes, indexes of the per-method counters.
const (
	class1xx = iota
	class2xx
	class3xx
	class4xx
	class5xx
	classOther
	numClasses
)

var classNames = [numClasses]string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"}

// statusClass returns the class index of an HTTP status.
func statusClass(s int) int {
	if s < 100 || s > 599 {
		return classOther
	}
	return s/100 - 1
}

// methods are the request methods reported by name; the last, OTHER,
// stands for all others.
var methods = [...]string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "PROPFIND", "OTHER"}

// methodIndex returns the index of a method in methods (OTHER's for the
// rest).
func methodIndex(m []byte) int {
	for i, name := range methods[:len(methods)-1] {
		if string(m) == name {
			return i
		}
	}
	return len(methods) - 1
}

// otherHost names the hosts past MaxHosts and host values that are not
// host names.
const otherHost = "other"

// noHost names requests whose log carries no host.
const noHost = "-"

// appendHost appends the reportable form of a virtual host: lower case,
// without ":port", or otherHost when it is not a plain host name (an IP
// literal, or anything with characters other than letters, digits, '.',
// '-' and '_').
func appendHost(dst, h []byte) []byte {
	if len(h) == 0 || string(h) == "-" {
		return append(dst, noHost...)
	}
	h = WithoutPort(h)
	if len(h) == 0 || len(h) > 253 {
		return append(dst, otherHost...)
	}
	if _, ok := ipaddr.ParseV4(h); ok {
		return append(dst, otherHost...)
	}
	if len(h) > 2 && h[0] == '[' {
		return append(dst, otherHost...) // [v6]
	}
	start := len(dst)
	for _, c := range h {
		switch {
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '-', c == '_':
			dst = append(dst, c)
		default:
			return append(dst[:start], otherHost...)
		}
	}
	return dst
}

// WithoutPort returns h without a ":port" suffix (digits after the last
// colon, as Apache's vhost_combined writes %v:%p); h itself when it has
// none.
func WithoutPort(h []byte) []byte {
	i := len(h)
	for i > 0 && isDigit(h[i-1]) {
		i--
	}
	if i > 0 && i < len(h) && h[i-1] == ':' {
		return h[:i-1]
	}
	return h
}
