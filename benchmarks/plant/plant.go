// Package plant generates log lines in every format tarn reads, with known
// personal data planted in them, for leak tests: after anonymization none
// of the planted values (nor their URL-encoded forms) may be left.
package plant

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// Line is one generated log line.
type Line struct {
	// Format is the line's format: combined, common, json, logfmt or text.
	Format string
	// Text is the line, without newline.
	Text string
}

// Corpus is a generated set of lines and the personal data in them.
type Corpus struct {
	// Lines holds the generated lines.
	Lines []Line
	// Secrets lists every planted value.
	Secrets []string
}

// Forms returns each secret together with its URL-encoded forms, the
// strings that must not appear in anonymized output.
func (c *Corpus) Forms() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range c.Secrets {
		for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// person is one planted identity.
type person struct {
	v4, v6, mapped, email, user, phone, phoneNat, iban, ibanSpaced, card, cardDashed, session, token, jwt string
}

// Generate returns n lines of each format (combined, common, vhost
// combined, JSON, logfmt, text) dated around day, deterministic for seed.
func Generate(seed uint64, n int, day time.Time) *Corpus {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	c := &Corpus{}
	for i := range n {
		p := newPerson(r, i)
		c.Secrets = append(c.Secrets, p.v4, p.v6, p.mapped, p.email, p.user, p.phone, p.phoneNat,
			p.iban, p.ibanSpaced, p.card, p.cardDashed, p.session, p.token, p.jwt)
		t := day.Add(time.Duration(i) * time.Second)
		c.Lines = append(c.Lines, Line{"combined", combined(p, t, i)}, Line{"common", common(p, t)},
			Line{"combined", vhost(p, t)}, Line{"json", jsonLine(p, t)}, Line{"logfmt", logfmt(p, t)}, Line{"text", text(p, t)})
	}
	return c
}

func newPerson(r *rand.Rand, i int) person {
	name := fmt.Sprintf("%s%s%d", pick(r, "anna", "ben", "clara", "deniz", "emil", "frida"), pick(r, "", ".", "_"), r.IntN(1000))
	email := fmt.Sprintf("%s@%s", name, pick(r, "example.com", "mail.example.org", "web.example.net"))
	if i%5 == 0 {
		email = strings.ToUpper(email[:1]) + email[1:]
	}
	card := luhnCard(r)
	iban := germanIBAN(r)
	return person{
		v4:         fmt.Sprintf("%d.%d.%d.%d", 11+r.IntN(200), r.IntN(256), r.IntN(256), 1+r.IntN(254)),
		v6:         fmt.Sprintf("2001:db8:%x:%x::%x", 1+r.IntN(0xfffe), 1+r.IntN(0xfffe), 1+r.IntN(0xfffe)),
		mapped:     fmt.Sprintf("::ffff:198.51.%d.%d", r.IntN(256), 1+r.IntN(254)),
		email:      email,
		user:       "u-" + name,
		phone:      fmt.Sprintf("+49 30 %d", 1000000+r.IntN(8999999)),
		phoneNat:   fmt.Sprintf("0171-%d", 1000000+r.IntN(8999999)),
		iban:       iban,
		ibanSpaced: Spaced(iban),
		card:       card,
		cardDashed: card[:4] + "-" + card[4:8] + "-" + card[8:12] + "-" + card[12:],
		session:    fmt.Sprintf("sess%016x", r.Uint64()),
		token:      fmt.Sprintf("tok%024x", r.Uint64()),
		jwt:        fmt.Sprintf("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ%08x.%016xAbC", r.Uint32(), r.Uint64()),
	}
}

func pick(r *rand.Rand, s ...string) string { return s[r.IntN(len(s))] }

func clf(t time.Time) string { return t.Format("02/Jan/2006:15:04:05 -0700") }

func combined(p person, t time.Time, i int) string {
	client := p.v4
	switch i % 3 {
	case 1:
		client = p.v6
	case 2:
		client = p.mapped
	}
	return fmt.Sprintf(`%s - %s [%s] "GET /account/%s?session_id=%s&email=%s&page=2 HTTP/1.1" 200 512 "https://shop.example/cart?token=%s&mail=%s" "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0 (contact %s)" "%s, %s"`,
		client, p.user, clf(t), url.PathEscape(p.email), p.session, url.QueryEscape(p.email), p.token, p.email, p.email, p.v4, p.v6)
}

func common(p person, t time.Time) string {
	return fmt.Sprintf(`[%s] - - [%s] "POST /pay?card=%s&iban=%s&jwt=%s HTTP/1.1" 303 0`, p.v6, clf(t), p.card, p.iban, p.jwt)
}

func vhost(p person, t time.Time) string {
	return fmt.Sprintf(`shop.example:443 %s:51234 - %s [%s] "GET /call?phone=%s HTTP/2.0" 200 12 "-" "curl/8.4.0"`,
		p.v4, p.user, clf(t), url.QueryEscape(p.phone))
}

func jsonLine(p person, t time.Time) string {
	return fmt.Sprintf(`{"time":%q,"level":"info","msg":"order by %s from %s, phone %s, iban %s","client_ip":%q,"user":{"name":%q,"email":%q},"session_id":%q,"headers":{"authorization":"Bearer %s","x-forwarded-for":"%s"},"payment":{"card":"%s"},"tags":["%s"]}`,
		t.Format(time.RFC3339), p.email, p.v6, p.phone, p.ibanSpaced, p.v4, p.user, p.email, p.session, p.token, p.v4, p.cardDashed, p.phoneNat)
}

func logfmt(p person, t time.Time) string {
	return fmt.Sprintf(`time=%s level=warn user=%s ip=%s msg="login failed for %s card %s" session=%s remote=%s`,
		t.Format(time.RFC3339), p.user, p.v4, p.email, p.card, p.session, p.mapped)
}

func text(p person, t time.Time) string {
	return fmt.Sprintf(`%s web1 app[42]: contact %s or %s (%s), IBAN %s, card %s, from %s via [%s]:443 Authorization: Bearer %s`,
		t.Format(time.Stamp), p.email, p.phone, p.phoneNat, p.ibanSpaced, p.cardDashed, p.mapped, p.v6, p.jwt)
}

// luhnCard returns a 16-digit Visa-like number with a valid Luhn digit.
func luhnCard(r *rand.Rand) string {
	d := make([]byte, 16)
	d[0] = '4'
	for i := 1; i < 15; i++ {
		d[i] = byte('0' + r.IntN(10))
	}
	sum := 0
	for i := 14; i >= 0; i-- {
		v := int(d[i] - '0')
		if (14-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[15] = byte('0' + (10-sum%10)%10)
	return string(d)
}

// germanIBAN returns a DE IBAN with valid mod-97 check digits.
func germanIBAN(r *rand.Rand) string {
	bban := fmt.Sprintf("%08d%010d", r.IntN(1e8), r.IntN(1e10))
	rem := 0
	for _, c := range bban + "131400" { // D=13 E=14, check digits 00
		rem = (rem*10 + int(c-'0')) % 97
	}
	return fmt.Sprintf("DE%02d%s", 98-rem, bban)
}

// Spaced writes s in groups of four characters separated by spaces, as
// IBANs and card numbers are printed.
func Spaced(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}
