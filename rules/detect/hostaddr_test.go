package detect

import "testing"

// TestHostAddrs: an IPv4 address carried by a host name's first labels is
// one ipv4 match over those labels, the domain after it is left alone; the
// look-alikes next to them are not matched.
func TestHostAddrs(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	runCases(t, s, []scanCase{
		{"dashed", "connect from 1-2-3-4.dyn.example.net[1.2.3.4]", []string{"ipv4:1-2-3-4", "ipv4:1.2.3.4"}},
		{"prefixed", "node ip-10-0-12-7.eu-west-1.compute.internal ready", []string{"ipv4:ip-10-0-12-7"}},
		{"zero padded", "rhost=001-002-003-004.static.example.org", []string{"ipv4:001-002-003-004"}},
		{"hex", "from p5B0C1D2E.dip0.t-ipconnect.de: auth", []string{"ipv4:p5B0C1D2E"}},
		{"reversed", "static.4.3.2.1.clients.your-server.de", []string{"ipv4:static.4.3.2.1"}},
		{"arpa", "PTR 4.3.2.1.in-addr.arpa.", []string{"ipv4:4.3.2.1.in-addr.arpa"}},
		{"url", "Referer: https://p5B0C1D2E.dip0.t-ipconnect.de/x", []string{"ipv4:p5B0C1D2E"}},
		{"look-alikes", "version=1.2.3.4 Chrome/120.0.0.0 on 2026-12-02 tag v1-2-3 req 9573b92c-0325-4711-9936-1a2b3c4d5e6f commit 1a2b3c4d.", nil},
		{"hex ids", "sha 5b0c1d2e.tar.gz trace 1a2b3c4d5e6f7a8b.example.com build x5b0c1d2e.local", nil},
	})
}
