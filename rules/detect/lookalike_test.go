package detect

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestVersionsAreNotAddresses: dotted quads that are versions are not
// reported; addresses in the same logs are.
func TestVersionsAreNotAddresses(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	runCases(t, s, []scanCase{
		{"version key", "level=info version=1.26.2.79 msg=up", nil},
		{"ver and v keys", "ver=10.2.3.4 v=10.2.3.5 ver: 10.2.3.6", nil},
		{"json app_version", `{"app_version":"2.15.3.12","build_ver":"2.15.3.13"}`, nil},
		{"camel version", `osVersion=10.0.19045.3803 clientVersion: 4.1.2.7`, nil},
		{"release path", "GET /releases/3.5.6.33/tarn.tar.gz HTTP/1.1", nil},
		{"other release dirs", "/release/1.2.3.4/ /download/1.2.3.5/x /downloads/1.2.3.6 /v/1.2.3.7/", nil},
		{"product tokens", "Chrome/124.0.6367.91 okhttp/4.12.0 Firefox/2.0.0.4 python-requests/1.2.3.4 (Foo/9.8.7.6;", nil},
		{"five parts", "build 1.2.3.4.5 and 10.20.30.40.50", nil},
	})
	runCases(t, s, []scanCase{
		{"key client", "version=1.26.2.79 client=1.2.3.4", []string{"ipv4:1.2.3.4"}},
		{"from", "version=1.26.2.79 connect from 1.2.3.4 port 22", []string{"ipv4:1.2.3.4"}},
		{"brackets", "app_version=2.1.0.7 host[1.2.3.4]", []string{"ipv4:1.2.3.4"}},
		{"forwarded", "X-Forwarded-For: 1.2.3.4, 5.6.7.8", []string{"ipv4:1.2.3.4", "ipv4:5.6.7.8"}},
		{"server is no ver", "server=1.2.3.4 observer: 1.2.3.5 dev=1.2.3.6", []string{"ipv4:1.2.3.4", "ipv4:1.2.3.5", "ipv4:1.2.3.6"}},
		{"address names", "ip/1.2.3.4 from/1.2.3.5 Client/1.2.3.6", []string{"ipv4:1.2.3.4", "ipv4:1.2.3.5", "ipv4:1.2.3.6"}},
		{"path not after a release dir", "GET /lookup/1.2.3.4 /prereleases/1.2.3.5 /api/v2/1.2.3.6", []string{"ipv4:1.2.3.4", "ipv4:1.2.3.5", "ipv4:1.2.3.6"}},
		{"product after path", "GET /static/Chrome/1.2.3.4", []string{"ipv4:1.2.3.4"}},
		{"sentence end", "blocked 1.2.3.4.", []string{"ipv4:1.2.3.4"}},
	})
}

// TestIDsAreNotWords: ids that hold phone-, card- or IBAN-shaped parts
// are not touched; real numbers next to them are found.
func TestIDsAreNotWords(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	runCases(t, s, []scanCase{
		{"uuid middle", "request_id=9573b92c-0325-4711-9936-1a2b3c4d5e6f", nil},
		{"uuid head", "req 06985625-d967-3eee-53cd-701d2b9555fe done", nil},
		{"uuid upper", "00860278-2130-B298-8BE8-B00A8F366095", nil},
		{"uuid letters", "abcdefab-0325-4711-9936-abcdefabcdef", nil},
		{"hex joined", "build-0a1b-0301-2345678-ff00", nil},
		{"trace and span", "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7", nil},
		{"upper trace no key", "FA3584079B74D0C7EC431785057CBA8B AF8679691FAB8651F4D6B425D91C2CBF", nil},
		{"lower hex with a country", "span be560e15637ebb8e id de10f42a6ec7f306532a4b", nil},
		{"digit span id", "span_id=4867793418557009 parent_span_id=5570390767063526", nil},
		{"commit", "commit=0870902 git_commit=0878937593 sha: 054113725609 rev=\"0710883\"", nil},
		{"json commit", `{"commit":"0764103","X-Request-ID":"0301234567"}`, nil},
		{"postfix queue id", "postfix/smtpd[812]: 0292898515: client=mail.example.com", nil},
		{"long queue id", "postfix/qmgr[9]: 4BC3B2A0F1: from=<>, 3Xy9Zk1Qw2z: removed", nil},
		{"epoch ms", "ts=1733140800123 t=1733140800", nil},
		{"snowflake", "id=1331234567890123456 msg_id=175928847299117063", nil},
		{"order", "order=2026-000123 order_id=0301234567", nil},
		{"durations", "took=12.5ms elapsed=1h2m3s", nil},
		{"luhn-valid ids of no card network", "3177777777777777779; 477777777777777776; 27777777777777779; 517777777777771", nil},
	})
	runCases(t, s, []scanCase{
		{"phone after id", "req=9573b92c-0325-4711-9936-1a2b3c4d5e6f tel 0171-1234567", []string{"phone:0171-1234567"}},
		{"phone with word part", "Tel-0171-1234567", []string{"phone:0171-1234567"}},
		{"phone extension", "+49 30 1234567-0", []string{"phone:+49 30 1234567"}},
		{"phone key", "phone=01711234567 mobile: 0301234567", []string{"phone:01711234567", "phone:0301234567"}},
		{"card", "card=4111111111111111 pan: 4111-1111-1111-1111", []string{"card:4111111111111111", "card:4111-1111-1111-1111"}},
		{"card networks", "4222222222222; 3530111333300000; 36227206271667; 6759649826438453; 6200000000000005; 2200777777777779; 6277777777777777774",
			[]string{"card:4222222222222", "card:3530111333300000", "card:36227206271667", "card:6759649826438453",
				"card:6200000000000005", "card:2200777777777779", "card:6277777777777777774"}},
		{"iban lower", "iban=de89370400440532013000", []string{"iban:de89370400440532013000"}},
		{"iban upper unknown", "XK051212012345678906", []string{"iban:XK051212012345678906"}},
		{"iban be", "BE68539007547034", []string{"iban:BE68539007547034"}},
	})
}

// TestRandomIDsSurvive scans many random ids of each kind: none may be
// reported, in part or whole.
func TestRandomIDsSurvive(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	r := rand.New(rand.NewPCG(13, 6))
	hex := func(n int, digits string) string {
		var b strings.Builder
		for range n {
			b.WriteByte(digits[r.IntN(len(digits))])
		}
		return b.String()
	}
	const lo, up = "0123456789abcdef", "0123456789ABCDEF"
	uuid := func(d string) string {
		return hex(8, d) + "-" + hex(4, d) + "-" + hex(4, d) + "-" + hex(4, d) + "-" + hex(12, d)
	}
	gens := []struct {
		name string
		gen  func() string
	}{
		{"uuid", func() string { return "id " + uuid(lo) + " ok" }},
		{"upper uuid", func() string { return uuid(up) }},
		{"trace", func() string { return "trace_id=" + hex(32, lo) }},
		{"upper trace", func() string { return "trace " + hex(32, up) }},
		{"span", func() string { return "span_id=" + hex(16, lo) }},
		{"commit 7", func() string { return "commit=" + hex(7, lo) }},
		{"commit 12", func() string { return `"sha":"` + hex(12, lo) + `"` }},
		{"queue id", func() string { return "postfix/smtpd[1]: " + hex(10, up) + ": client=x" }},
		{"epoch ms", func() string { return fmt.Sprintf("ts=%d", 1600000000000+r.Int64N(200000000000)) }},
		{"version", func() string {
			return fmt.Sprintf("version=%d.%d.%d.%d", r.IntN(30), r.IntN(30), r.IntN(30), r.IntN(250))
		}},
	}
	for _, g := range gens {
		bad := 0
		var first string
		for range 5000 {
			text := g.gen()
			if ms := s.Scan([]byte(text), nil); len(ms) > 0 {
				if bad == 0 {
					first = strings.Join(render(text, ms), "|") + " in " + text
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of 5000 reported, first: %s", g.name, bad, first)
		}
	}
}

// TestEmailForms: an address is one match with its plus-tag or quoted
// local part; a display name is a match of its own.
func TestEmailForms(t *testing.T) {
	s := mustSet(t, only(Email))
	runCases(t, s, []scanCase{
		{"plus tag", "from first.last+shop@example.com", []string{"email:first.last+shop@example.com"}},
		{"quoted local", `rcpt "john doe"@example.com ok`, []string{`email:"john doe"@example.com`}},
		{"escaped quoted local", `{"to":"\"john doe\"@example.com"}`, []string{`email:\"john doe\"@example.com`}},
		{"display name", "To: Hannah Schwarz <h.schwarz@example.de>", []string{"email:Hannah Schwarz", "email:h.schwarz@example.de"}},
		{"quoted display name", `"Schwarz, Hannah" <h.schwarz@example.de>`, []string{"email:Schwarz, Hannah", "email:h.schwarz@example.de"}},
		{"escaped display name", `{"from":"\"Schwarz, Hannah\" <h.schwarz@example.de>"}`, []string{"email:Schwarz, Hannah", "email:h.schwarz@example.de"}},
		{"two names", `a, Hannah Schwarz <h@example.de>, Jörg Meier-Lüdenscheid <j@example.de>`,
			[]string{"email:Hannah Schwarz", "email:h@example.de", "email:Jörg Meier-Lüdenscheid", "email:j@example.de"}},
		{"at most four words", "msg=mail from Jürgen von der Heide <j@example.de>", []string{"email:Jürgen von der Heide", "email:j@example.de"}},
		{"five words", "x Anna Maria von der Heide <j@example.de>", []string{"email:Maria von der Heide", "email:j@example.de"}},
		{"glue word", "sent to Hannah <h@example.de>", []string{"email:Hannah", "email:h@example.de"}},
		{"no name after =", "from=<h@example.de> to=<x@example.org>", []string{"email:h@example.de", "email:x@example.org"}},
		{"status code is no name", "554 5.7.1 <spam@bad.example>: Relay access denied", []string{"email:spam@bad.example"}},
		{"no brackets no name", "Hannah h@example.de", []string{"email:h@example.de"}},
	})
}

// TestLookAlikesAllocateNothing: the look-alike and e-mail form checks
// keep Scan and FieldLookAlike free of allocations.
func TestLookAlikesAllocateNothing(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	in := []byte(`version=1.26.2.79 client=1.2.3.4 req 9573b92c-0325-4711-9936-1a2b3c4d5e6f commit=0870902 ` +
		`To: Hannah Schwarz <h.schwarz@example.de>, "Schwarz, Hannah" <h@example.de> "john doe"@example.com /releases/3.5.6.33/`)
	dst := make([]Match, 0, 64)
	if n := len(s.Scan(in, dst)); n != 6 {
		t.Fatalf("%d matches, want 6: %q", n, render(string(in), s.Scan(in, nil)))
	}
	if a := testing.AllocsPerRun(100, func() { dst = s.Scan(in, dst[:0]) }); a != 0 {
		t.Errorf("Scan allocates %v times per run", a)
	}
	key, val := []byte("git_commit"), []byte("0870902")
	if !FieldLookAlike(key, val) || FieldLookAlike([]byte("phone"), val) {
		t.Fatal("FieldLookAlike does not tell a commit key from a phone key")
	}
	if a := testing.AllocsPerRun(100, func() { FieldLookAlike(key, val) }); a != 0 {
		t.Errorf("FieldLookAlike allocates %v times per run", a)
	}
}
