package rules

import (
	"strings"
	"testing"

	"github.com/tarn-project/tarn/rules/format"
)

// lookAlikeCase is a line, the values that must survive it unchanged and
// the values that must be gone from the output.
type lookAlikeCase struct {
	name   string
	format format.Format
	line   string
	keep   []string
	gone   []string
}

// TestLookAlikesThroughTheRules runs lines through the default rules: the
// look-alikes stay byte for byte, the real identifiers next to them are
// replaced.
func TestLookAlikesThroughTheRules(t *testing.T) {
	eng := defaultEngine(t)
	const uuid = "9573b92c-0325-4711-9936-1a2b3c4d5e6f"
	for _, tc := range []lookAlikeCase{
		{"logfmt version", format.Logfmt, `level=info version=1.26.2.79 ver=2.1.0.7 client=192.0.2.7 commit=0870902 phone=01711234567`,
			[]string{"version=1.26.2.79", "ver=2.1.0.7", "commit=0870902"}, []string{"192.0.2.7", "01711234567"}},
		{"json version", format.JSON, `{"app_version":"2.15.3.12","trace_id":"FA3584079B74D0C7EC431785057CBA8B","ip":"192.0.2.7"}`,
			[]string{`"2.15.3.12"`, "FA3584079B74D0C7EC431785057CBA8B"}, []string{"192.0.2.7"}},
		{"json uuid", format.JSON, `{"request_id":"` + uuid + `","msg":"req ` + uuid + ` from 192.0.2.8"}`,
			[]string{`"request_id":"` + uuid + `"`, "req " + uuid + " from"}, []string{"192.0.2.8"}},
		{"text release", format.Text, `GET /releases/3.5.6.33/tarn.tar.gz from 192.0.2.9 ua=okhttp/4.12.0 Chrome/124.0.6367.91`,
			[]string{"/releases/3.5.6.33/", "okhttp/4.12.0", "Chrome/124.0.6367.91"}, []string{"192.0.2.9"}},
		{"text ids", format.Text, `postfix/smtpd[812]: 0292898515: client=x[192.0.2.10] span_id=4867793418557009 took 12.5ms ts=1733140800123 call 0171-1234567`,
			[]string{"0292898515:", "span_id=4867793418557009", "12.5ms", "1733140800123"}, []string{"192.0.2.10", "0171-1234567"}},
		{"forwarded", format.Text, `version=1.26.2.79 X-Forwarded-For: 198.51.100.23, [192.0.2.11]`,
			[]string{"version=1.26.2.79"}, []string{"198.51.100.23", "192.0.2.11"}},
		{"plus tag", format.Text, `from=<first.last+shop@example.com> and x first.last+shop@example.com`,
			nil, []string{"first.last", "shop", "example.com"}},
		{"plus tag logfmt", format.Logfmt, `level=info from=first.last+shop@example.com`,
			nil, []string{"first.last", "shop@"}},
		{"display names", format.Text, `To: Hannah Schwarz <h.schwarz@example.de>, "Schwarz, Hannah" <h.schwarz@example.de>`,
			[]string{"To: ", `, "`, `" <`}, []string{"Hannah", "Schwarz", "h.schwarz"}},
		{"json display name", format.JSON, `{"to":"\"Schwarz, Hannah\" <h.schwarz@example.de>","cc":"\"john doe\"@example.com"}`,
			nil, []string{"Hannah", "Schwarz", "h.schwarz", "john", "doe"}},
		{"version key does not hide an address", format.Logfmt, `level=info version="1.2.3.4 from 192.0.2.12" commit="a@b.example"`,
			nil, []string{"192.0.2.12", "a@b.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, res := eng.NewProcessor().AppendAs(nil, []byte(tc.line), tc.format, testTime)
			if res.Reason != Kept {
				t.Fatalf("dropped: %v", res.Reason)
			}
			for _, k := range tc.keep {
				if !strings.Contains(string(out), k) {
					t.Errorf("%q was changed:\n in: %s\nout: %s", k, tc.line, out)
				}
			}
			for _, g := range tc.gone {
				if strings.Contains(string(out), g) {
					t.Errorf("%q survived:\n in: %s\nout: %s", g, tc.line, out)
				}
			}
		})
	}
}
