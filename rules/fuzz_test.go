package rules

import (
	"bytes"
	"testing"

	"github.com/tarn-project/tarn/rules/format"
)

// FuzzProcess runs arbitrary lines through the default rules in every
// format: no panic, no newline added, deterministic output, and none of
// the input's addresses that the independent checker finds survives.
func FuzzProcess(f *testing.F) {
	for _, s := range []string{
		clf, `{"time":"2026-11-20T13:00:00Z","user":{"email":"a@b.example"},"ip":"192.0.2.7"}`,
		`level=info user=bob msg="from 192.0.2.7" x`, "Nov 20 sshd[1]: from 2001:db8::1 port 22",
		"", "\x00\xff\xfe", `{"a":[` + string(bytes.Repeat([]byte("["), 100)), `a="unterminated`,
		`1.2.3.4 - - [20/Nov/2026:13:55:36 +0100] "GET /?q=%2B49+30+1234567&e=x%40y.example HTTP/1.1" 200 1`,
		`2026-11-20T13:00:00.5Z stdout P user=bob ip=192.0.2.7 `,
		`{"log":"from 192.0.2.7 \"bob@example.org\"\n","stream":"stderr","time":"2026-11-20T13:00:00Z"}`,
		`level=info version=1.26.2.79 commit=0870902 client=192.0.2.7 from=first.last+shop@example.com`,
		`{"app_version":"2.15.3.12","request_id":"9573b92c-0325-4711-9936-1a2b3c4d5e6f","ip":"192.0.2.8"}`,
		`To: Hannah Schwarz <h.schwarz@example.de>, "Schwarz, Hannah" <h@example.de> "john doe"@example.com`,
		`GET /releases/3.5.6.33/x?to=a+b%40example.com HTTP/1.1 X-Forwarded-For: 192.0.2.9`,
	} {
		for fm := range uint8(8) {
			f.Add(s, fm)
		}
	}
	eng := defaultEngine(f)
	p := eng.NewProcessor()
	f.Fuzz(func(t *testing.T, line string, fm uint8) {
		in := []byte(line)
		form := format.Format(fm % 8)
		out, res := p.AppendAs(nil, in, form, testTime)
		if res.Reason != Kept {
			return
		}
		if bytes.Count(out, []byte("\n")) > bytes.Count(in, []byte("\n")) {
			t.Fatalf("a newline was added: %q → %q", in, out)
		}
		again, _ := eng.NewProcessor().AppendAs(nil, in, form, testTime)
		if !bytes.Equal(out, again) {
			t.Fatalf("not deterministic: %q → %q / %q", in, out, again)
		}
		// Every untruncated address the independent checker sees in the
		// input must be gone from the output.
		inAddrs := map[string]bool{}
		for _, a := range leakedAddresses(in) {
			inAddrs[a] = true
		}
		for _, a := range leakedAddresses(out) {
			if inAddrs[a] {
				t.Fatalf("address %q survived in %q (input %q)", a, out, in)
			}
		}
	})
}
