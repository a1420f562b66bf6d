package detect

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/nyaruka/phonenumbers"
)

// DefaultPhoneRegions are the regions whose national spellings of phone
// numbers ("030 1234567", "06 12 34 56 78", "(415) 971-8223") are
// recognized when the rules name none. International spellings ("+33 6 12
// 34 56 78", "0049 30 1234567") are recognized for every country.
var DefaultPhoneRegions = []string{"DE", "AT", "CH", "FR", "IT", "ES", "NL", "PL", "GB", "US"}

// ErrUnknownRegion is returned for a region code the phone number metadata
// does not know. The error does not repeat the code.
var ErrUnknownRegion = errors.New("detect: unknown phone region")

// KnownPhoneRegion reports whether code is a region of the phone number
// metadata, written in upper case as in "DE".
func KnownPhoneRegion(code string) bool {
	return phonenumbers.GetSupportedRegions()[code]
}

// phoneRegion is one region of a Phones with its trunk prefix.
type phoneRegion struct {
	code string
	ndd  string // the national (trunk) prefix: "0", "1" (US) or "" (IT, ES, PL)
}

// Phones decides whether a phone number candidate found by the scanner is
// a valid number, using libphonenumber's metadata, and gives its E.164
// form. It is safe for concurrent use. Verdicts of recent candidates are
// cached in memory, so a number that repeats costs one lookup and no
// allocation.
type Phones struct {
	regions []phoneRegion
	mu      sync.Mutex
	cache   [phoneCacheSize]phoneVerdict
}

// phoneCacheSize is the number of cached verdicts (direct-mapped).
const phoneCacheSize = 1024

// phoneKeyMax bounds a cache key: '+' and 15 digits, or 15 digits, '/'
// and the lengths of up to 8 groups.
const phoneKeyMax = phoneMaxDigits + 2 + phoneMaxGroups

// e164Max bounds an E.164 form: '+' and 15 digits.
const e164Max = 1 + phoneMaxDigits

// phoneVerdict is one cached verdict: the compact candidate and, when it
// is valid, its E.164 form.
type phoneVerdict struct {
	key     [phoneKeyMax]byte
	e164    [e164Max]byte
	keyLen  uint8
	e164Len uint8 // 0: not valid
	grouped bool  // international, or grouped as its region writes it
	used    bool
}

// NewPhones returns a Phones that reads national spellings as numbers of
// the regions, tried in order; the first region in which the number is
// valid gives its country code. Unknown region codes are errors, each
// naming its index.
func NewPhones(regions []string) (*Phones, error) {
	p := &Phones{}
	var errs []error
	for i, code := range regions {
		if !KnownPhoneRegion(code) {
			errs = append(errs, fmt.Errorf("regions[%d]: %w", i, ErrUnknownRegion))
			continue
		}
		p.regions = append(p.regions, phoneRegion{code: code, ndd: phonenumbers.GetNddPrefixForRegion(code, true)})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// Regions returns the region codes in the order they are tried.
func (p *Phones) Regions() []string {
	out := make([]string, len(p.regions))
	for i, r := range p.regions {
		out[i] = r.code
	}
	return out
}

// Valid reports whether span, a Phone match of Scan, is a valid phone
// number. It allocates nothing when the verdict is cached.
func (p *Phones) Valid(span []byte) bool {
	_, ok := p.AppendE164(nil, span)
	return ok
}

// AppendE164 appends the E.164 form ("+493012345678") of v when v as a
// whole is a phone number: the scanner accepts it as a candidate and the
// metadata of its country says it is valid. The country of an
// international spelling is given by its '+' or "00"; that of a national
// spelling is the first region in which it is valid and which writes it
// with the same groups ("07 73 90 97 19" is French, though also valid in
// Germany), else the first region in which it is valid. Otherwise dst is
// returned unchanged with false.
func (p *Phones) AppendE164(dst, v []byte) ([]byte, bool) {
	dst, ok, _ := p.appendVerdict(dst, v)
	return dst, ok
}

// appendVerdict is AppendE164, and also reports whether a valid v is
// international or grouped as its region writes its numbers.
func (p *Phones) appendVerdict(dst, v []byte) (out []byte, valid, grouped bool) {
	var key [phoneKeyMax]byte
	n, ok := phoneKey(v, &key)
	if !ok {
		return dst, false, false
	}
	k := key[:n]
	slot := &p.cache[xxhash.Sum64(k)%phoneCacheSize]
	p.mu.Lock()
	if slot.used && string(slot.key[:slot.keyLen]) == string(k) {
		e, l, g := slot.e164, slot.e164Len, slot.grouped
		p.mu.Unlock()
		return append(dst, e[:l]...), l > 0, g
	}
	p.mu.Unlock()
	e164, grouped := p.lookup(string(k))
	if len(e164) > e164Max {
		e164 = ""
	}
	p.mu.Lock()
	*slot = phoneVerdict{key: key, keyLen: uint8(n), grouped: grouped, used: true}
	slot.e164Len = uint8(copy(slot.e164[:], e164))
	p.mu.Unlock()
	return append(dst, e164...), e164 != "", grouped
}

// phoneKey writes the compact form of the candidate v to key: '+' and the
// digits of an international number (a "00" prefix dropped); the digits
// of a national one, '/' and the lengths of its groups as letters ('a' +
// length). It reports false when v is not, as a whole, a candidate of the
// scanner.
func phoneKey(v []byte, key *[phoneKeyMax]byte) (int, bool) {
	if len(v) == 0 || !phoneTrigger(v[0]) {
		return 0, false
	}
	if e, ok := parsePhone(v, 0); !ok || e != len(v) {
		return 0, false
	}
	n, i := 0, 0
	switch {
	case v[0] == '+':
		key[0], n, i = '+', 1, 1
	case hasPrefix(v, 0, "00"):
		key[0], n, i = '+', 1, 2
	}
	for ; i < len(v); i++ {
		if is(v[i], cDigit) {
			if n == phoneMaxDigits+1 {
				return 0, false
			}
			key[n] = v[i]
			n++
		}
	}
	if key[0] == '+' {
		return n, true
	}
	key[n] = '/'
	return appendGroups(key[:n+1], v), true
}

// appendGroups appends to key the lengths of the digit runs of v as
// letters and returns the key's length; it stops when key is full.
func appendGroups(key []byte, v []byte) int {
	run := 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) && is(v[i], cDigit) {
			run++
			continue
		}
		if run > 0 && len(key) < cap(key) {
			key = append(key, byte('a'+run))
		}
		run = 0
	}
	return len(key)
}

// phoneTrigger reports whether c may start a phone number.
func phoneTrigger(c byte) bool { return c == '+' || c == '(' || is(c, cDigit) }

// lookup asks the metadata about the compact candidate k and returns its
// E.164 form, or "" when it is not a valid number, and whether k is
// international or grouped as the region of that form writes it.
func (p *Phones) lookup(k string) (string, bool) {
	if strings.HasPrefix(k, "+") {
		e, _ := e164(k, "ZZ")
		return e, true
	}
	digits, groups, _ := strings.Cut(k, "/")
	first := ""
	for _, r := range p.regions {
		if r.ndd != "" && (digits[0] == '0') != (r.ndd == "0") {
			continue // national numbers of a trunk-0 region start with 0, others do not
		}
		e, national := e164(digits, r.code)
		if e == "" {
			continue
		}
		if groupsOf(national) == groups {
			return e, true
		}
		if first == "" {
			first = e
		}
	}
	return first, false
}

// groupsOf returns the lengths of the digit runs of s as letters, as
// phoneKey writes them.
func groupsOf(s string) string {
	var b [phoneMaxGroups + 1]byte
	return string(b[:appendGroups(b[:0:len(b)-1], []byte(s))])
}

// e164 parses k as a number of region and returns its E.164 form and its
// national format when it is valid.
func e164(k, region string) (e164, national string) {
	num, err := phonenumbers.Parse(k, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", ""
	}
	return phonenumbers.Format(num, phonenumbers.E164), phonenumbers.Format(num, phonenumbers.NATIONAL)
}
