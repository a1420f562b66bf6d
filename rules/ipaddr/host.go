package ipaddr

// IPv4 addresses carried by the first labels of reverse-DNS host names:
//
//	1-2-3-4.dyn.example.net               dashed (octets may be zero-padded)
//	ip-1-2-3-4.eu-west-1.compute.internal dashed after a letter prefix
//	p5B0C1D2E.dip0.t-ipconnect.de         8 hex digits, optional 1-letter prefix
//	static.4.3.2.1.clients.your-server.de reversed quad after a letter label
//	4.3.2.1.in-addr.arpa                  reverse-lookup name
//
// The span of such an address covers the leftmost labels up to and
// including the ones holding the address, so that replacing it keeps the
// registrable domain; a reverse-lookup name is one span as a whole, and
// AppendTruncatedAddr writes it back truncated in its own order. A shape
// only counts inside a host name: at least two more labels follow, the last
// of them letters only (a TLD, not a file extension). A quad after a letter
// label is read last octet first, as the hosters that write it so do.

// maxPrefix bounds the letter prefix of a dashed label ("ip-") and the
// letter label before a reversed quad ("static.").
const maxPrefix = 16

// maxName bounds how far the rest of a host name is followed (RFC 1035).
const maxName = 253

// hostAt finds a host-name address starting at text[i], the first byte of a
// name, and returns the end of its span. The first label decides which
// shape is tried, so most words cost one short loop.
func hostAt(text []byte, i int) (int, bool) {
	label := text[i:min(len(text), i+maxLabel)]
	n := 0
	for n < len(label) && class[label[n]]&cLabel != 0 {
		n++
	}
	k := i + n
	if n == 0 || n == len(label) || text[k] != '.' {
		return 0, false
	}
	seen, dash := labelClass(text[i:k])
	var e int
	var ok bool
	switch {
	case dash:
		e, _, ok = dashed(text, i)
	case k-i == 8 || k-i == 9:
		e, _, ok = hexLabel(text, i)
	case seen&cDigit == 0 && k+1 < len(text) && class[text[k+1]]&cDigit != 0:
		e, _, ok = reversedQuad(text, i)
	}
	return e, ok && hostTail(text, e)
}

// labelClass returns the class bits of the bytes of label and whether it
// has a '-'.
func labelClass(label []byte) (seen uint8, dash bool) {
	for _, c := range label {
		seen |= class[c]
		dash = dash || c == '-'
	}
	return seen, dash
}

// maxLabel bounds the first label of a name that can carry an address
// ("ip-255-255-255-255" with a prefix of maxPrefix letters).
const maxLabel = maxPrefix + 16

// hostLabels reads one of the label shapes at text[i]: the end of the
// labels that hold the address, and the address in network order.
func hostLabels(text []byte, i int) (int, [4]byte, bool) {
	if e, a, ok := dashed(text, i); ok {
		return e, a, true
	}
	if e, a, ok := hexLabel(text, i); ok {
		return e, a, true
	}
	return reversedQuad(text, i)
}

// dashed reads "[letters-]d-d-d-d", a whole label.
func dashed(text []byte, i int) (int, [4]byte, bool) {
	var a [4]byte
	k := i
	for k < len(text) && k-i <= maxPrefix && isLetter(text[k]) {
		k++
	}
	if k > i {
		if k >= len(text) || text[k] != '-' {
			return 0, a, false
		}
		k++
	}
	for n := 0; n < 4; n++ {
		if n > 0 {
			if k >= len(text) || text[k] != '-' {
				return 0, a, false
			}
			k++
		}
		v, d := 0, 0
		for k < len(text) && class[text[k]]&cDigit != 0 && d < 3 {
			v = v*10 + int(text[k]-'0')
			k++
			d++
		}
		if d == 0 || v > 255 {
			return 0, a, false
		}
		a[n] = byte(v)
	}
	return k, a, labelEnd(text, k)
}

// hexLabel reads a label of 8 hex digits after an optional letter.
func hexLabel(text []byte, i int) (int, [4]byte, bool) {
	var a [4]byte
	k := i
	if k+9 <= len(text) && isLetter(text[k]) && labelEnd(text, k+9) {
		k++
	}
	if k+8 > len(text) || !labelEnd(text, k+8) {
		return 0, a, false
	}
	for n := 0; n < 8; n++ {
		c := text[k+n]
		if class[c]&cHex == 0 {
			return 0, a, false
		}
		a[n/2] = a[n/2]<<4 | hexVal(c)
	}
	return k + 8, a, true
}

// reversedQuad reads "letters.d.d.d.d", an address written last octet
// first after a label such as "static".
func reversedQuad(text []byte, i int) (int, [4]byte, bool) {
	var a [4]byte
	k := i
	for k < len(text) && k-i <= maxPrefix && isLetter(text[k]) {
		k++
	}
	if k == i || k >= len(text) || text[k] != '.' {
		return 0, a, false
	}
	e, ok := scanV4(text, k+1, &a)
	if !ok || !labelEnd(text, e) {
		return 0, a, false
	}
	return e, reverse(a), true
}

// labelEnd reports whether a label ends at text[k]: the text or a '.'
// ends there.
func labelEnd(text []byte, k int) bool {
	return k == len(text) || text[k] == '.'
}

// hostTail reports whether text[e:] is ".label.label…" — at least two
// labels, the last one a TLD of two or more letters — and the name ends
// there.
func hostTail(text []byte, e int) bool {
	labels, k := 0, e
	last := e
	for k < len(text) && text[k] == '.' && k-e < maxName {
		j := k + 1
		for j < len(text) && (class[text[j]]&cWord != 0 && text[j] != '_' || text[j] == '-') {
			j++
		}
		if j == k+1 {
			break // a full stop, not a label
		}
		labels++
		last, k = k+1, j
	}
	if labels < 2 || (k < len(text) && (class[text[k]]&cWord != 0 || text[k] == '-')) {
		return false
	}
	return isTLD(text[last:k])
}

// fileExts are last labels of file names, not TLDs ("1a2b3c4d.tar.gz").
var fileExts = []string{"gz", "xz", "zst", "tar", "tgz", "zip", "log", "txt", "json", "js", "css", "html", "htm", "png", "jpg", "gif", "map", "tmp", "bak", "lock", "pid", "sock", "yaml", "yml", "md"}

// isTLD reports whether label is two or more letters and no file extension.
func isTLD(label []byte) bool {
	if len(label) < 2 {
		return false
	}
	for _, c := range label {
		if !isLetter(c) {
			return false
		}
	}
	for _, x := range fileExts {
		if equalFold(label, x) {
			return false
		}
	}
	return true
}

// arpa is the suffix of a reverse-lookup name; the address before it is
// written last octet first.
const arpa = ".in-addr.arpa"

// inAddr reads "d.d.d.d.in-addr.arpa" at text[i] and returns its end.
func inAddr(text []byte, i int) (int, bool) {
	var a [4]byte
	e, ok := scanV4(text, i, &a)
	if !ok || !hasFoldAt(text, e, arpa) {
		return 0, false
	}
	e += len(arpa)
	return e, e == len(text) || class[text[e]]&cWord == 0 && text[e] != '-' && (text[e] != '.' || e+1 == len(text) || class[text[e+1]]&cWord == 0)
}

// hostSpan reads the address from a span Next reported for a host name:
// the labels that hold it, or a whole reverse-lookup name (arpa is set).
func hostSpan(b []byte) (a [4]byte, isArpa bool, ok bool) {
	if e, ok := inAddr(b, 0); ok && e == len(b) {
		scanV4(b, 0, &a)
		return reverse(a), true, true
	}
	e, a, ok := hostLabels(b, 0)
	return a, false, ok && e == len(b)
}

// hostName reads a whole host name whose first labels carry an address
// ("p5B0C1D2E.dip0.t-ipconnect.de", a remote_host field) and returns the
// end of those labels.
func hostName(b []byte) (end int, a [4]byte, ok bool) {
	e, a, ok := hostLabels(b, 0)
	if !ok {
		e, ok = scanV4(b, 0, &a) // "1.2.3.4.dyn.example.net"
	}
	if !ok || e == len(b) || !hostTail(b, e) {
		return 0, a, false
	}
	for _, c := range b[e:] {
		if class[c]&cWord == 0 && c != '-' && c != '.' {
			return 0, a, false
		}
	}
	return e, a, true
}

// appendTruncatedHost appends the truncated address of a host-name span:
// the address in dotted-quad form, or for a reverse-lookup name the
// truncated address last octet first with the suffix kept. b may also be a
// whole host name starting with such labels; its domain is kept.
func appendTruncatedHost(dst, b []byte, p Prefix) ([]byte, bool) {
	a, isArpa, ok := hostSpan(b)
	if !ok {
		e, a, ok := hostName(b)
		if !ok {
			return dst, false
		}
		MaskBits(a[:], p.V4)
		return append(AppendV4(dst, a), b[e:]...), true
	}
	MaskBits(a[:], p.V4)
	if isArpa {
		return append(AppendV4(dst, reverse(a)), b[len(b)-len(arpa):]...), true
	}
	return AppendV4(dst, a), true
}

func reverse(a [4]byte) [4]byte { return [4]byte{a[3], a[2], a[1], a[0]} }

func isLetter(c byte) bool { return class[c]&cWord != 0 && class[c]&cDigit == 0 && c != '_' }

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// hasFoldAt reports whether text[i:] starts with the lower-case s, ignoring
// case.
func hasFoldAt(text []byte, i int, s string) bool {
	return i+len(s) <= len(text) && equalFold(text[i:i+len(s)], s)
}

// equalFold reports whether b equals the lower-case s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for k := range b {
		c := b[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[k] {
			return false
		}
	}
	return true
}
