// Package cuttest plants identifiers of every detector kind across the
// point where an overlong line is cut, and checks, independently of the
// detectors, that no raw fragment of them survives. It is shared by the
// tests of every place that cuts lines: the rules engine (tarn filter),
// the agent's file tailer and the container-log joiner.
package cuttest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
)

// MinFragment is the shortest fragment of an identifier's significant part
// that Leak reports.
const MinFragment = 4

// Ident is one planted identifier.
type Ident struct {
	// Kind names what the identifier is, for messages.
	Kind string
	// Before is the context written right before the value ("Bearer ").
	Before string
	// Value is the identifier as written.
	Value string
	// After is the context written right after the value.
	After string
}

// Idents returns one identifier of each form the detectors know: IPv4,
// IPv6, e-mail (plain and %40), phones, IBANs and cards (with and without
// spaces), JWTs (a short and a long one), a Bearer credential, a URL
// credential and tokens, session ids, user names and secrets in
// parameters.
func Idents() []Ident {
	return []Ident{
		{Kind: "ipv4", Value: "203.0.113.195", After: " port 443"},
		{Kind: "ipv6", Value: "2001:db8:1234:5678:9abc:def0:1234:5678", After: " said"},
		{Kind: "ipv6 compressed", Before: "from [", Value: "2001:db8:85a3::8a2e:370:7334", After: "]:443"},
		{Kind: "ipv4-mapped ipv6", Value: "::ffff:198.51.100.27", After: " ok"},
		{Kind: "email", Before: "to ", Value: "max.mustermann@gmail.com", After: " sent"},
		{Kind: "email %40", Before: "GET /u/", Value: "max.mustermann%40gmail.com", After: "/inbox HTTP/1.1"},
		{Kind: "phone", Before: "call ", Value: "+49 30 12345678", After: " now"},
		{Kind: "phone parens", Before: "call ", Value: "+1 (415) 971-8223", After: " now"},
		{Kind: "phone national", Before: "tel. ", Value: "0171 1234567", After: " now"},
		{Kind: "iban", Before: "iban ", Value: "DE89370400440532013000", After: " paid"},
		{Kind: "iban spaced", Before: "iban ", Value: "DE89 3704 0044 0532 0130 00", After: " paid"},
		{Kind: "iban spaced letters", Before: "IBAN: ", Value: "GB29 NWBK 6016 1331 9268 19", After: " paid"},
		{Kind: "card", Before: "card ", Value: "4111111111111111", After: " declined"},
		{Kind: "card spaced", Before: "card ", Value: "4111 1111 1111 1111", After: " declined"},
		{Kind: "card dashed", Before: "card ", Value: "5500-0000-0000-0004", After: " declined"},
		{Kind: "jwt", Before: "got ", Value: jwt(40), After: " ok"},
		{Kind: "jwt long", Before: "got ", Value: jwt(420), After: " ok"},
		{Kind: "bearer", Before: "Authorization: Bearer ", Value: "mF_9.B5f-4.1JqMxkW7Hb", After: " accepted"},
		{Kind: "url token", Before: "GET /cb?token=", Value: "9f86d081884c7d659a2feaa0c55ad015", After: "&page=2 HTTP/1.1"},
		{Kind: "session id", Before: "GET /app?session_id=", Value: "4f2a9c0b7d1e3a5f77", After: "&x=1 HTTP/1.1"},
		{Kind: "user param", Before: "login user=", Value: "max.mustermann", After: " failed"},
		{Kind: "secret param", Before: "login password=", Value: "hunter2Secret!", After: " failed"},
		{Kind: "url credential", Before: "GET https://max:", Value: "s3cr3tPassw0rd", After: "@example.com/ HTTP/1.1"},
	}
}

// jwt returns a JSON Web Token whose payload holds claims of at least n
// bytes.
func jwt(n int) string {
	enc := base64.RawURLEncoding
	claims := fmt.Sprintf(`{"sub":"1234567890","name":"Max Mustermann","pad":"%s"}`, strings.Repeat("x7Y", n/3))
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(claims)) + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
}

// Rules returns a rules file for free text that redacts everything the
// detectors find and cuts lines at max bytes.
func Rules(max int) string {
	return fmt.Sprintf(`name: cut-test
format: text
on_unparsed: scrub
max_line_bytes: %d
detect:
  actions:
    ipv4: redact
    ipv6: redact
    email: redact
    phone: redact
    iban: redact
    card: redact
    jwt: redact
    auth: redact
    secret: redact
    token: redact
  secret_params: [password]
  token_params: [token, session_id, user]
`, max)
}

// Line is one planted line.
type Line struct {
	// Ident is the planted identifier.
	Ident Ident
	// Off is how many bytes of the value come before the cut.
	Off int
	// Text is the line, without newline.
	Text []byte
}

// Lines returns, for every identifier and every offset 1..len-1 of its
// value, a line longer than max that a cut at max bytes cuts after Off
// bytes of the value. Filler words hold no letter of any identifier.
func Lines(max int) []Line {
	var out []Line
	for _, id := range Idents() {
		for off := 1; off < len(id.Value); off++ {
			head := max - off - len(id.Before)
			if head < 1 {
				panic("cuttest: max too small for " + id.Kind)
			}
			var b bytes.Buffer
			b.Write(filler(head))
			b.WriteString(id.Before + id.Value + id.After + " ")
			b.Write(filler(64))
			out = append(out, Line{Ident: id, Off: off, Text: b.Bytes()})
		}
	}
	return out
}

// Whole returns the identifier in its context, with filler before, on a
// line shorter than any cut: the detectors must find it there.
func Whole(id Ident) []byte {
	return append(filler(16), id.Before+id.Value+id.After+" zq"...)
}

// filler returns n bytes of "zq " words ending in a space.
func filler(n int) []byte {
	b := bytes.Repeat([]byte("zq "), n/3+1)[:n]
	b[n-1] = ' '
	return b
}

// Leak returns the first fragment of at least MinFragment bytes of id's
// significant part (its value without spaces, hyphens and parentheses)
// that out holds, compared the same way; "" when there is none.
func Leak(out []byte, id Ident) string {
	sig, hay := squeeze([]byte(id.Value)), squeeze(out)
	for i := 0; i+MinFragment <= len(sig); i++ {
		if f := sig[i : i+MinFragment]; bytes.Contains(hay, f) {
			return string(f)
		}
	}
	return ""
}

// squeeze removes the separators of spaced numbers.
func squeeze(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c != ' ' && c != '-' && c != '(' && c != ')' {
			out = append(out, c)
		}
	}
	return out
}
