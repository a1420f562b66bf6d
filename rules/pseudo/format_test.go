package pseudo

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// macOf returns a MAC whose leading bytes are b and the rest 0xee.
func macOf(b ...byte) [32]byte {
	var m [32]byte
	for i := range m {
		m[i] = 0xee
	}
	copy(m[:], b)
	return m
}

var seqMAC = func() (m [32]byte) {
	for i := range m {
		m[i] = byte(i*17 + 1)
	}
	return m
}()

func TestAppendHex(t *testing.T) {
	full := fmt.Sprintf("%x", seqMAC[:])
	for _, c := range []struct{ n, wantLen int }{{16, 16}, {8, 8}, {0, 8}, {-5, 8}, {9, 9}, {63, 63}, {64, 64}, {100, 64}} {
		got := AppendHex([]byte("x="), seqMAC, c.n)
		if string(got) != "x="+full[:c.wantLen] {
			t.Errorf("AppendHex(n=%d) = %q, want x=%s", c.n, got, full[:c.wantLen])
		}
	}
}

func TestAppendIPv6(t *testing.T) {
	z := func(n int) []byte { return make([]byte, n) }
	cases := []struct {
		name string
		mac  [32]byte
		want string
	}{
		{"no zeros", macOf(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77), "fd12:3456:789a:bcde:f011:2233:4455:6677"},
		{"all zero after fd", macOf(z(15)...), "fd00::"},
		{"leading zeros dropped", macOf(0x00, 0x00, 0x01, 0x00, 0x20, 0x03, 0x00, 0x00, 0x04, 0x00, 0x50, 0x06, 0x00, 0x00, 0x07), "fd00:1:20:300:4:50:600:7"},
		{"single zero group not compressed", macOf(0xab, 0x00, 0x00, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66), "fdab:0:1111:2222:3333:4444:5555:6666"},
		{"trailing run", macOf(0xab, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0, 0, 0, 0, 0, 0, 0, 0), "fdab:1111:2222:3333::"},
		{"middle run", macOf(0xab, 0x11, 0x11, 0, 0, 0, 0, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55), "fdab:1111::2222:3333:4444:5555"},
		{"longest run wins", macOf(0xab, 0, 0, 0, 0, 0x11, 0x11, 0, 0, 0, 0, 0, 0, 0x22, 0x22), "fdab:0:0:1111::2222"},
		{"first of equal runs wins", macOf(0xab, 0, 0, 0, 0, 0x11, 0x11, 0, 0, 0, 0, 0x22, 0x22, 0x33, 0x33), "fdab::1111:0:0:2222:3333"},
		{"last group only", macOf(0xab, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01), "fdab::1"},
		{"mac bytes beyond 15 ignored", macOf(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x00, 0xff), "fd12:3456:789a:bcde:f011:2233:4455:6677"},
	}
	for _, c := range cases {
		got := AppendIPv6([]byte("ip="), c.mac)
		if string(got) != "ip="+c.want {
			t.Errorf("%s: AppendIPv6 = %q, want ip=%s", c.name, got, c.want)
		}
		checkIPv6(t, c.mac)
	}
}

func TestAppendDecimal(t *testing.T) {
	maxMAC := macOf(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	zeroMAC := macOf(0, 0, 0, 0, 0, 0, 0, 0)
	cases := []struct {
		mac    [32]byte
		digits int
		want   string
	}{
		{zeroMAC, 1, "1"},
		{zeroMAC, 6, "100000"},
		{zeroMAC, 15, "100000000000000"},
		{maxMAC, 1, "7"},                // 1 + (2^64-1) mod 9 = 1 + 6
		{maxMAC, 3, "115"},              // 100 + (2^64-1) mod 900 = 100 + 15
		{maxMAC, 0, "7"},                // clamped to 1
		{maxMAC, 99, "444073709551615"}, // clamped to 15
		{seqMAC, -3, "5"},               // 1 + 0x0112233445566778 mod 9
		{seqMAC, 15, "762851027281784"}, // values from Python
		{macOf(0, 0, 0, 0, 0, 0, 0, 9), 2, "19"},
	}
	for _, c := range cases {
		got := string(AppendDecimal(nil, c.mac, c.digits))
		wantLen := min(max(c.digits, 1), 15)
		if len(got) != wantLen || got[0] == '0' || strings.Trim(got, "0123456789") != "" {
			t.Errorf("AppendDecimal(%x, %d) = %q: want %d digits, first non-zero", c.mac[:8], c.digits, got, wantLen)
		}
		if got != c.want {
			t.Errorf("AppendDecimal(%x, %d) = %q, want %q", c.mac[:8], c.digits, got, c.want)
		}
	}
	for d := 1; d <= 15; d++ {
		for _, m := range [][32]byte{zeroMAC, maxMAC, seqMAC} {
			if got := AppendDecimal([]byte("n="), m, d); len(got) != 2+d || got[2] == '0' {
				t.Errorf("AppendDecimal(%d) = %q", d, got)
			}
		}
	}
}

func TestAppendEmail(t *testing.T) {
	for _, c := range []struct {
		n      int
		domain []byte
		want   string
	}{
		{16, []byte("Example.COM"), "0112233445566778@example.com"},
		{8, []byte("mail.example.org"), "01122334@mail.example.org"},
		{16, nil, "0112233445566778"},
		{16, []byte{}, "0112233445566778"},
		{4, []byte("X\xffY"), "01122334@x\xffy"},
	} {
		if got := AppendEmail(nil, seqMAC, c.n, c.domain); string(got) != c.want {
			t.Errorf("AppendEmail(%d, %q) = %q, want %q", c.n, c.domain, got, c.want)
		}
	}
}

func TestAppendAllocs(t *testing.T) {
	dst := make([]byte, 0, 128)
	domain := []byte("Example.COM")
	fns := map[string]func(){
		"hex":     func() { AppendHex(dst, seqMAC, 16) },
		"ipv6":    func() { AppendIPv6(dst, seqMAC) },
		"decimal": func() { AppendDecimal(dst, seqMAC, 12) },
		"email":   func() { AppendEmail(dst, seqMAC, 16, domain) },
	}
	for name, fn := range fns {
		if a := testing.AllocsPerRun(200, fn); a != 0 {
			t.Errorf("%s: %v allocs, want 0", name, a)
		}
	}
}

// FuzzAppendIPv6 checks that any MAC renders as a canonical fd00::/8 address
// and that the other forms keep their length and alphabet.
func FuzzAppendIPv6(f *testing.F) {
	f.Add(make([]byte, 32), 16, 6)
	f.Add(bytes.Repeat([]byte{0xff}, 32), 64, 15)
	f.Add([]byte{0xab, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 2, 2, 3, 3}, 0, 0)
	f.Add([]byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, -1, 99)
	f.Fuzz(func(t *testing.T, b []byte, n, digits int) {
		var mac [32]byte
		copy(mac[:], b)
		checkIPv6(t, mac)
		h := AppendHex(nil, mac, n)
		if len(h) != min(max(n, 8), 64) || strings.Trim(string(h), "0123456789abcdef") != "" {
			t.Fatalf("AppendHex(%d) = %q", n, h)
		}
		d := AppendDecimal(nil, mac, digits)
		if len(d) != min(max(digits, 1), 15) || d[0] == '0' || strings.Trim(string(d), "0123456789") != "" {
			t.Fatalf("AppendDecimal(%d) = %q", digits, d)
		}
	})
}

func BenchmarkAppend(b *testing.B) {
	dst := make([]byte, 0, 128)
	domain := []byte("Example.COM")
	for _, c := range []struct {
		name string
		fn   func() []byte
	}{
		{"hex16", func() []byte { return AppendHex(dst, seqMAC, 16) }},
		{"ipv6", func() []byte { return AppendIPv6(dst, seqMAC) }},
		{"decimal12", func() []byte { return AppendDecimal(dst, seqMAC, 12) }},
		{"email16", func() []byte { return AppendEmail(dst, seqMAC, 16, domain) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dst = c.fn()[:0]
			}
		})
	}
}
