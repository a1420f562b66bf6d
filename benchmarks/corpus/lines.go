package corpus

import "strconv"

// Time layouts.
const (
	clfTime  = "02/Jan/2006:15:04:05 -0700"
	jsonTime = "2006-01-02T15:04:05.000Z07:00"
)

// appendCombined appends the nginx "main" form of r:
// ip - user [time] "METHOD path proto" status bytes "referer" "ua" "xff".
func (g *Generator) appendCombined(dst []byte, r *request) []byte {
	dst = g.appendClientIP(dst, r.client)
	dst = append(dst, " - "...)
	dst = g.appendRemoteUser(dst)
	dst = append(dst, " ["...)
	dst = g.now.AppendFormat(dst, clfTime)
	dst = append(dst, "] \""...)
	dst = append(dst, r.method...)
	dst = append(dst, ' ')
	dst = g.appendPath(dst, r.kind)
	if g.rng.IntN(7) == 0 {
		dst = append(dst, " HTTP/2.0\" "...)
	} else {
		dst = append(dst, " HTTP/1.1\" "...)
	}
	dst = strconv.AppendInt(dst, int64(r.status), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(r.bytes), 10)
	dst = append(dst, " \""...)
	dst = g.appendReferer(dst)
	dst = append(dst, "\" \""...)
	dst = append(dst, r.ua...)
	dst = append(dst, "\" \""...)
	dst = g.appendXFF(dst)
	return append(dst, '"')
}

// appendVhost appends the "host:port " prefix of VhostCombined.
func (g *Generator) appendVhost(dst []byte) []byte {
	dst = append(dst, pick(g, vhosts[:])...)
	if g.rng.IntN(8) == 0 {
		return append(dst, ":80 "...)
	}
	return append(dst, ":443 "...)
}

// appendRemoteUser appends "-" or, for a few requests, a user name.
func (g *Generator) appendRemoteUser(dst []byte) []byte {
	if g.rng.IntN(25) != 0 {
		return append(dst, '-')
	}
	return append(dst, pick(g, remoteUsers[:])...)
}

// appendPath appends a request path for template kind (0..99): static
// files, pages, API calls, and query strings with session ids, tokens
// and e-mail addresses.
func (g *Generator) appendPath(dst []byte, kind int) []byte {
	switch {
	case kind < 35:
		return append(dst, pick(g, staticFiles[:])...)
	case kind < 50:
		dst = append(dst, "/blog/2026/"...)
		return append(dst, pick(g, blogSlugs[:])...)
	case kind < 60:
		dst = append(dst, "/products/"...)
		dst = strconv.AppendInt(dst, int64(1000+g.rng.IntN(9000)), 10)
		dst = append(dst, "?ref=home&utm_source=newsletter"...)
		return dst
	case kind < 70:
		dst = append(dst, "/api/v1/users/"...)
		return strconv.AppendInt(dst, int64(g.rng.IntN(100000)), 10)
	case kind < 78:
		dst = append(dst, "/search?q="...)
		return append(dst, pick(g, searchWords[:])...)
	case kind < 85:
		dst = append(dst, "/cart?session_id="...)
		return g.appendHex(dst, 32)
	case kind < 90:
		dst = append(dst, "/newsletter/confirm?id="...)
		dst = strconv.AppendInt(dst, int64(g.rng.IntN(100000)), 10)
		dst = append(dst, "&email="...)
		dst = g.appendEmail(dst, true)
		dst = append(dst, "&token="...)
		return g.appendHex(dst, 24)
	case kind < 94:
		dst = append(dst, "/reset-password?token="...)
		return g.appendHex(dst, 40)
	case kind < 97:
		return append(dst, "/wp-login.php"...)
	}
	return append(dst, "/"...)
}

// appendReferer appends a Referer value: "-", an internal page, a search
// engine, a tracking URL or a web-mail URL holding an e-mail address.
func (g *Generator) appendReferer(dst []byte) []byte {
	switch p := g.rng.IntN(100); {
	case p < 40:
		return append(dst, '-')
	case p < 70:
		dst = append(dst, "https://www.example.com"...)
		return append(dst, pick(g, internalPaths[:])...)
	case p < 82:
		return append(dst, "https://www.google.com/"...)
	case p < 87:
		return append(dst, "https://www.bing.com/search?q=example+shop"...)
	case p < 93:
		dst = append(dst, "https://www.example.com/landing?utm_source=newsletter&utm_medium=email&utm_campaign=nov26&fbclid=IwAR"...)
		return g.appendHex(dst, 16)
	case p < 97:
		dst = append(dst, "https://webmail.example.net/?_task=mail&_action=show&_to="...)
		return g.appendEmail(dst, true)
	}
	dst = append(dst, "https://www.example.com/unsubscribe?email="...)
	return g.appendEmail(dst, false)
}

// appendEmail appends an invented e-mail address; encoded writes "@" as
// "%40" as in a query string.
func (g *Generator) appendEmail(dst []byte, encoded bool) []byte {
	dst = append(dst, pick(g, firstNames[:])...)
	dst = append(dst, '.')
	dst = append(dst, pick(g, lastNames[:])...)
	if encoded {
		dst = append(dst, "%40"...)
	} else {
		dst = append(dst, '@')
	}
	return append(dst, pick(g, mailDomains[:])...)
}

// appendHex appends n random lower-case hex digits.
func (g *Generator) appendHex(dst []byte, n int) []byte {
	const digits = "0123456789abcdef"
	for n > 0 {
		v := g.rng.Uint64()
		for i := 0; i < 16 && n > 0; i++ {
			dst = append(dst, digits[v&15])
			v >>= 4
			n--
		}
	}
	return dst
}
