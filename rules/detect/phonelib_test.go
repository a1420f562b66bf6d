package detect

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func mustPhones(t testing.TB, regions ...string) *Phones {
	t.Helper()
	p, err := NewPhones(regions)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// validPhones returns the spans of the phone numbers in text that Scan
// finds and p accepts, as "span=E.164".
func validPhones(s *Set, p *Phones, text string) []string {
	var out []string
	for _, m := range s.Scan([]byte(text), nil) {
		if m.Kind != Phone {
			continue
		}
		if e, ok := p.AppendE164(nil, []byte(text[m.Start:m.End])); ok {
			out = append(out, text[m.Start:m.End]+"="+string(e))
		}
	}
	return out
}

// TestPhoneSpellings: national and international spellings of each
// default region, read with that region alone, are found whole and
// normalized to E.164.
func TestPhoneSpellings(t *testing.T) {
	s := mustSet(t, only(Phone))
	cases := []struct{ region, text, span, e164 string }{
		{"DE", "Rückruf an 030 1234567 bitte", "030 1234567", "+49301234567"},
		{"DE", "Tel. +49 (0)30 1234567.", "+49 (0)30 1234567", "+49301234567"},
		{"DE", "(030) 123 456 78", "(030) 123 456 78", "+493012345678"},
		{"DE", "mobil 0171-1234567", "0171-1234567", "+491711234567"},
		{"DE", "0049 30 1234567", "0049 30 1234567", "+49301234567"},
		{"AT", "Wien 01 5123456", "01 5123456", "+4315123456"},
		{"AT", "0664 1234567", "0664 1234567", "+436641234567"},
		{"CH", "Zürich 044 668 18 00", "044 668 18 00", "+41446681800"},
		{"CH", "+41 44 668 18 00", "+41 44 668 18 00", "+41446681800"},
		{"FR", "rappeler le 07 73 90 97 19 svp", "07 73 90 97 19", "+33773909719"},
		{"FR", "+33 6 12 34 56 78", "+33 6 12 34 56 78", "+33612345678"},
		{"FR", "tél +33 (0)6 12 34 56 78.", "+33 (0)6 12 34 56 78", "+33612345678"},
		{"FR", "+33(0)1 23 45 67 89", "+33(0)1 23 45 67 89", "+33123456789"},
		{"FR", "01.23.45.67.89", "01.23.45.67.89", "+33123456789"},
		{"IT", "Roma 06 1234 5678", "06 1234 5678", "+390612345678"},
		{"IT", "+39 333 123 4567", "+39 333 123 4567", "+393331234567"},
		{"ES", "+34 612 34 56 78", "+34 612 34 56 78", "+34612345678"},
		{"NL", "bel 020 123 4567", "020 123 4567", "+31201234567"},
		{"NL", "06 12345678", "06 12345678", "+31612345678"},
		{"PL", "(22) 123 45 67", "(22) 123 45 67", "+48221234567"},
		{"PL", "+48 512 345 678", "+48 512 345 678", "+48512345678"},
		{"GB", "London 020 7946 0958", "020 7946 0958", "+442079460958"},
		{"GB", "07911 123456", "07911 123456", "+447911123456"},
		{"GB", "+44 (0)20 7946 0958", "+44 (0)20 7946 0958", "+442079460958"},
		{"US", "call (415) 971-8223 now", "(415) 971-8223", "+14159718223"},
		{"US", "+1 312-734-1058", "+1 312-734-1058", "+13127341058"},
		{"US", "(415)971-8223", "(415)971-8223", "+14159718223"},
		{"US", "tel=(415)+971-8223&x=1", "(415)+971-8223", "+14159718223"},
		{"US", "call 415-971-8223 now", "415-971-8223", "+14159718223"},
		{"US", "phone=415.971.8223", "415.971.8223", "+14159718223"},
		{"US", "ring 415 971 8223", "415 971 8223", "+14159718223"},
		{"US", "us2 415.971.8223", "415.971.8223", "+14159718223"},
		{"ES", "llamar al 612 345 678", "612 345 678", "+34612345678"},
		{"ES", "móvil 612 34 56 78.", "612 34 56 78", "+34612345678"},
		{"PL", "tel. 512 345 678", "512 345 678", "+48512345678"},
		{"PL", "Kraków 12 345 67 89", "12 345 67 89", "+48123456789"},
		{"IT", "cell 347 123 4567", "347 123 4567", "+393471234567"},
	}
	for _, c := range cases {
		t.Run(c.region+"/"+c.span, func(t *testing.T) {
			got := validPhones(s, mustPhones(t, c.region), c.text)
			if want := c.span + "=" + c.e164; len(got) != 1 || got[0] != want {
				t.Errorf("%q with %s: got %q, want %q", c.text, c.region, got, want)
			}
		})
	}
}

// TestPhoneExampleNumbers: libphonenumber's own example numbers of each
// default region, in its national and international formats, are found
// whole with the default regions.
func TestPhoneExampleNumbers(t *testing.T) {
	s, p := mustSet(t, only(Phone)), mustPhones(t, DefaultPhoneRegions...)
	for _, r := range DefaultPhoneRegions {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE} {
			num := phonenumbers.GetExampleNumberForType(r, typ)
			if num == nil {
				t.Fatalf("%s: no example number", r)
			}
			for _, f := range []phonenumbers.PhoneNumberFormat{phonenumbers.NATIONAL, phonenumbers.INTERNATIONAL} {
				text := phonenumbers.Format(num, f)
				got := validPhones(s, p, "x "+text+" y")
				if len(got) != 1 || !strings.HasPrefix(got[0], text+"=") {
					t.Errorf("%s %q: got %q", r, text, got)
				}
				if f == phonenumbers.INTERNATIONAL && len(got) == 1 && !strings.HasSuffix(got[0], "="+phonenumbers.Format(num, phonenumbers.E164)) {
					t.Errorf("%s %q: got %q, want E.164 %s", r, text, got, phonenumbers.Format(num, phonenumbers.E164))
				}
			}
		}
	}
}

// TestPhoneLookAlikes: numbers that are not phone numbers stay: dates,
// times, versions, addresses, UUID parts, epoch milliseconds, prices,
// ports, unbroken or oddly grouped digit runs without a prefix, and
// candidates the metadata calls invalid.
func TestPhoneLookAlikes(t *testing.T) {
	s, p := mustSet(t, only(Phone)), mustPhones(t, DefaultPhoneRegions...)
	for _, text := range []string{
		"2026-12-02", "02.12.2026", "2026.12.02", "02/12/2026", "02-12-26", "2026-12-02T03:40:00Z",
		"12:30:45.123", "03.40.15", "1.26.2.79", "v1.26.2.79", "go1.26.2 0.9.8.1", "010.001.002.003", "10.0.0.1 192.168.100.200",
		"550e8400-e29b-41d4-a716-446655440000", "00000000-0000-0000-0000-000000000000",
		"ts=1733140800123", "1733140800", "price 1.299,00 EUR", "0.99 0,99 012.345.678", "123.456.789",
		"host:8080 :443 port 65535", "0000 000 0000", "+49 30 1", "+999 1234567", "+1 555 0100 123", "+0100 +0000",
		"x+4930123456", "0301234567a", "0301234567.txt", "0301234567.5", "ORD_0301234567", "v2-0301234567",
		"07 73 90 97 19_x", "1.0301234567", "12:0301234567", "0301234567:8080",
		"4159718223", "ts=1733140800 took 612345678", "200 512 1234", "415-971 8223", "415 971-8223",
		"1 234 567 890", "4159 718 223", "612.345.678", "1-800-555-0199x",
	} {
		if got := validPhones(s, p, text); len(got) > 0 {
			t.Errorf("%q: phone %q", text, got)
		}
	}
}

// TestPhoneRegionOrder: a national spelling valid in several regions takes
// the country of the first; international spellings ignore the regions,
// and a region list without the country leaves its national spellings.
func TestPhoneRegionOrder(t *testing.T) {
	const national = "0612345678" // valid in FR and NL
	for _, c := range []struct {
		regions []string
		want    string
	}{{[]string{"FR", "NL"}, "+33612345678"}, {[]string{"NL", "FR"}, "+31612345678"}, {[]string{"US"}, ""}, {nil, ""}} {
		got, _ := mustPhones(t, c.regions...).AppendE164(nil, []byte(national))
		if string(got) != c.want {
			t.Errorf("%v: got %q, want %q", c.regions, got, c.want)
		}
	}
	if got, ok := mustPhones(t).AppendE164(nil, []byte("+33 6 12 34 56 78")); !ok || string(got) != "+33612345678" {
		t.Errorf("no regions, international: got %q %v", got, ok)
	}
}

func TestNewPhonesUnknownRegion(t *testing.T) {
	for _, bad := range []string{"XX", "de", "", "DEU", "ZZ"} {
		if _, err := NewPhones([]string{"DE", bad}); err == nil || !strings.Contains(err.Error(), "regions[1]") {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}

// TestPhonesCached: a repeated candidate is answered from the cache
// without allocating, also when it is not valid.
func TestPhonesCached(t *testing.T) {
	p := mustPhones(t, DefaultPhoneRegions...)
	valid, invalid := []byte("+33 6 12 34 56 78"), []byte("0000 000 0000")
	dst := make([]byte, 0, 32)
	p.AppendE164(dst, valid)
	p.AppendE164(dst, invalid)
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := p.AppendE164(dst[:0], valid); !ok {
			t.Fatal("valid number rejected")
		}
		if _, ok := p.AppendE164(dst[:0], invalid); ok {
			t.Fatal("invalid number accepted")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocs per cached lookup", allocs)
	}
}

// FuzzPhones: whatever the text, an accepted phone number has an E.164
// form of '+' and 8 to 16 digits that is itself accepted as the same
// number, and lookups never panic.
func FuzzPhones(f *testing.F) {
	for _, seed := range []string{
		"(415) 971-8223", "+1 312-734-1058", "07 73 90 97 19", "+33 6 12 34 56 78", "030 1234567",
		"+44 (0)20 7946 0958", "0049 30 1234567", "phone=%2B33+6+12+34+56+78", "2026-12-02 1.26.2.79",
		"02.12.2026 10.0.0.1 1733140800123", "(030)12345678 (0", "+(0)", "00 00 00", "+4930123456789012345",
	} {
		f.Add(seed)
	}
	s, p := mustSet(f, only(Phone)), mustPhones(f, DefaultPhoneRegions...)
	f.Fuzz(func(t *testing.T, text string) {
		for _, m := range s.Scan([]byte(text), nil) {
			e, ok := p.AppendE164(nil, []byte(text[m.Start:m.End]))
			if !ok {
				continue
			}
			if len(e) < 8 || len(e) > 17 || e[0] != '+' || bytes.ContainsFunc(e[1:], func(r rune) bool { return r < '0' || r > '9' }) {
				t.Fatalf("%q: E.164 %q", text[m.Start:m.End], e)
			}
			if again, ok := p.AppendE164(nil, e); !ok || !bytes.Equal(again, e) {
				t.Fatalf("%q: E.164 %q reads back as %q %v", text[m.Start:m.End], e, again, ok)
			}
		}
	})
}

// BenchmarkPhones: a repeated candidate (cached verdict), a new valid
// national number tried against the default regions, and an invalid one
// that every region rejects.
func BenchmarkPhones(b *testing.B) {
	p := mustPhones(b, DefaultPhoneRegions...)
	dst := make([]byte, 0, 32)
	b.Run("cached", func(b *testing.B) {
		v := []byte("07 73 90 97 19")
		p.AppendE164(dst, v)
		b.ReportAllocs()
		for b.Loop() {
			dst, _ = p.AppendE164(dst[:0], v)
		}
	})
	for _, c := range []struct{ name, v string }{{"uncached-valid", "07 73 90 97 19"}, {"uncached-invalid", "(999) 000-0000"}} {
		b.Run(c.name, func(b *testing.B) {
			v := []byte(c.v)
			b.ReportAllocs()
			for b.Loop() {
				p.cache = [phoneCacheSize]phoneVerdict{}
				dst, _ = p.AppendE164(dst[:0], v)
			}
		})
	}
}

// TestPhonesConcurrent: goroutines sharing one Phones (one per rule set)
// get the same verdicts; run with -race.
func TestPhonesConcurrent(t *testing.T) {
	p := mustPhones(t, DefaultPhoneRegions...)
	numbers := []string{"030 1234567", "+33 6 12 34 56 78", "0000 000 0000", "(415) 971-8223"}
	want := make([]string, len(numbers))
	for i, n := range numbers {
		e, _ := mustPhones(t, DefaultPhoneRegions...).AppendE164(nil, []byte(n))
		want[i] = string(e)
	}
	done := make(chan string)
	for g := range 4 {
		go func() {
			for k := range 50 {
				i := (g + k) % len(numbers)
				if e, _ := p.AppendE164(nil, []byte(numbers[i])); string(e) != want[i] {
					done <- numbers[i] + " -> " + string(e)
					return
				}
			}
			done <- ""
		}()
	}
	for range 4 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}

// TestPhoneRunOfNumbers: numbers written one after another are each found,
// not read as one number too long to be valid.
func TestPhoneRunOfNumbers(t *testing.T) {
	p := mustPhones(t, DefaultPhoneRegions...)
	c := Config{Phones: p}
	c.Kinds[Phone] = true
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	got := validPhones(s, p, "SMS an 0171 2345678 12 mal, 0171 2345678 0171 2345679 und (415) 971-8223 200 512")
	want := []string{"0171 2345678=+491712345678", "0171 2345678=+491712345678", "0171 2345679=+491712345679", "(415) 971-8223=+14159718223"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
