package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tarn-project/tarn/rules"
)

// kind is what happens to a value, in the order the statement describes
// the kinds.
type kind uint8

const (
	kTruncate kind = iota
	kPseudo
	kRedact
	kDrop
	kMask
	kStrip
	kUserAgent
	kCoarsen
	kScrub
	kKeep
	numKinds
)

// kindNames are the rules' names of the kinds, used in the record.
var kindNames = [numKinds]string{
	kTruncate: "truncate_ip", kPseudo: "pseudonymize", kRedact: "redact", kDrop: "drop_field",
	kMask: "mask", kStrip: "strip_query", kUserAgent: "generalize_user_agent",
	kCoarsen: "coarsen_time", kScrub: "scrub", kKeep: "keep",
}

func (k kind) String() string { return kindNames[k] }

// treat is an action with its effective parameters: the defaults and the
// rule set's settings the engine would apply are filled in.
type treat struct {
	kind kind
	// v4 and v6 are the prefixes kept by kTruncate; -1 where the
	// truncation does not apply (a detector of one address family).
	v4, v6 int
	// first and last are the characters kMask keeps.
	first, last int
	// allow, pseudo and redact are kStrip's parameter lists, lower-case
	// and sorted.
	allow, pseudo, redact []string
	// to is kCoarsen's unit: minute, hour or day.
	to string
	// keepDomain says kPseudo keeps the domain of e-mail addresses.
	keepDomain bool
}

// key identifies t for grouping: equal keys mean equal treatment.
func (t treat) key() string {
	return fmt.Sprintf("%d|%d/%d|%d/%d|%v|%v|%v|%s|%v", t.kind, t.v4, t.v6, t.first, t.last,
		t.allow, t.pseudo, t.redact, t.to, t.keepDomain)
}

// treatOf resolves a rule's action like the engine's compile step does:
// truncation prefixes come from the action, then the rule set's
// truncate_ip, then the defaults.
func treatOf(c *rules.Config, a *rules.Action) treat {
	switch {
	case a.TruncateIP != nil:
		return truncateOf(c, a.TruncateIP)
	case a.Pseudonymize != nil:
		return treat{kind: kPseudo, keepDomain: a.Pseudonymize.KeepDomain}
	case a.Redact != nil:
		return treat{kind: kRedact}
	case a.DropField != nil:
		return treat{kind: kDrop}
	case a.Mask != nil:
		return treat{kind: kMask, first: a.Mask.KeepFirst, last: a.Mask.KeepLast}
	case a.StripQuery != nil:
		s := a.StripQuery
		return treat{kind: kStrip, allow: lowerSorted(s.Allow), pseudo: lowerSorted(s.Pseudonymize), redact: lowerSorted(s.Redact)}
	case a.GeneralizeUserAgent != nil:
		return treat{kind: kUserAgent}
	case a.CoarsenTime != nil:
		return treat{kind: kCoarsen, to: orDefault(a.CoarsenTime.To, "hour")}
	case a.Scrub != nil:
		return treat{kind: kScrub}
	}
	return treat{kind: kKeep}
}

// truncateOf resolves the prefixes of a truncation. Keeping every bit of
// both families is no truncation at all.
func truncateOf(c *rules.Config, own *rules.TruncateIP) treat {
	p := rules.EffectivePrefix(c, own)
	if p.V4 >= 32 && p.V6 >= 128 {
		return treat{kind: kKeep}
	}
	return treat{kind: kTruncate, v4: p.V4, v6: p.V6}
}

func lowerSorted(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, strings.ToLower(n))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// class is a kind of personal data an application log field holds,
// guessed from the field's name.
type class uint8

const (
	clIP class = iota
	clUser
	clName
	clAddress
	clEmail
	clPhone
	clSession
	clSecret
	clOther
	numClasses
)

// classIDs name the classes in the record.
var classIDs = [numClasses]string{
	clIP: "ip_address", clUser: "user_identifier", clName: "name", clAddress: "postal_address", clEmail: "email_address",
	clPhone: "phone_number", clSession: "session_identifier", clSecret: "credential", clOther: "other",
}

// classWords map words of a field's name to a class, checked in order:
// "password" is a secret before anything else, an address before a user
// ("client_ip"), "username" a user before a name.
var classWords = []struct {
	c     class
	words []string
}{
	{clSecret, []string{"pass", "pwd", "secret", "authorization", "cookie", "credential"}},
	{clEmail, []string{"mail"}},
	{clPhone, []string{"phone", "mobile", "fax"}},
	{clSession, []string{"session", "sid", "token", "jwt", "key", "bearer", "auth", "nonce"}},
	{clUser, []string{"user", "login", "account", "customer", "client", "member", "owner", "uid"}},
	{clName, []string{"name"}},
}

// classify guesses the class of the field path with treatment t. A field
// whose addresses are truncated holds IP addresses, whatever its name.
func classify(path string, t treat) class {
	if t.kind == kTruncate {
		return clIP
	}
	p := strings.ToLower(path)
	tokens := strings.FieldsFunc(p, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == '*' })
	if c, ok := nameOrPostal(p); ok {
		return c // "customer_name" is a name, "mailing_address" a postal address
	}
	for _, cw := range classWords {
		if cw.c == clUser && looksLikeIP(p, tokens) {
			return clIP // "client_ip" is an address, not a client
		}
		for _, w := range cw.words {
			if hasWord(p, tokens, w) {
				return cw.c
			}
		}
	}
	if looksLikeIP(p, tokens) {
		return clIP
	}
	return clOther
}

// postalKeys are the last path elements, folded (lower case, without '-'
// and '_'), that name a postal address or a part of one.
var postalKeys = map[string]bool{
	"address": true, "postaladdress": true, "streetaddress": true, "shippingaddress": true,
	"billingaddress": true, "deliveryaddress": true, "homeaddress": true, "mailingaddress": true,
	"street": true, "housenumber": true, "addressline1": true, "addressline2": true,
	"address1": true, "address2": true, "line1": true, "line2": true, "postcode": true,
	"postalcode": true, "zip": true, "zipcode": true,
}

// namePrefixes are the words before "name" in the last path element,
// folded, that make it a person's name rather than a user or account
// ("customer_name" is a name, "user_name" a user).
var namePrefixes = map[string]bool{
	"full": true, "first": true, "middle": true, "last": true, "given": true, "family": true,
	"display": true, "real": true, "customer": true, "contact": true, "sender": true,
	"billing": true, "shipping": true, "holder": true, "accountholder": true, "cardholder": true,
	"recipient": true, "nick": true, "sur": true,
}

// nameOrPostal classifies the lower-case path p by its last element: the
// name of a person ("customer_name", "account_holder", "recipient") or a
// postal address ("mailing_address", "postal_code"), before the words of
// classWords would make them a user or an e-mail address. A field whose
// addresses are truncated was classified as an IP address before.
func nameOrPostal(p string) (class, bool) {
	last := p[strings.LastIndexByte(p, '.')+1:]
	f := strings.NewReplacer("-", "", "_", "").Replace(last)
	switch {
	case postalKeys[f] || strings.Contains(f, "street") || strings.Contains(f, "postcode") || strings.Contains(f, "postal"):
		return clAddress, true
	case f == "holder" || f == "accountholder" || f == "cardholder" || f == "recipient":
		return clName, true
	case strings.HasSuffix(f, "name") && namePrefixes[f[:len(f)-len("name")]]:
		return clName, true
	}
	return 0, false
}

// hasWord reports whether the name p (split into tokens) holds w: as a
// substring, or for words of up to three letters ("sid", "key") as a
// whole token or a token's end ("phpsessid", "apikey", not "sidebar").
func hasWord(p string, tokens []string, w string) bool {
	if len(w) > 3 {
		return strings.Contains(p, w)
	}
	for _, t := range tokens {
		if strings.HasSuffix(t, w) {
			return true
		}
	}
	return false
}

// looksLikeIP reports whether a field name names an address: "ip",
// "client_ip", "src-ip", "remote_addr", "x_forwarded_for".
func looksLikeIP(p string, tokens []string) bool {
	if strings.Contains(p, "addr") || strings.Contains(p, "forwarded") {
		return true
	}
	for _, w := range tokens {
		if w == "ipv4" || w == "ipv6" || len(w) <= 8 && strings.HasSuffix(w, "ip") && w != "zip" {
			return true
		}
	}
	return false
}
