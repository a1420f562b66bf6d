package ipaddr

import (
	"strings"
	"testing"
)

// TestNextHostAddrs: an address carried by the first labels of a host name
// is found with the span of those labels; look-alikes are not.
func TestNextHostAddrs(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"from 1-2-3-4.dyn.example.net.", []string{"1-2-3-4"}},
		{"host=ip-10-0-12-7.eu-west-1.compute.internal ok", []string{"ip-10-0-12-7"}},
		{"(001-002-003-004.static.example.org)", []string{"001-002-003-004"}},
		{"rhost=p5B0C1D2E.dip0.t-ipconnect.de user=x", []string{"p5B0C1D2E"}},
		{"https://5b0c1d2e.dyn.example.com/x", []string{"5b0c1d2e"}},
		{"static.4.3.2.1.clients.your-server.de", []string{"static.4.3.2.1"}},
		{"PTR 4.3.2.1.in-addr.arpa. ok", []string{"4.3.2.1.in-addr.arpa"}},
		// Look-alikes: dates, tags, UUIDs, commit ids, file names, versions.
		{"on 2026-12-02 tag v1-2-3 rel-1-2-3 v1-2-3-4.example.com", nil},
		{"req 9573b92c-0325-4711-9936-1a2b3c4d5e6f commit 1a2b3c4d.", nil},
		{"1a2b3c4d.tar.gz 5b0c1d2e.log.gz x5b0c1d2e.example deadbeef12.example.com", nil},
		{"1-2-3-4.example x-1-2-3-4.b.c1 1-2-3-456.a.example.com 1-2-3-4-5.a.example.com", nil},
		{"a.1-2-3-4.dyn.example.net _p5B0C1D2E.dip0.t-ipconnect.de", nil},
		{"3.2.1.in-addr.arpa 4.3.2.1.in-addr.arpas", []string{"4.3.2.1"}},
	}
	for _, c := range cases {
		var got []string
		for from := 0; ; {
			s, e, v6, ok := Next([]byte(c.text), from)
			if !ok {
				break
			}
			if v6 {
				t.Errorf("Next(%q): %q is v6", c.text, c.text[s:e])
			}
			got = append(got, c.text[s:e])
			from = e
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Next(%q) found %q; want %q", c.text, got, c.want)
		}
	}
}

// TestTruncateHostAddrs: a host-name span, or a whole host name, becomes
// the truncated address; the domain is kept.
func TestTruncateHostAddrs(t *testing.T) {
	cases := map[string]string{
		"1-2-3-4":                               "1.2.3.0",
		"ip-1-2-3-4":                            "1.2.3.0",
		"001-002-003-004":                       "1.2.3.0",
		"p5B0C1D2E":                             "91.12.29.0",
		"static.4.3.2.1":                        "1.2.3.0",
		"4.3.2.1.in-addr.arpa":                  "0.3.2.1.in-addr.arpa",
		"4.3.2.1.IN-ADDR.ARPA":                  "0.3.2.1.IN-ADDR.ARPA",
		"p5B0C1D2E.dip0.t-ipconnect.de":         "91.12.29.0.dip0.t-ipconnect.de",
		"ip-1-2-3-4.eu-west-1.compute.internal": "1.2.3.0.eu-west-1.compute.internal",
		"static.4.3.2.1.clients.your-server.de": "1.2.3.0.clients.your-server.de",
		"059.45.101.203.dsl.example.net":        "59.45.101.0.dsl.example.net",
		"1-2-3-4.dyn.example.net:8080":          "1.2.3.0.dyn.example.net:8080",
	}
	for in, want := range cases {
		got, ok := AppendTruncated(nil, []byte(in), DefaultPrefix)
		if !ok || string(got) != want {
			t.Errorf("AppendTruncated(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"mail.example.com", "1-2-3-4.example", "deadbeef.tar.gz", "2026-12-02.log", "v1-2-3-4.example.com", "3.2.1.in-addr.arpa"} {
		if got, ok := AppendTruncated(nil, []byte(in), DefaultPrefix); ok {
			t.Errorf("AppendTruncated(%q) = %q; want no address", in, got)
		}
	}
}

func TestHostAddrsZeroAllocs(t *testing.T) {
	text := []byte("from ip-1-2-3-4.eu-west-1.compute.internal p5B0C1D2E.dip0.t-ipconnect.de 4.3.2.1.in-addr.arpa")
	dst := make([]byte, 0, 128)
	n := testing.AllocsPerRun(100, func() {
		for from := 0; ; {
			s, e, _, ok := Next(text, from)
			if !ok {
				break
			}
			dst, _ = AppendTruncatedAddr(dst[:0], text[s:e], DefaultPrefix)
			from = e
		}
	})
	if n != 0 {
		t.Fatalf("allocs per run = %v; want 0", n)
	}
}
