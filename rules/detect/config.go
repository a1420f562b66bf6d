package detect

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
)

// maxNameLen bounds the length of a parameter name.
const maxNameLen = 64

// Pattern is a user-defined detector: an RE2 regular expression. When the
// expression has a capture group, the first group is the span of a match;
// otherwise the whole match is.
type Pattern struct {
	// Name names the pattern in error messages and counters.
	Name string
	// Regex is the RE2 expression (Go regexp syntax).
	Regex string
}

// Config selects and tunes the detectors.
type Config struct {
	// Kinds enables the built-in kinds. Custom is implied by Patterns and
	// needs no flag.
	Kinds [NumKinds]bool
	// SecretParams are query, form, logfmt, JSON and header parameter names
	// whose values are secrets; matched ignoring case, '-' and '_'
	// ("X-Api-Key", "x_api_key" and "apiKey" are one name). A name written
	// with a leading '?' ("?code") is matched only as a query-string
	// parameter, after '?' or '&'.
	SecretParams []string
	// TokenParams are parameter names whose values are tokens or session
	// ids; matched like SecretParams.
	TokenParams []string
	// Patterns are user-defined detectors.
	Patterns []Pattern
	// Phones, when set, decides the phone number candidates: only valid
	// numbers are matches, and a candidate glued to the digit groups that
	// follow it ("0171 2345678 12 times") is cut to its longest valid
	// prefix. Without it every candidate of the scanner is a match.
	Phones *Phones
}

// DefaultConfig enables every built-in kind with the default parameter
// names and no patterns.
func DefaultConfig() Config {
	c := Config{
		SecretParams: []string{"password", "passwd", "pwd", "pass", "secret", "client_secret",
			"api_key", "x-api-key", "x-auth-token", "access_token", "refresh_token", "id_token",
			"aws_secret_access_key", "?code"},
		TokenParams: []string{"token", "auth", "session", "session_id", "sessionid", "sid",
			"jsessionid", "phpsessid", "key", "signature"},
	}
	for k := range c.Kinds {
		c.Kinds[k] = Kind(k) != Custom
	}
	return c
}

// Validate reports every problem of c at once. Messages name the list and
// index of a bad entry, never a pattern's text.
func (c *Config) Validate() error {
	_, err := New(*c)
	return err
}

// Set is a compiled Config. It is immutable and safe for concurrent use.
type Set struct {
	kinds    [NumKinds]bool
	names    map[string]param // folded parameter name (foldName) → its kind
	nameLen  [2]int           // shortest and longest folded parameter name
	patterns []compiled
	phones   *Phones    // decides phone candidates; nil: every candidate
	dets     []detector // enabled detectors, in a fixed order
	detMask  detMask    // the bits 1<<d of the enabled built-in detectors
	words    uint8      // trigger bits of the kinds nextWord finds
	// firstLen and lastLen hold, for the first and the last byte of the
	// names, the bit 1<<(length-1) of each name's length.
	firstLen, lastLen [256]uint64
}

// compiled is one compiled Pattern.
type compiled struct {
	re    *regexp.Regexp
	group bool // the span is the first capture group
}

// New compiles c. The error joins every problem found; messages name the
// list and index of a bad entry (and a pattern's name), never its content.
func New(c Config) (*Set, error) {
	s := &Set{kinds: c.Kinds, names: map[string]param{}, nameLen: [2]int{maxNameLen + 1, 0}, phones: c.Phones}
	s.kinds[Custom] = len(c.Patterns) > 0
	var errs []error
	errs = s.addNames(errs, "secret_params", c.SecretParams, Secret)
	errs = s.addNames(errs, "token_params", c.TokenParams, Token)
	for i, p := range c.Patterns {
		re, err := regexp.Compile(p.Regex)
		if err != nil {
			errs = append(errs, patternError(i, p.Name, err))
			continue
		}
		s.patterns = append(s.patterns, compiled{re: re, group: re.NumSubexp() > 0})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s.dets = s.enabled()
	for _, d := range s.dets {
		if d != detCustom {
			s.detMask |= 1 << d
		}
	}
	s.words = s.wordMask()
	return s, nil
}

// param is the kind of a configured parameter name and whether it is
// one only in query strings.
type param struct {
	kind  Kind
	query bool
}

// addNames adds the folded names of one list to s.names.
func (s *Set) addNames(errs []error, list string, names []string, k Kind) []error {
	for i, n := range names {
		q := len(n) > 1 && n[0] == '?'
		if q {
			n = n[1:]
		}
		b, err := checkName(n)
		if err != nil {
			errs = append(errs, fmt.Errorf("detect: %s[%d]: %w", list, i, err))
			continue
		}
		if old, dup := s.names[string(b)]; dup && old.kind != k {
			errs = append(errs, fmt.Errorf("detect: %s[%d]: name is also a %s parameter", list, i, old.kind))
			continue
		}
		s.names[string(b)] = param{kind: k, query: q && (!s.hasName(b) || s.names[string(b)].query)}
		s.firstLen[b[0]] |= 1 << (len(b) - 1)
		s.lastLen[b[len(b)-1]] |= 1 << (len(b) - 1)
		s.nameLen[0] = min(s.nameLen[0], len(b))
		s.nameLen[1] = max(s.nameLen[1], len(b))
	}
	return errs
}

// hasName reports whether the folded name b is configured.
func (s *Set) hasName(b []byte) bool {
	_, ok := s.names[string(b)]
	return ok
}

// checkName validates a configured parameter name and returns it folded.
func checkName(n string) ([]byte, error) {
	if len(n) == 0 || len(n) > maxNameLen {
		return nil, fmt.Errorf("length must be 1..%d", maxNameLen)
	}
	for j := 0; j < len(n); j++ {
		if !is(n[j], cName) {
			return nil, fmt.Errorf("byte %d is not a letter, digit, '_', '.' or '-'", j)
		}
	}
	b := foldName(nil, []byte(n))
	if len(b) == 0 {
		return nil, errors.New("name has no letter or digit")
	}
	return b, nil
}

// foldName appends name to dst in lower case without '-' and '_'.
func foldName(dst, name []byte) []byte {
	for _, c := range name {
		if c != '-' && c != '_' {
			dst = append(dst, lower(c))
		}
	}
	return dst
}

// patternError describes a pattern that does not compile without quoting
// any part of it.
func patternError(i int, name string, err error) error {
	var se *syntax.Error
	if errors.As(err, &se) {
		return fmt.Errorf("detect: patterns[%d] (%q): invalid regex: %s", i, name, se.Code)
	}
	return fmt.Errorf("detect: patterns[%d] (%q): invalid regex", i, name)
}

// enabled lists the detectors that find at least one enabled kind.
func (s *Set) enabled() []detector {
	want := [...]struct {
		d     detector
		kinds []Kind
	}{
		{detIP, []Kind{IPv4, IPv6}}, {detEmail, []Kind{Email}},
		{detWord, []Kind{Phone, Card, IBAN}}, {detJWT, []Kind{JWT}},
		{detAuth, []Kind{Auth}}, {detParam, []Kind{Secret, Token}}, {detUser, []Kind{Token}},
		{detVendor, []Kind{Secret}}, {detAddress, []Kind{Address}}, {detCutArg, []Kind{Token}},
		{detCustom, []Kind{Custom}},
	}
	var dets []detector
	for _, w := range want {
		for _, k := range w.kinds {
			if s.kinds[k] {
				dets = append(dets, w.d)
				break
			}
		}
	}
	return dets
}
