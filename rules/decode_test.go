package rules

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
)

// decodeCases are texts and what the detectors see of them (nil: nothing
// to decode).
var decodeCases = []struct{ text, want string }{
	{"/search?q=plain", ""},
	{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", ""},
	{"(+http://example.com/bot)", ""},
	{"a%40b.example", "a@b.example"},
	{"Rosenweg+88", "Rosenweg 88"},
	// in a query string every '+' is a space, also after punctuation
	{"/geo?address=Rosenweg+88%2C+77307+Bremen&key=x", "/geo?address=Rosenweg 88, 77307 Bremen&key=x"},
	{"/geo?a=1&address=Rosenweg+88%2C+77307+Bremen", "/geo?a=1&address=Rosenweg 88, 77307 Bremen"},
	{"address=Rosenweg+88%2C+77307+Bremen", "address=Rosenweg 88, 77307 Bremen"},
	{"/cb?tel=%28415%29+971-8223", "/cb?tel=(415) 971-8223"},
	{"/cb?q=a,++b", "/cb?q=a,  b"},
	// outside a form, a '+' after punctuation is kept
	{"Rosenweg+88%2C+77307+Bremen", "Rosenweg 88,+77307 Bremen"},
	{"call me,+4930123456 or a+b", "call me,+4930123456 or a b"},
	{"/geo?q=x y,+4930123456", "/geo?q=x y,+4930123456"},
	{`/geo?q=x"a,+b`, `/geo?q=x"a,+b`},
	// a phone's plus after '=' and an e-mail's plus tag are kept
	{"/cb?tel=+4930123456&x=a+b", "/cb?tel=+4930123456&x=a b"},
	{"/cb?email=first.last+shop%40example.com", "/cb?email=first.last+shop@example.com"},
	{"/cb?email=x,+shop@example.com", "/cb?email=x,+shop@example.com"},
	{"tel:+4930123456", "tel:+4930123456"},
	// %XX sequences of a UTF-8 character are decoded together
	{"/geo?address=Brunnengasse+203%2C+83024+K%C3%B6ln", "/geo?address=Brunnengasse 203, 83024 Köln"},
	{"Stra%C3%9Fe+1%E2%82%AC+%F0%9F%98%80", "Straße 1€ 😀"},
	{"K%c3%b6ln+x", "Köln x"},
	{"a%C3+%C3%28+%E2%82+%C2%85+%C0%AF+%ED%A0%80+%F5%80%80%80+%41", "a%C3 %C3(+%E2%82 %C2%85 %C0%AF %ED%A0%80 %F5%80%80%80 %41"},
	{"%E2%82%AC", "€"},
	{"Köln+5", "Köln 5"},
	{"x%E2%82%A", ""},
}

// TestDecodeForScan checks the decoded text and that every decoded byte
// maps back to the raw byte (or %XX sequence) it came from.
func TestDecodeForScan(t *testing.T) {
	var p Processor
	for _, c := range decodeCases {
		got := p.decodeForScan([]byte(c.text))
		if string(got) != c.want || (got == nil) != (c.want == "") {
			t.Errorf("decodeForScan(%q) = %q, want %q", c.text, got, c.want)
			continue
		}
		if got != nil {
			checkOffsets(t, []byte(c.text), got, p.offs)
		}
	}
}

// checkOffsets checks the map from decoded bytes to raw offsets: one entry
// per decoded byte plus the end, increasing, and each decoded byte is its
// raw byte, a '+' read as a space or the %XX sequence it decodes.
func checkOffsets(t *testing.T, text, decoded []byte, offs []int32) {
	t.Helper()
	if len(offs) != len(decoded)+1 || offs[len(decoded)] != int32(len(text)) {
		t.Fatalf("%q: %d offsets for %d decoded bytes", text, len(offs), len(decoded))
	}
	for k, d := range decoded {
		o, next := offs[k], offs[k+1]
		raw := text[o:next]
		ok := len(raw) == 1 && (raw[0] == d || raw[0] == '+' && d == ' ')
		if len(raw) == 3 {
			ok = hexByte(text, int(o)) == d
		}
		if !ok {
			t.Fatalf("%q: decoded byte %d %q comes from %q", text, k, d, raw)
		}
	}
}

// FuzzDecodeForScan checks the offset map on any text and that a text
// without '%' and '+' needs no decoding.
func FuzzDecodeForScan(f *testing.F) {
	for _, c := range decodeCases {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var p Processor
		got := p.decodeForScan([]byte(text))
		if got == nil {
			if strings.ContainsAny(text, "%+") && bytes.Contains([]byte(text), []byte("%40")) {
				t.Fatalf("%q: %%40 not decoded", text)
			}
			return
		}
		if !strings.ContainsAny(text, "%+") {
			t.Fatalf("%q decoded without '%%' or '+'", text)
		}
		checkOffsets(t, []byte(text), got, p.offs)
	})
}

// TestQueryAddress: a postal address form-encoded in a query string is
// replaced whole in the raw line by the pseudonym of the address, as it
// is when encoded with %20.
func TestQueryAddress(t *testing.T) {
	p := defaultEngine(t).NewProcessor()
	const addr = "Rosenweg 88, 77307 Bremen"
	line := func(q string) string {
		return `203.0.113.7 - - [20/Nov/2026:13:55:36 +0100] "GET /maps/api/geocode/json?` + q + ` HTTP/1.1" 200 5 "-" "curl/8.4.0"`
	}
	ref, _ := p.Append(nil, []byte(line("address="+url.PathEscape(addr)+"&order=7")), testTime)
	for _, c := range []struct {
		q    string
		same bool // the same pseudonym as the %20 spelling
	}{
		{"address=" + url.QueryEscape(addr) + "&order=7", true},
		{"a=1&address=" + url.QueryEscape(addr) + "&order=7", false},
		{"address=Rosenweg+88%2C77307+Bremen&order=7", false},
	} {
		out, _ := p.Append(nil, []byte(line(c.q)), testTime)
		if strings.Contains(string(out), "Rosenweg") || strings.Contains(string(out), "77307") || c.same && string(out) != string(ref) {
			t.Errorf("%s\n got %s\nwant %s", c.q, out, ref)
		}
	}
}
