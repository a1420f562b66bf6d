package leakcorpus

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Planting helpers: each draws a fresh value, registers it and returns
// the text to put in the line.

func (b *rb) user(p person) string { return b.p(User, "login", b.g.user(p)) }

var emailSpellings = []string{"plain", "plus-tag", "quoted", "upper", "display-name", "display-quoted", "mailto"}

// email plants an e-mail address of p in spelling s; "display-name"
// returns `First Last <addr>` and plants the name as well.
func (b *rb) email(p person, s string) string {
	lp := b.g.localPart(p)
	dom := b.g.pick(mailDomains...)
	switch s {
	case "plain":
		return b.p(Email, s, lp+"@"+dom)
	case "plus-tag":
		return b.p(Email, s, lp+"+"+b.g.pick("shop", "newsletter", "github", "amazon")+"@"+dom)
	case "quoted":
		return b.p(Email, s, `"`+strings.ReplaceAll(lp, ".", "..")+`"@`+dom)
	case "upper":
		return b.p(Email, s, strings.ToUpper(lp[:1])+lp[1:]+"@"+strings.ToUpper(dom[:1])+dom[1:])
	case "display-name":
		return b.p(Name, "display-name", p.full()) + " <" + b.p(Email, s, lp+"@"+dom) + ">"
	case "display-quoted": // RFC 5322 quoted display name, "Last, First"
		return `"` + b.p(Name, "display-quoted", p.last+", "+p.first) + `" <` + b.p(Email, s, lp+"@"+dom) + ">"
	case "mailto":
		return "mailto:" + b.p(Email, s, lp+"@"+dom)
	}
	panic("unknown email spelling " + s)
}

func (b *rb) emailPlain(p person) string { return b.email(p, "plain") }

func (b *rb) phone(i, k int) string {
	s := cycle(phoneSpellings, i, k)
	return b.p(Phone, s, b.g.phone(s))
}

func (b *rb) iban(i, k int) string {
	s := cycle(ibanSpellings, i, k)
	return b.p(IBAN, s, b.g.iban(s))
}

func (b *rb) card(i, k int) string {
	s := cycle(cardSpellings, i, k)
	return b.p(Card, s, b.g.card(s))
}

func (b *rb) ip4() string { return b.p(IP, "v4", b.g.ipv4()) }
func (b *rb) ip6() string { return b.p(IP, "v6", b.g.ipv6()) }

// ip6Odd plants IPv6 in the spellings other than the canonical one:
// upper case (Windows, some Java loggers) and uncompressed with leading
// zeros (as .NET and some firewalls print it).
func (b *rb) ip6Odd(i int) string {
	a := b.g.ipv6()
	if i%2 == 0 {
		return b.p(IP, "v6-upper", strings.ToUpper(a))
	}
	var g [8]string
	head, tail, _ := strings.Cut(a, "::")
	hs, ts := strings.Split(head, ":"), strings.Split(tail, ":")
	for j := range g {
		g[j] = "0000"
	}
	for j, h := range hs {
		g[j] = fmt.Sprintf("%04s", h)
	}
	for j, t := range ts {
		g[8-len(ts)+j] = fmt.Sprintf("%04s", t)
	}
	return b.p(IP, "v6-full", strings.Join(g[:], ":"))
}
func (b *rb) mapped() string {
	return b.p(IP, "v4-mapped", "::ffff:"+b.g.ipv4())
}

// anyIP plants one of v4, v6, mapped by i.
func (b *rb) anyIP(i int) string {
	switch i % 3 {
	case 1:
		return b.ip6()
	case 2:
		return b.mapped()
	}
	return b.ip4()
}

// rdns plants a reverse-DNS host name spelling an IPv4 address: the
// host name and the address itself (whose other spellings the checker
// derives).
func (b *rb) rdns(i, k int) string {
	s := cycle(rdnsSpellings, i, k)
	h, o := b.g.rdns(s)
	b.p(IP, s+"-addr", v4(o))
	return b.p(IP, s, h)
}

func (b *rb) secret(s string) string { return b.p(Secret, s, b.g.secret(s)) }

func (b *rb) secretCycle(i, k int) (spelling, v string) {
	s := secretSpellings[(i/3+k)%len(secretSpellings)]
	if s == "git-url" {
		return s, "https://oauth2:" + b.secret(s) + "@gitlab.com/shop/app.git"
	}
	return s, b.secret(s)
}

func (b *rb) session(s string) string {
	switch s {
	case "php":
		return b.p(Session, s, b.g.alnum(26))
	case "java":
		return b.p(Session, s, strings.ToUpper(b.g.hex(32)))
	default:
		return b.p(Session, s, "s%3A"+b.g.alnum(32)+"."+b.g.alnum(20))
	}
}

func (b *rb) fullName(p person, spelling string) string { return b.p(Name, spelling, p.full()) }

func (b *rb) address(spelling string) string {
	full, _, _ := b.g.address()
	return b.p(Address, spelling, full)
}

// jsonNumberCard returns, for every fourth record, a JSON member with a
// card number written as a JSON number (",\"pan\":4111111111111111").
func (b *rb) jsonNumberCard(i int) string {
	if i%4 != 1 {
		return ""
	}
	return `,"pan":` + b.p(Card, "json-number", luhn(b.g, "4", 16))
}

// Look-alikes.

func (b *rb) uuid() string {
	h := b.g.hex(32)
	return b.l("uuid", h[:8]+"-"+h[8:12]+"-4"+h[13:16]+"-a"+h[17:20]+"-"+h[20:])
}

func (b *rb) traceID() string     { return b.l("trace_id", b.g.hex(32)) }
func (b *rb) spanID() string      { return b.l("span_id", b.g.hex(16)) }
func (b *rb) commit(n int) string { return b.l("commit", b.g.hex(n)) }
func (b *rb) snowflake() string {
	return b.l("snowflake", fmt.Sprintf("1%d%s", 7+b.g.r.IntN(3), b.g.digits(17)))
}
func (b *rb) queueID() string {
	const h = "0123456789ABCDEF"
	s := []byte(b.g.digits(10))
	for i := range s {
		s[i] = h[b.g.r.IntN(16)]
	}
	s[0] = "ABCDEF"[b.g.r.IntN(6)]
	return b.l("postfix_queue_id", string(s))
}
func (b *rb) orderNo() string {
	return b.l("order_no", b.g.pick("ORD-", "A", "INV-")+"2026-"+b.g.digits(7))
}
func (b *rb) version4() string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+b.g.r.IntN(4), b.g.r.IntN(30), b.g.r.IntN(10), 10+b.g.r.IntN(90))
}
func (b *rb) chrome() string {
	return b.l("version4", fmt.Sprintf("Chrome/%d.0.%d.%d", 118+b.g.r.IntN(10), 5900+b.g.r.IntN(900), 10+b.g.r.IntN(190)))
}
func (b *rb) epochMS(t time.Time) string { return b.l("epoch_ms", fmt.Sprint(t.UnixMilli())) }
func (b *rb) durMS() string              { return fmt.Sprintf("%dms", 10+b.g.r.IntN(990)) }
func (b *rb) durS() string {
	return fmt.Sprintf("%d.%03ds", b.g.r.IntN(10), b.g.r.IntN(1000))
}

// js returns s as a JSON string literal (with quotes); HTML escaping
// off, as Go services write their logs with json.Encoder's SetEscapeHTML
// off or with zap/slog (which do not escape '<', '>' and '&').
func js(s string) string {
	var w strings.Builder
	e := json.NewEncoder(&w)
	e.SetEscapeHTML(false)
	e.Encode(s)
	return strings.TrimSuffix(w.String(), "\n")
}

// jsInner is js without the quotes: s escaped for inside a JSON string.
func jsInner(s string) string { q := js(s); return q[1 : len(q)-1] }

func clf(t time.Time) string { return t.Format("02/Jan/2006:15:04:05 -0700") }
