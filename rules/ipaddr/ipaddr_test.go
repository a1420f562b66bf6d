package ipaddr

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestAppendTruncated(t *testing.T) {
	cases := []struct {
		in, want string
		p        Prefix
	}{
		{"203.0.113.77", "203.0.113.0", DefaultPrefix},
		{"203.0.113.77:8080", "203.0.113.0:8080", DefaultPrefix},
		{"010.001.002.003", "10.1.2.0", DefaultPrefix},
		{"2001:DB8:ABCD:12::1", "2001:db8:abcd::", DefaultPrefix},
		{"[2001:db8:abcd:12::1]:443", "[2001:db8:abcd::]:443", DefaultPrefix},
		{"[2001:db8::1]", "[2001:db8::]", DefaultPrefix},
		{"fe80::1%eth0", "fe80::", DefaultPrefix},
		{"::ffff:192.0.2.128", "::ffff:192.0.2.0", DefaultPrefix},
		{"::FFFF:192.0.2.128", "::ffff:192.0.2.0", DefaultPrefix},
		{"::ffff:c000:0280", "::ffff:c000:200", DefaultPrefix},
		{"::1", "::", DefaultPrefix},
		{"::", "::", DefaultPrefix},
		{"1.2.3.4, 5.6.7.8,9.10.11.12", "1.2.3.0, 5.6.7.0,9.10.11.0", DefaultPrefix},
		{"1.2.3.4, 2001:db8:1:2::3", "1.2.3.0, 2001:db8:1::", DefaultPrefix},
		{"-", "-", DefaultPrefix},
		{"", "", DefaultPrefix},
		{"192.168.100.200", "192.168.96.0", Prefix{20, 44}},
		{"2001:db8:85a3::8a2e:370:7334", "2001:db8:8000::", Prefix{20, 33}},
		{"1.2.3.4", "0.0.0.0", Prefix{0, 0}},
		{"1.2.3.4", "1.2.3.4", Prefix{32, 128}},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", Prefix{32, 128}},
		{"1:0:0:2:0:0:0:3", "1:0:0:2::3", Prefix{32, 128}},
		{"1:0:0:2:3:0:0:4", "1::2:3:0:0:4", Prefix{32, 128}},
		{"1:2:3:4:5:6:0:8", "1:2:3:4:5:6:0:8", Prefix{32, 128}},
	}
	for _, c := range cases {
		got, ok := AppendTruncated(nil, []byte(c.in), c.p)
		if !ok || string(got) != c.want {
			t.Errorf("AppendTruncated(%q, %v) = %q, %v; want %q", c.in, c.p, got, ok, c.want)
		}
	}
}

func TestAppendTruncatedRejects(t *testing.T) {
	for _, in := range []string{
		"unknown", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:port", "1:2:3:4:5:6:7:8:9",
		"1::2::3", ":1", "1:", "12345::", "[::1", "::1%", "::1% bad", "1.2.3.4, x", "a b",
		"1.2.3.4/24", "::ffff:1.2.3.4.5", "1:2:3:4:5:6:7::8:9",
	} {
		got, ok := AppendTruncated([]byte("keep"), []byte(in), DefaultPrefix)
		if ok || string(got) != "keep" {
			t.Errorf("AppendTruncated(%q) = %q, %v; want rejection with dst untouched", in, got, ok)
		}
	}
}

// TestAgainstNetip checks parsing and formatting against the standard library.
func TestAgainstNetip(t *testing.T) {
	for _, s := range []string{
		"::", "::1", "1::", "2001:db8::", "2001:db8:0:0:1:0:0:1", "2001:0:0:1::1",
		"fe80::1:2:3:4", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "64:ff9b::1.2.3.4", "1:2:3:4:5:6:1.2.3.4",
	} {
		a, _, dotted, ok := ParseV6([]byte(s))
		if !ok {
			t.Fatalf("ParseV6(%q) failed", s)
		}
		want := netip.MustParseAddr(s)
		if want.As16() != a {
			t.Errorf("ParseV6(%q) = %v; want %v", s, a, want.As16())
		}
		if got := string(AppendV6(nil, a, false)); !dotted && got != want.String() {
			t.Errorf("AppendV6(%q) = %q; want %q", s, got, want.String())
		}
	}
}

func TestNext(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"Failed password for root from 203.0.113.9 port 22 ssh2", []string{"203.0.113.9"}},
		{"[client 2001:db8::80da:af6b:8b2c]:51548] x", []string{"2001:db8::80da:af6b:8b2c"}},
		{"client: 2001:db8::80da:af6b:8b2c, server: x", []string{"2001:db8::80da:af6b:8b2c"}},
		{"from ::ffff:192.0.2.7 and fe80::1%eth0.", []string{"::ffff:192.0.2.7", "fe80::1%eth0"}},
		{"/10.251.43.21:50010 got 10.0.0.1.", []string{"10.251.43.21", "10.0.0.1"}},
		{"rhost=220.82.197.48  user=root", []string{"220.82.197.48"}},
		{"Safari/537.36 v1.2.3.4 1.2.3.4.5 1.2.3.4x", nil},
		// A version that is also a valid address is matched; truncating it is harmless.
		{"Chrome/120.0.0.0 http://10.1.2.3/x", []string{"120.0.0.0", "10.1.2.3"}},
		{"Oct 11 12:34:56 std::map deadbeef 00:1a:2b:3c:4d:5e", nil},
		{"2026-11-23T10:37:02Z at 12:00", nil},
		{"listening on :: port 22 and 0.0.0.0", []string{"::", "0.0.0.0"}},
		{"ip=1.2.3.4,5.6.7.8", []string{"1.2.3.4", "5.6.7.8"}},
		{"x 2001:db8::1: y", []string{"2001:db8::1"}},
		// Full stops, then colons, after an address (found by fuzzing).
		{"x 2001:db8::7..:: y 0::1000..::", []string{"2001:db8::7", "0::1000"}},
	}
	for _, c := range cases {
		var got []string
		for from := 0; ; {
			s, e, _, ok := Next([]byte(c.text), from)
			if !ok {
				break
			}
			got = append(got, c.text[s:e])
			from = e
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Next(%q) found %q; want %q", c.text, got, c.want)
		}
	}
}

// TestOtherAnonymizersVectors runs the Matomo and VRL vectors from
// ../shared/realdata/ip_cases.tsv through truncation.
func TestOtherAnonymizersVectors(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "..", "shared", "realdata", "ip_cases.tsv"))
	if err != nil {
		t.Skipf("realdata not available (%v): skipping third-party IP vectors", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 4 {
			continue
		}
		p, ok := vectorPrefix(cols[1])
		if !ok {
			continue
		}
		got, ok := AppendTruncated(nil, []byte(cols[2]), p)
		if !ok || string(got) != cols[3] {
			t.Errorf("%s: %q → %q, %v; want %q", cols[1], cols[2], got, ok, cols[3])
		}
		n++
	}
	if n < 100 {
		t.Fatalf("only %d vectors understood", n)
	}
	t.Logf("%d third-party vectors checked", n)
}

// vectorPrefix reads the prefix a vector's options describe.
func vectorPrefix(opt string) (Prefix, bool) {
	if rest, ok := strings.CutPrefix(opt, "Matomo IP::anonymize(byteCount="); ok && !strings.Contains(opt, "bounds") {
		n, _ := strconv.Atoi(rest[:1])
		v6 := map[int]int{0: 128, 1: 64, 2: 48, 3: 24, 4: 0}[n]
		return Prefix{V4: 32 - 8*n, V6: v6}, n <= 4
	}
	if rest, ok := strings.CutPrefix(opt, `VRL ip_subnet!(value, "`); ok {
		arg := rest[:strings.IndexByte(rest, '"')]
		if n, err := strconv.Atoi(strings.TrimPrefix(arg, "/")); err == nil {
			return Prefix{V4: n, V6: n}, true
		}
		m := netip.MustParseAddr(arg)
		bits := 0
		for _, b := range m.AsSlice() {
			for ; b&0x80 != 0; b <<= 1 {
				bits++
			}
		}
		return Prefix{V4: bits, V6: bits}, true
	}
	return Prefix{}, false
}

func TestZeroAllocs(t *testing.T) {
	in := []byte("203.0.113.7, [2001:db8:abcd:1::7]:443")
	text := []byte("GET /x?ip=203.0.113.7 from 2001:db8::1 ok")
	dst := make([]byte, 0, 128)
	n := testing.AllocsPerRun(100, func() {
		dst, _ = AppendTruncated(dst[:0], in, DefaultPrefix)
		for from := 0; ; {
			_, e, _, ok := Next(text, from)
			if !ok {
				break
			}
			from = e
		}
	})
	if n != 0 {
		t.Fatalf("allocs per run = %v; want 0", n)
	}
}

func FuzzTruncate(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "[::1]:80", "::ffff:1.2.3.4", "fe80::1%en0", "a, b", ":::", "1.2.3.4:", "001-002-003-004.static.example.org", "4.3.2.1.in-addr.arpa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := AppendTruncated(nil, []byte(s), DefaultPrefix)
		if !ok {
			return
		}
		// Truncation is idempotent and never lengthens an element list.
		again, ok2 := AppendTruncated(nil, out, DefaultPrefix)
		if !ok2 || string(again) != string(out) {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, again)
		}
	})
}

func FuzzNext(f *testing.F) {
	for _, s := range []string{"from 1.2.3.4 port", "x ::1 y", "[2001:db8::1]:80", "::::::::", "1.1.1.1.1.1",
		"ip-1-2-3-4.eu-west-1.compute.internal", "p5B0C1D2E.dip0.t-ipconnect.de", "static.4.3.2.1.clients.your-server.de x 4.3.2.1.in-addr.arpa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		prev := 0
		for from := 0; ; {
			st, e, v6, ok := Next(b, from)
			if !ok {
				return
			}
			if st < prev || e <= st || e > len(b) {
				t.Fatalf("bad span [%d,%d) after %d in %q", st, e, prev, s)
			}
			tok := b[st:e]
			if v6 {
				if _, _, _, ok := ParseV6(tok); !ok {
					t.Fatalf("Next returned unparsable v6 %q", tok)
				}
			} else if _, ok := AppendTruncatedAddr(nil, tok, DefaultPrefix); !ok {
				t.Fatalf("Next returned unparsable v4 %q", tok)
			}
			prev, from = e, e
		}
	})
}

func BenchmarkAppendTruncated(b *testing.B) {
	in := []byte("2001:db8:abcd:12::1")
	dst := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = AppendTruncated(dst[:0], in, DefaultPrefix)
	}
}

func BenchmarkNext(b *testing.B) {
	text := []byte(`GET /index.php?id=42&ref=mail HTTP/1.1" 200 512 "https://example.com/a?b=c" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36" 203.0.113.9`)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		for from := 0; ; {
			_, e, _, ok := Next(text, from)
			if !ok {
				break
			}
			from = e
		}
	}
}

func TestNextPorts(t *testing.T) {
	cases := map[string][]string{
		"10.251.30.85:50010:Got exception to /10.251.90.64:": {"10.251.30.85", "10.251.90.64"},
		"to ::ffff:123.212.99.194:21 ok":                     {"::ffff:123.212.99.194"},
		"haproxy[760]: 192.168.33.1:58444 [14/Nov/2015]":     {"192.168.33.1"},
		"SSL routines::bad key share":                        nil,
	}
	for text, want := range cases {
		var got []string
		for from := 0; ; {
			s, e, _, ok := Next([]byte(text), from)
			if !ok {
				break
			}
			got, from = append(got, text[s:e]), e
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("Next(%q) found %q; want %q", text, got, want)
		}
	}
}

func TestNextHostNames(t *testing.T) {
	cases := map[string]string{
		"from (dsl-Chn-static-059.45.101.203.touchtelindia.net) at": "059.45.101.203",
		"rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root": "5.36.59.76",
		"rv:1.8.1.1pre) Gecko":       "",
		"1.2.3.4.5 and 1.2.3.4.56":   "",
		"UP.Browser/6.2.3.3.c.1.101": "6.2.3.3",
		"ip 10.1.2.3.":               "10.1.2.3",
	}
	for text, want := range cases {
		got := ""
		if s, e, _, ok := Next([]byte(text), 0); ok {
			got = text[s:e]
		}
		if got != want {
			t.Errorf("Next(%q) = %q; want %q", text, got, want)
		}
	}
}

// TestAppendV4EveryOctet checks the octet table against strconv.
func TestAppendV4EveryOctet(t *testing.T) {
	for v := range 256 {
		a := [4]byte{byte(v), 0, 255, byte(255 - v)}
		want := fmt.Sprintf("%d.0.255.%d", v, 255-v)
		if got := string(AppendV4([]byte("x"), a)); got != "x"+want {
			t.Fatalf("AppendV4(%v) = %q, want %q", a, got, "x"+want)
		}
	}
}
