package rules

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// defaultEngine compiles builtin:default with the public TestKey.
func defaultEngine(t testing.TB) *Engine {
	t.Helper()
	cfg, err := LoadConfig("builtin:default")
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// auditLines are the contexts the privacy audit of issue 13 found phone
// numbers leaking in: %s is replaced by the number.
var auditLines = []string{
	`{"level":"info","msg":"llm prompt","prompt":"Please call me back at %s tomorrow"}`,
	`level=warn msg="sms failed" to="%s" attempt=2`,
	`java.lang.IllegalStateException: no route to subscriber %s at Dialer.call(Dialer.java:42)`,
	`127.0.0.1 - - [20/Nov/2026:13:55:36 +0100] "GET /callback?lang=fr&tel=%s HTTP/1.1" 200 5 "-" "curl/8.4.0"`,
	`user said: my number is %s, thanks`,
}

// TestPhoneAuditMisses: the numbers the audit found leaking are replaced
// whole by the pseudonym of their E.164 form, in every context.
func TestPhoneAuditMisses(t *testing.T) {
	p := defaultEngine(t).NewProcessor()
	for _, c := range []struct{ number, e164 string }{
		{"(415) 971-8223", "+14159718223"},
		{"+1 312-734-1058", "+13127341058"},
		{"07 73 90 97 19", "+33773909719"},
		{"+33 6 12 34 56 78", "+33612345678"},
		{"415-971-8223", "+14159718223"},
		{"612 345 678", "+34612345678"},
		{"347 123 4567", "+393471234567"},
	} {
		encoded := `127.0.0.1 - - [20/Nov/2026:13:55:36 +0100] "GET /cb?tel=` + url.QueryEscape(c.number) + `&x=1 HTTP/1.1" 200 5 "-" "-"`
		for _, l := range append(auditLines, encoded) {
			in := strings.Replace(l, "%s", c.number, 1)
			out, _ := p.Append(nil, []byte(in), testTime)
			if strings.Contains(string(out), c.number) || strings.Contains(string(out), url.QueryEscape(c.number)) || !strings.Contains(string(out), mac(c.e164, 16)) {
				t.Errorf("%s\n got %s\nwant the pseudonym %s of %s", in, out, mac(c.e164, 16), c.e164)
			}
		}
	}
}

// TestPhoneLookAlikesKept: lines with numbers that only look like phone
// numbers pass the default rules unchanged.
func TestPhoneLookAlikesKept(t *testing.T) {
	p := defaultEngine(t).NewProcessor()
	for _, in := range []string{
		`deploy of v1.26.2.79 done on 2026-12-02 at 03:40:15 (02.12.2026), took 1733140800123 ms`,
		`order 123.456.789 costs 1.299,00 EUR, id 550e8400-e29b-41d4-a716-446655440000, listening on :8080`,
		`retry 0000 000 0000 failed after 12.5 s`,
	} {
		if out, _ := p.Append(nil, []byte(in), testTime); string(out) != in {
			t.Errorf("changed:\n  in %s\n out %s", in, out)
		}
	}
}

// TestPhoneOnePseudonym: spellings of one number get one pseudonym, and
// Engine.Pseudonym (tarn pseudonym) gives it for each spelling.
func TestPhoneOnePseudonym(t *testing.T) {
	e := defaultEngine(t)
	p := e.NewProcessor()
	want := mac("+49301234567", 16)
	for _, s := range []string{"030 1234567", "+49 30 1234567", "+49 (0)30 123 45 67", "0049 30 1234567", "030/1234567", "+4930-1234567"} {
		out, _ := p.Append(nil, []byte("call "+s+" now"), testTime)
		if string(out) != "call "+want+" now" {
			t.Errorf("%q: got %s, want %s", s, out, want)
		}
		if hex, _ := e.Pseudonym(testTime, []byte(s), 16); hex != want {
			t.Errorf("Engine.Pseudonym(%q) = %s, want %s", s, hex, want)
		}
	}
}

// TestPhoneRegionsKey: detect.phone.regions survives extends and limits
// national spellings to its regions.
func TestPhoneRegionsKey(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rules.yaml")
	doc := "extends: [\"builtin:default\"]\ndetect:\n  phone:\n    regions: [US]\n"
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	in := "us (415) 971-8223 de 030 1234567 fr +33 6 12 34 56 78"
	want := "us " + mac("+14159718223", 16) + " de 030 1234567 fr " + mac("+33612345678", 16)
	if out, _ := e.NewProcessor().Append(nil, []byte(in), testTime); string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

// TestPhoneRegionsErrors: unknown region codes are reported with file,
// line and index, all at once.
func TestPhoneRegionsErrors(t *testing.T) {
	doc := "detect:\n  phone:\n    regions:\n      - DE\n      - XX\n      - fr\n"
	_, err := ParseConfig("rules.yaml", []byte(doc))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"rules.yaml:5: detect.phone.regions[1]: ", "rules.yaml:6: detect.phone.regions[2]: ", "unknown phone region"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := Compile(&Config{Detect: Detect{Phone: &PhoneDetect{Regions: []PhoneRegion{"XX"}}}}, TestKey); err == nil {
		t.Error("Compile accepted region XX")
	}
}
