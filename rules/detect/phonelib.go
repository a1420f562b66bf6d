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
var ErrUnknownRegion = errors.New("detect: unknown phone region (ISO 3166-1 alpha-2 code in upper case, e.g. DE)")

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

// phoneKeyMax bounds a cache key: '+' and 15 digits.
const phoneKeyMax = 1 + phoneMaxDigits

// phoneVerdict is one cached verdict: the compact candidate and, when it
// is valid, its E.164 form.
type phoneVerdict struct {
	key, e164 [phoneKeyMax]byte
	keyLen    uint8
	e164Len   uint8 // 0: not valid
	used      bool
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
// metadata of its country (given by '+' or "00", else by the first region
// in which it is valid) says it is valid. Otherwise dst is returned
// unchanged with false.
func (p *Phones) AppendE164(dst, v []byte) ([]byte, bool) {
	var key [phoneKeyMax]byte
	n, ok := phoneKey(v, &key)
	if !ok {
		return dst, false
	}
	k := key[:n]
	slot := &p.cache[xxhash.Sum64(k)%phoneCacheSize]
	p.mu.Lock()
	if slot.used && string(slot.key[:slot.keyLen]) == string(k) {
		e := slot.e164
		l := slot.e164Len
		p.mu.Unlock()
		return append(dst, e[:l]...), l > 0
	}
	p.mu.Unlock()
	e164 := p.lookup(string(k))
	p.mu.Lock()
	*slot = phoneVerdict{key: key, keyLen: uint8(n), used: true}
	if len(e164) <= phoneKeyMax {
		slot.e164Len = uint8(copy(slot.e164[:], e164))
	}
	p.mu.Unlock()
	return append(dst, e164...), e164 != ""
}

// phoneKey writes the compact form of the candidate v to key: '+' and the
// digits of an international number (a "00" prefix dropped), the digits of
// a national one. It reports false when v is not, as a whole, a candidate
// of the scanner.
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
			if n == len(key) {
				return 0, false
			}
			key[n] = v[i]
			n++
		}
	}
	return n, true
}

// phoneTrigger reports whether c may start a phone number.
func phoneTrigger(c byte) bool { return c == '+' || c == '(' || c == '0' }

// lookup asks the metadata about the compact candidate k and returns its
// E.164 form, or "" when it is not a valid number.
func (p *Phones) lookup(k string) string {
	if strings.HasPrefix(k, "+") {
		return e164(k, "ZZ")
	}
	zero := k[0] == '0'
	for _, r := range p.regions {
		if r.ndd != "" && zero != (r.ndd == "0") {
			continue // national numbers of a trunk-0 region start with 0, others do not
		}
		if e := e164(k, r.code); e != "" {
			return e
		}
	}
	return ""
}

// e164 parses k as a number of region and returns its E.164 form when it
// is valid.
func e164(k, region string) string {
	num, err := phonenumbers.Parse(k, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return ""
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}
