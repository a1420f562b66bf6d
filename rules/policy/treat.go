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
	clEmail
	clPhone
	clSession
	clSecret
	clOther
	numClasses
)

// classIDs name the classes in the record.
var classIDs = [numClasses]string{
	clIP: "ip_address", clUser: "user_identifier", clName: "name", clEmail: "email_address",
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
