package leakcorpus

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tarn-project/tarn/benchmarks/plant"
)

// gen draws the random parts of planted values and look-alikes.
type gen struct {
	r    *rand.Rand
	used map[string]bool // full names drawn so far
}

func (g gen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

func (g gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// hex returns n lower-case hex digits with at least one letter and one
// digit, so it looks like what it stands for (ids, hashes).
func (g gen) hex(n int) string {
	const h = "0123456789abcdef"
	for {
		b := make([]byte, n)
		for i := range b {
			b[i] = h[g.r.IntN(16)]
		}
		s := string(b)
		if strings.ContainsAny(s, "abcdef") && strings.ContainsAny(s, "0123456789") {
			return s
		}
	}
}

// alnum returns n characters of [A-Za-z0-9] (token bodies).
func (g gen) alnum(n int) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[g.r.IntN(len(a))]
	}
	return string(b)
}

func (g gen) upperAlnum(n int) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[g.r.IntN(len(a))]
	}
	return string(b)
}

// person is one planted identity: names only; the other values are
// drawn per use so that every planted value is unique in the corpus.
type person struct {
	first, last string
}

var firstNames = []string{"Hannah", "Jonas", "Marie", "Lukas", "Sophie", "Felix", "Emma", "Moritz", "Clara", "Julian", "Amélie", "Théo", "Olivia", "Mason", "Zoé", "Björn",
	"Greta", "Mats", "Leonie", "Henrik", "Ines", "Valentin", "Noémie", "Rafael", "Frieda", "Konstantin", "Ayşe", "Dmitri", "Svenja", "Quentin", "Paulina", "Wendelin"}
var lastNames = []string{"Schwarz", "Krüger", "Hoffmann", "Wagner", "Dubois", "Lefèvre", "Johnson", "Whitaker", "Brandt", "Vogel", "Fontaine", "Kowalczyk", "Nakamura", "Lindqvist", "Okonkwo", "Ziegler",
	"Baumgartner", "Moreau", "Jankowski", "Petersen", "Rossetti", "Haverkamp", "Yilmaz", "Castellano", "Sørensen", "Engelbrecht", "Marchetti", "Oyelaran", "Thorvaldsen", "Grünewald", "Lacroix", "Wiśniewski"}

// person draws a person whose full name no other record of the corpus
// uses (while there are enough), so that a name found in output points
// to the record that planted it.
func (g gen) person() person {
	for i := range 256 {
		p := person{g.pick(firstNames...), g.pick(lastNames...)}
		if i >= 64 { // the pools are used up: a middle initial ("Felix J. Lindqvist")
			p.first += " " + string(rune('A'+g.r.IntN(26))) + "."
		}
		if !g.used[p.full()] {
			g.used[p.full()] = true
			return p
		}
	}
	panic("leakcorpus: no unused name left")
}

func (p person) full() string { return p.first + " " + p.last }

// ascii folds the few non-ASCII letters of the name pools, as user names
// and e-mail local parts are written.
func ascii(s string) string {
	if f, _, ok := strings.Cut(s, " "); ok { // no middle initial in logins
		s = f
	}
	return strings.NewReplacer("ü", "ue", "ö", "oe", "é", "e", "è", "e", "ë", "e", "ß", "ss", "ä", "ae", "ø", "oe", "ş", "s", "ś", "s").Replace(strings.ToLower(s))
}

// user returns a login name for p with a random number, unique enough
// that a substring search finds only this one.
func (g gen) user(p person) string {
	f, l := ascii(p.first), ascii(p.last)
	n := g.r.IntN(900) + 100
	for i := 0; i < 64 && g.used[fmt.Sprint("user#", n)]; i++ {
		n = g.r.IntN(900) + 100
	}
	g.used[fmt.Sprint("user#", n)] = true // no user name is part of another
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("%c%s%d", f[0], l, n)
	case 1:
		return fmt.Sprintf("%s.%s%d", f, l, n)
	case 2:
		return fmt.Sprintf("%s_%s%d", f, l[:3], n)
	default:
		return fmt.Sprintf("%s%d", l, n)
	}
}

// localPart returns an e-mail local part for p (always with a digit, so
// that a case-folded search for it cannot hit a name).
func (g gen) localPart(p person) string {
	f, l := ascii(p.first), ascii(p.last)
	n := g.r.IntN(90) + 10
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf("%s.%s%d", f, l, n)
	case 1:
		return fmt.Sprintf("%c.%s%d", f[0], l, n)
	default:
		return fmt.Sprintf("%s%s%d", f, l, n)
	}
}

var mailDomains = []string{"example.com", "example.de", "mail.example.org", "example.fr", "posteo.example", "web.example.net"}

// Phone spellings: each is a format and a generator of a number valid
// for libphonenumber in that spelling.
var phoneSpellings = []string{
	"us-paren",      // (415) 971-8223
	"us-intl",       // +1 312-734-1058
	"fr-national",   // 07 73 90 97 19
	"fr-intl",       // +33 6 12 34 56 78
	"de-intl",       // +49 30 1234567
	"de-mobile",     // 0171 2345678
	"de-intl-paren", // +49 (0)30 123 45 67 (DIN 5008's old international form)
	"de-0049",       // 0049 30 1234567
	"e164",          // +4915112345678 (E.164, as APIs such as Twilio log it)
	"rfc3966",       // tel:+1-415-971-8223 (RFC 3966 URI)
	"uk-intl",       // +44 20 7946 0958
	"us-dashed",     // 415-971-8223
	"us-dots",       // 415.971.8223 (common in US signatures)
	"fr-intl-paren", // +33 (0)6 12 34 56 78
	"de-dashed",     // +49-171-2345678 (as CRMs export them)
}

// frMobile returns a French mobile number without trunk prefix in pairs,
// "6 12 34 56 78" or "7 73 90 97 19" (07 numbers start 073..079).
func (g gen) frMobile() string {
	if g.r.IntN(2) == 0 {
		// 061..065: 0639 and 069x belong to the overseas departments
		d := fmt.Sprintf("%d%s", 1+g.r.IntN(5), g.digits(1))
		if d == "39" {
			d = "38"
		}
		return fmt.Sprintf("6 %s %s %s %s", d, g.digits(2), g.digits(2), g.digits(2))
	}
	return fmt.Sprintf("7 %d%s %s %s %s", 3+g.r.IntN(7), g.digits(1), g.digits(2), g.digits(2), g.digits(2))
}

var usAreas = []string{"415", "312", "212", "646", "617", "206", "303", "512"}

func (g gen) usLocal() (string, string) {
	ex := fmt.Sprintf("%d%d%d", 2+g.r.IntN(8), g.r.IntN(10), 2+g.r.IntN(8)) // avoids N11 and 555
	return ex, g.digits(4)
}

func (g gen) phone(spelling string) string {
	switch spelling {
	case "us-paren":
		ex, n := g.usLocal()
		return fmt.Sprintf("(%s) %s-%s", g.pick(usAreas...), ex, n)
	case "us-intl":
		ex, n := g.usLocal()
		return fmt.Sprintf("+1 %s-%s-%s", g.pick(usAreas...), ex, n)
	case "us-dashed":
		ex, n := g.usLocal()
		return fmt.Sprintf("%s-%s-%s", g.pick(usAreas...), ex, n)
	case "us-dots":
		ex, n := g.usLocal()
		return fmt.Sprintf("%s.%s.%s", g.pick(usAreas...), ex, n)
	case "fr-intl-paren":
		return "+33 (0)" + g.frMobile()
	case "de-dashed":
		return fmt.Sprintf("+49-%s-%d%s", g.pick("171", "172", "160"), 2+g.r.IntN(8), g.digits(6))
	case "rfc3966":
		ex, n := g.usLocal()
		return fmt.Sprintf("tel:+1-%s-%s-%s", g.pick(usAreas...), ex, n)
	case "fr-national":
		return "0" + g.frMobile()
	case "fr-intl":
		return "+33 " + g.frMobile()
	case "de-intl":
		return fmt.Sprintf("+49 30 %d%s", 2+g.r.IntN(8), g.digits(6))
	case "de-mobile":
		if g.r.IntN(4) == 0 { // 015x numbers have eight digits after the prefix
			return fmt.Sprintf("0151 %d%s", 2+g.r.IntN(8), g.digits(7))
		}
		return fmt.Sprintf("0%s %d%s", g.pick("171", "172", "160"), 2+g.r.IntN(8), g.digits(6))
	case "de-intl-paren":
		return fmt.Sprintf("+49 (0)30 %d%s %s %s", 2+g.r.IntN(8), g.digits(2), g.digits(2), g.digits(2))
	case "de-0049":
		return fmt.Sprintf("0049 30 %d%s", 2+g.r.IntN(8), g.digits(6))
	case "e164":
		return fmt.Sprintf("+49%s%d%s", g.pick("151", "160", "171"), 2+g.r.IntN(8), g.digits(7))
	case "uk-intl":
		return fmt.Sprintf("+44 20 7%s %s", g.digits(3), g.digits(4))
	}
	panic("unknown phone spelling " + spelling)
}

// ibanSpellings are the IBAN spellings planted.
var ibanSpellings = []string{"de-compact", "de-spaced", "fr-spaced", "nl-compact", "de-lower"}

func (g gen) iban(spelling string) string {
	switch spelling {
	case "de-compact":
		return ibanFor("DE", g.digits(18))
	case "de-spaced":
		return plant.Spaced(ibanFor("DE", g.digits(18)))
	case "de-lower":
		return strings.ToLower(ibanFor("DE", g.digits(18)))
	case "fr-spaced":
		return plant.Spaced(ibanFor("FR", g.digits(10)+g.upperAlnum(11)+g.digits(2)))
	case "nl-compact":
		return ibanFor("NL", g.pick("ABNA", "INGB", "RABO")+g.digits(10))
	}
	panic("unknown iban spelling " + spelling)
}

// ibanFor computes the mod-97 check digits of country+bban.
func ibanFor(country, bban string) string {
	rem := 0
	for _, c := range bban + country + "00" {
		var v int
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
			rem = (rem*100 + v) % 97
			continue
		}
		v = int(c - '0')
		rem = (rem*10 + v) % 97
	}
	return fmt.Sprintf("%s%02d%s", country, 98-rem, bban)
}

var cardSpellings = []string{"visa-compact", "visa-spaced", "visa-dashed", "mastercard-spaced", "amex-spaced"}

func (g gen) card(spelling string) string {
	switch spelling {
	case "visa-compact":
		return luhn(g, "4", 16)
	case "visa-spaced":
		return plant.Spaced(luhn(g, "4", 16))
	case "visa-dashed":
		return strings.ReplaceAll(plant.Spaced(luhn(g, "4", 16)), " ", "-")
	case "mastercard-spaced":
		return plant.Spaced(luhn(g, "5"+g.pick("1", "2", "3", "4", "5"), 16))
	case "amex-spaced":
		c := luhn(g, "3"+g.pick("4", "7"), 15)
		return c[:4] + " " + c[4:10] + " " + c[10:]
	}
	panic("unknown card spelling " + spelling)
}

// luhn returns an n-digit number starting with prefix and a valid Luhn
// check digit.
func luhn(g gen, prefix string, n int) string {
	d := []byte(prefix + g.digits(n-len(prefix)-1) + "0")
	sum := 0
	for i := n - 2; i >= 0; i-- {
		v := int(d[i] - '0')
		if (n-2-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[n-1] = byte('0' + (10-sum%10)%10)
	return string(d)
}

// ipv4 returns a public-looking IPv4 address (first octet 11..223, not
// 127), distinct enough to be searched for.
func (g gen) ipv4Octets() [4]int {
	a := 11 + g.r.IntN(213)
	if a == 127 || a == 100 || a == 172 || a == 192 || a == 169 {
		a++
	}
	return [4]int{a, g.r.IntN(256), g.r.IntN(256), 10 + g.r.IntN(240)}
}

func v4(o [4]int) string { return fmt.Sprintf("%d.%d.%d.%d", o[0], o[1], o[2], o[3]) }

func (g gen) ipv4() string { return v4(g.ipv4Octets()) }

func (g gen) ipv6() string {
	return fmt.Sprintf("2a0%d:%x:%x:%x::%x", 1+g.r.IntN(8), 0x100+g.r.IntN(0xfe00), 0x100+g.r.IntN(0xfe00), 1+g.r.IntN(0xfffe), 0x100+g.r.IntN(0xfe00))
}

// rdns spellings: host names that spell an IPv4 address, as ISPs and
// clouds name their clients (Apache HostnameLookups On, postfix, sshd).
var rdnsSpellings = []string{"rdns-hex", "rdns-reversed", "rdns-dashed", "rdns-aws", "rdns-arpa"}

// rdns returns the host name and the forms of the address in it that
// must not survive.
func (g gen) rdns(spelling string) (host string, o [4]int) {
	o = g.ipv4Octets()
	switch spelling {
	case "rdns-hex":
		return fmt.Sprintf("p%02X%02X%02X%02X.dip0.t-ipconnect.de", o[0], o[1], o[2], o[3]), o
	case "rdns-reversed":
		return fmt.Sprintf("static.%d.%d.%d.%d.clients.your-server.de", o[3], o[2], o[1], o[0]), o
	case "rdns-dashed":
		return fmt.Sprintf("%d-%d-%d-%d.dyn.example.net", o[0], o[1], o[2], o[3]), o
	case "rdns-aws":
		return fmt.Sprintf("ip-%d-%d-%d-%d.eu-west-1.compute.internal", o[0], o[1], o[2], o[3]), o
	case "rdns-arpa": // the PTR name itself, as resolver errors print it
		return fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa", o[3], o[2], o[1], o[0]), o
	}
	panic("unknown rdns spelling " + spelling)
}

var streets = []string{"Lindenstraße", "Hauptstraße", "Schillerstr.", "Am Markt", "Bahnhofstraße", "Goethestraße", "Kieler Weg", "Rosenweg",
	"Friedrich-Ebert-Allee", "Marktplatz", "Königsallee", "Uhlandstr.", "An der Alster", "Brunnengasse", "Rheinufer", "Sankt-Georg-Ring"}
var cities = []string{"Kiel", "Berlin", "Hamburg", "München", "Köln", "Leipzig", "Freiburg im Breisgau", "Bremen"}

// address returns a German postal address "Street N, PLZ City" and its
// parts.
func (g gen) address() (full, street, city string) {
	for range 64 { // unique in the corpus, so a street found points to its record
		street = fmt.Sprintf("%s %d", g.pick(streets...), 1+g.r.IntN(240))
		if g.r.IntN(4) == 0 {
			street += "a"
		}
		if !g.used["street:"+street] {
			break
		}
	}
	g.used["street:"+street] = true
	city = fmt.Sprintf("%05d %s", 10000+g.r.IntN(89999), g.pick(cities...))
	return street + ", " + city, street, city
}

// Secret spellings: vendor tokens and credentials by name.
var secretSpellings = []string{
	"stripe-sk_live", "stripe-rk_live", "github-ghp", "github-pat", "slack-xoxb", "slack-webhook",
	"aws-akia", "git-url", "openai-sk-proj", "jwt", "slack-xoxp", "google-aiza", "sendgrid", "npm",
}

// allSecretSpellings adds the spellings planted only with their key
// name (aws_secret_access_key=, x-api-key, ...), never bare.
var allSecretSpellings = append([]string{"aws-secret", "oauth-code", "client_secret", "access_token", "refresh_token", "id_token", "api-key-json", "x-auth-token-json", "basic-auth"}, secretSpellings...)

func (g gen) secret(spelling string) string {
	switch spelling {
	case "stripe-sk_live":
		return "sk_live_" + g.alnum(24)
	case "stripe-rk_live":
		return "rk_live_" + g.alnum(24)
	case "github-ghp":
		return "ghp_" + g.alnum(36)
	case "github-pat":
		return "github_pat_11" + g.upperAlnum(20) + "_" + g.alnum(59)
	case "slack-xoxb":
		return fmt.Sprintf("xoxb-%s-%s-%s", g.digits(12), g.digits(13), g.alnum(24))
	case "slack-webhook":
		return fmt.Sprintf("https://hooks.slack.com/services/T%s/B%s/%s", g.upperAlnum(8), g.upperAlnum(10), g.alnum(24))
	case "aws-akia":
		const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" // access key ids are base32
		k := []byte("AKIA" + strings.Repeat(" ", 16))
		for i := 4; i < len(k); i++ {
			k[i] = b32[g.r.IntN(32)]
		}
		return string(k)
	case "aws-secret":
		return g.alnum(30) + "/" + g.alnum(9)
	case "openai-sk-proj": // project keys carry "T3BlbkFJ" (base64 of "OpenAI") in the middle
		return "sk-proj-" + g.alnum(74) + "T3BlbkFJ" + g.alnum(74)
	case "jwt":
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
		p := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"%s","exp":%d}`, g.digits(8), 1795000000+g.r.IntN(1000000))))
		return h + "." + p + "." + g.alnum(43)
	case "slack-xoxp":
		return fmt.Sprintf("xoxp-%s-%s-%s-%s", g.digits(12), g.digits(12), g.digits(13), g.hex(32))
	case "google-aiza":
		return "AIza" + g.alnum(35)
	case "sendgrid":
		return "SG." + g.alnum(22) + "." + g.alnum(43)
	case "npm":
		return "npm_" + g.alnum(36)
	case "git-url": // the token; secretCycle puts it in a clone URL
		return "glpat-" + g.alnum(20)
	case "opaque":
		return g.alnum(32)
	}
	panic("unknown secret spelling " + spelling)
}

// basicAuth returns "Basic base64(user:password)" and the password.
func (g gen) basicAuth(user string) (header, password string) {
	password = "Pw-" + g.alnum(12)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password)), password
}
