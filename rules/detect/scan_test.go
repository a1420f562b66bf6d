package detect

import (
	"bytes"
	"strings"
	"testing"
)

// sampleRequest is a typical request URI, referer and user agent.
const sampleRequest = `/shop/checkout.php?item=12345&qty=2&session_id=a8f5f167f44f4964e6c998dee827110c&lang=de ` +
	`https://www.example.com/products/view?id=987&ref=newsletter ` + chromeUA

// sampleSyslog is about 1 KB of syslog text.
var sampleSyslog = strings.Repeat(`Nov 23 08:15:30 web01 sshd[4711]: Accepted publickey for deploy from 198.51.100.23 port 52814 ssh2
Nov 23 08:15:31 web01 postfix/smtpd[812]: connect from mail.example.net[203.0.113.5]
Nov 23 08:15:32 web01 app[99]: user alice@example.com logged in, session=3f2504e04f8911d3 took 12ms
Nov 23 08:15:33 web01 kernel: [12345.678901] eth0: link up, 1000 Mbps, full duplex
`, 3)[:1024]

// checkMatches fails unless ms are in bounds, non-empty, sorted and
// non-overlapping.
func checkMatches(t testing.TB, n int, ms []Match) {
	t.Helper()
	prev := 0
	for i, m := range ms {
		if m.Start < prev || m.End <= m.Start || m.End > n || m.Kind >= NumKinds {
			t.Fatalf("match %d %+v is out of order or bounds (previous end %d, len %d)", i, m, prev, n)
		}
		prev = m.End
	}
}

// fuzzSet has every kind and a custom pattern.
func fuzzSet(t testing.TB) *Set {
	c := DefaultConfig()
	c.Patterns = []Pattern{{Name: "order", Regex: `order-(\d+)`}, {Name: "cust", Regex: `C\d{3,}`}}
	return mustSet(t, c)
}

func FuzzScan(f *testing.F) {
	for _, seed := range []string{
		"", "\x00", "\xff\xfe@\xc3(", sampleRequest, sampleSyslog, "a@b.cc", "x%40y.com", "+49 30 1234567",
		"(030) 123 456 78", "DE89 3704 0044 0532 0130 00", "4111 1111 1111 1111", jwtHS256, jwtNone,
		"Authorization: Bearer abcdefgh1", "https://u:p@h/?token=t&password=p", "::ffff:1.2.3.4",
		"[fe80::1%eth0]:80", "order-12 C1234", "@@@%40%40::::..", `{"pwd":"a\"b"}`,
		"version=1.26.2.79 client=1.2.3.4", `{"app_version":"2.15.3.12"}`, "/releases/3.5.6.33/ Chrome/124.0.6367.91",
		"9573b92c-0325-4711-9936-1a2b3c4d5e6f", "06985625-d967-3eee-53cd-701d2b9555fe", "commit=0870902 ",
		"postfix/smtpd[1]: 0292898515: x", "FA3584079B74D0C7EC431785057CBA8B", "be560e15637ebb8e",
		"first.last+shop@example.com", `"john doe"@example.com`, `\"j\"@example.com`, `""@x.io "@x.io`,
		"To: Hannah Schwarz <h.schwarz@example.de>", `"Schwarz, Hannah" <h.schwarz@example.de>`,
		`\"Schwarz, Hannah\" <h@example.de>`, "<a@b.de> <<a@b.de>> \"<a@b.de>",
	} {
		f.Add([]byte(seed))
	}
	s := fuzzSet(f)
	one := mustSet(f, only(Email))
	f.Fuzz(func(t *testing.T, text []byte) {
		ms := s.Scan(text, nil)
		checkMatches(t, len(text), ms)
		again := s.Scan(text, make([]Match, 1, 8))
		if len(again) != len(ms)+1 {
			t.Fatalf("second scan found %d matches, first %d", len(again)-1, len(ms))
		}
		for i, m := range ms {
			if again[i+1] != m {
				t.Fatalf("scan is not deterministic: %+v != %+v", again[i+1], m)
			}
		}
		for _, m := range one.Scan(text, nil) {
			if m.Kind != Email {
				t.Fatalf("disabled kind %v found", m.Kind)
			}
		}
	})
}

// pathological are repeated to build inputs that would make a careless
// scanner quadratic.
var pathological = []string{
	"@", ":", "0", "%40", "a%40", "a@", "x%40y.com ", "1.", "1:", "eyJ", "eyJhbGciOiJIUzI1NiIsInR5cCI6.", "a.",
	"+4", "0 ", "(0", "DE89", "4111 ", "bearer ", "basic +", "authorization:", "password=",
	"token:\"", "://", "://a@", "=", "\"", "a", "\x00\xff",
	"a <", "A <x@y.de>", "\"@x.io ", "\\\"", "-0301234567", "0301234567-a", "version=1.2.3.4 ", "Chrome/1.2.3.4 ",
	"/v/1.2.3.4", "a-", "commit=0301234567 ",
}

// TestLinearTime scans 10 MB of each pathological input with every kind,
// and 1 MB with each kind alone (a kind's matches must not hide another
// kind's rescans). A quadratic scanner makes it time out.
func TestLinearTime(t *testing.T) {
	big, small := 10<<20, 1<<20
	if testing.Short() {
		big, small = 1<<20, 64<<10
	}
	sets := []*Set{fuzzSet(t)}
	for k := Kind(0); k < Custom; k++ {
		sets = append(sets, mustSet(t, only(k)))
	}
	for i, s := range sets {
		size := small
		if i == 0 {
			size = big
		}
		for _, unit := range pathological {
			text := bytes.Repeat([]byte(unit), size/len(unit))
			checkMatches(t, len(text), s.Scan(text, nil))
		}
	}
}

func TestScanAllocs(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	dst := make([]Match, 0, 64)
	for _, text := range []string{sampleRequest, sampleSyslog} {
		in := []byte(text)
		if n := len(s.Scan(in, dst)); n == 0 {
			t.Fatalf("no matches in sample %.20q...", text)
		}
		if a := testing.AllocsPerRun(100, func() { dst = s.Scan(in, dst[:0]) }); a != 0 {
			t.Errorf("Scan allocates %v times per run", a)
		}
	}
}

func TestAppendsToDst(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	dst := []Match{{Kind: Custom, Start: 1, End: 2}}
	got := s.Scan([]byte("a@b.cc"), dst)
	if len(got) != 2 || got[0] != dst[0] || got[1] != (Match{Kind: Email, Start: 0, End: 6}) {
		t.Errorf("Scan = %+v", got)
	}
	if got := s.Scan(nil, nil); len(got) != 0 {
		t.Errorf("Scan(nil) = %+v", got)
	}
}

// benchScan benchmarks s over text.
func benchScan(b *testing.B, s *Set, text string) {
	in := []byte(text)
	dst := make([]Match, 0, 64)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		dst = s.Scan(in, dst[:0])
	}
}

func BenchmarkScanRequest(b *testing.B) { benchScan(b, mustSet(b, DefaultConfig()), sampleRequest) }
func BenchmarkScanSyslog(b *testing.B)  { benchScan(b, mustSet(b, DefaultConfig()), sampleSyslog) }
func BenchmarkScanSyslogCustom(b *testing.B) {
	benchScan(b, fuzzSet(b), sampleSyslog)
}

// BenchmarkScanShort scans the short values Scan is called with most: a
// status-like string, a request URI, a referer and a user agent.
func BenchmarkScanShort(b *testing.B) {
	s := mustSet(b, DefaultConfig())
	for _, c := range []struct{ name, text string }{
		{"status6", "200 OK"},
		{"uri50", "/shop/checkout.php?item=12345&qty=2&lang=de&page=3"},
		{"referer50", "https://www.example.com/products/view?id=987&r=nl"},
		{"ua120", chromeUA},
	} {
		b.Run(c.name, func(b *testing.B) { benchScan(b, s, c.text) })
	}
}
