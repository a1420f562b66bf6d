// Package detect finds personal data in free text: IP addresses, e-mail
// addresses, phone numbers, IBANs, payment card numbers, JWTs, HTTP
// credentials, secrets and tokens in URLs and parameters, and user-defined
// patterns.
//
// The detectors only find spans; the rules engine decides what replaces
// them. All built-in detectors are hand-written byte scanners that run in
// time linear in the text and allocate nothing. A Set is safe for concurrent
// use by several goroutines once New returned it.
package detect

import (
	"errors"
	"strconv"
)

// Kind is the kind of personal data a match holds.
type Kind uint8

// The kinds of matches, in the order used to break ties between matches with
// the same span.
const (
	IPv4     Kind = iota // an IPv4 address
	IPv6                 // an IPv6 address
	Email                // an e-mail address, also URL-encoded (%40)
	Phone                // an international (E.164) or national phone number
	IBAN                 // an IBAN with a valid mod-97 checksum
	Card                 // a Luhn-valid payment card number
	JWT                  // a JSON Web Token (JWS or JWE compact form)
	Auth                 // an HTTP Authorization credential
	Secret               // a password or URL credential
	Token                // a token, API key or session id parameter value
	Address              // a postal address (street, number, postcode, town)
	Custom               // a match of a user-defined pattern
	NumKinds             // the number of kinds, not a kind
)

var kindNames = [NumKinds]string{
	IPv4: "ipv4", IPv6: "ipv6", Email: "email", Phone: "phone", IBAN: "iban",
	Card: "card", JWT: "jwt", Auth: "auth", Secret: "secret", Token: "token",
	Address: "address", Custom: "custom",
}

// ErrUnknownKind is returned by ParseKind for a name that is not a kind. The
// error does not repeat the name; the caller knows where it came from.
var ErrUnknownKind = errors.New("detect: unknown kind")

// ParseKind returns the kind with the lower-case name s, as returned by
// Kind.String ("ipv4", "email", ...).
func ParseKind(s string) (Kind, error) {
	for k, n := range kindNames {
		if n == s {
			return Kind(k), nil
		}
	}
	return 0, ErrUnknownKind
}

// String returns the kind's lower-case name, or "kind(N)" for a value out of
// range.
func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Match is one span of personal data found in a text.
type Match struct {
	// Kind is what the span holds.
	Kind Kind
	// Start and End delimit the half-open span [Start,End) of the value to
	// replace, as byte offsets into the scanned text.
	Start, End int
	// Pattern is, for Custom matches, the index of the pattern in
	// Config.Patterns; 0 otherwise.
	Pattern int
}
