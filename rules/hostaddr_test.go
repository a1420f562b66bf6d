package rules

import (
	"testing"

	"github.com/tarn-project/tarn/rules/format"
)

// TestHostAddrsThroughTheRules runs lines with IPv4 addresses inside host
// names through the default rules: the labels holding the address become
// the truncated address, the domain is kept, look-alikes stay.
func TestHostAddrsThroughTheRules(t *testing.T) {
	eng := defaultEngine(t)
	for _, tc := range []struct {
		name      string
		format    format.Format
		line, out string
	}{
		{"combined remote_host", format.Combined,
			`p5B0C1D2E.dip0.t-ipconnect.de - - [02/Dec/2026:03:00:00 +0000] "GET /a HTTP/1.1" 200 5 "https://ip-1-2-3-4.eu-west-1.compute.internal/x" "curl/8.0"`,
			`91.12.29.0.dip0.t-ipconnect.de - - [02/Dec/2026:03:00:00 +0000] "GET /a HTTP/1.1" 200 5 "https://1.2.3.0.eu-west-1.compute.internal/x" "curl/8.0"`},
		{"combined dashed remote_host", format.Combined,
			`001-002-003-004.static.example.org - - [02/Dec/2026:03:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"`,
			`1.2.3.0.static.example.org - - [02/Dec/2026:03:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"`},
		{"free text", format.Text,
			`sshd[1]: reverse mapping checking getaddrinfo for 1-2-3-4.dyn.example.net, static.4.3.2.1.clients.your-server.de and 4.3.2.1.in-addr.arpa failed`,
			`sshd[1]: reverse mapping checking getaddrinfo for 1.2.3.0.dyn.example.net, 1.2.3.0.clients.your-server.de and 0.3.2.1.in-addr.arpa failed`},
		{"look-alikes", format.Text,
			`version=1.2.3.4 Chrome/120.0.0.0 on 2026-12-02 tag v1-2-3 req 9573b92c-0325-4711-9936-1a2b3c4d5e6f commit 1a2b3c4d.`,
			`version=1.2.3.4 Chrome/120.0.0.0 on 2026-12-02 tag v1-2-3 req 9573b92c-0325-4711-9936-1a2b3c4d5e6f commit 1a2b3c4d.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, res := eng.NewProcessor().AppendAs(nil, []byte(tc.line), tc.format, testTime)
			if res.Reason != Kept {
				t.Fatalf("dropped: %v", res.Reason)
			}
			if string(out) != tc.out {
				t.Errorf("\n in: %s\nout: %s\nwant %s", tc.line, out, tc.out)
			}
		})
	}
}
