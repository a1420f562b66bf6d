package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/profiles"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// load merges a rules document given as YAML.
func load(t *testing.T, yaml string) *rules.Config {
	t.Helper()
	c, err := rules.ParseConfig("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if c, err = rules.Merge(c, "test.yaml"); err != nil {
		t.Fatal(err)
	}
	return c
}

func builtin(t *testing.T, name string) *rules.Config {
	t.Helper()
	c, err := rules.LoadConfig(rules.BuiltinPrefix + name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func render(t *testing.T, c *rules.Config, o Options) string {
	t.Helper()
	b, err := Render(c, o)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", name, got)
	}
}

func TestGoldenDefault(t *testing.T) {
	c := builtin(t, "default")
	for _, lang := range Langs {
		for _, format := range Formats {
			b, err := Render(c, Options{Lang: lang, Format: format})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "default."+lang+"."+format+".golden", b)
		}
	}
	b, err := RecordWith(c, Options{Recipients: []string{"loki"}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "default.record.json.golden", b)
}

func TestIPSentence(t *testing.T) {
	c := builtin(t, "default")
	for lang, want := range map[string]string{
		"de": "IP-Adressen werden vor jeder Speicherung auf die ersten 24 Bit (IPv4) bzw. 48 Bit (IPv6) gekürzt",
		"en": "IP addresses are truncated to their first 24 bits (IPv4) or 48 bits (IPv6) before they are stored",
	} {
		if got := render(t, c, Options{Lang: lang}); !strings.Contains(got, want) {
			t.Errorf("%s: no %q in\n%s", lang, want, got)
		}
	}
}

// change is a rule changed against builtin:default and what the text
// must then say (want) and no longer say (gone).
type change struct {
	name, yaml, lang string
	want, gone       []string
}

var changes = []change{
	{"retention 72h de", "retention: {max_age: 72h}", "de",
		[]string{"höchstens 72 Stunden aufbewahrt"}, []string{"7 Tage"}},
	{"retention 72h en", "retention: {max_age: 72h}", "en",
		[]string{"at most 72 hours"}, []string{"7 days"}},
	{"prefix 16 de", "truncate_ip: {ipv4_prefix: 16}", "de",
		[]string{"auf die ersten 16 Bit (IPv4) bzw. 48 Bit (IPv6) gekürzt", "aus 203.0.113.77 wird z.\u00a0B. 203.0.0.0"}, []string{"24 Bit"}},
	{"prefix 16 en", "truncate_ip: {ipv4_prefix: 16}", "en",
		[]string{"their first 16 bits (IPv4) or 48 bits (IPv6)"}, []string{"24 bits"}},
	{"backups de", "retention: {backup_max_age: 21d}", "de",
		[]string{"Sicherungen werden höchstens 21 Tage aufbewahrt."}, nil},
	{"backups en", "retention: {backup_max_age: 21d}", "en",
		[]string{"Backups are kept for at most 21 days."}, nil},
	{"weekly de", "pseudonyms: {rotation: weekly}", "de",
		[]string{"Die Schlüssel wechseln wöchentlich"}, []string{"täglich"}},
	{"never en", "pseudonyms: {rotation: never}", "en",
		[]string{"The keys do not change, so the same value always gets the same pseudonym."}, []string{"change daily"}},
	{"remote_addr kept", "fields: {remote_addr: keep, http_x_forwarded_for: keep}", "en",
		[]string{"IP addresses in the applications' log files are truncated",
			"IP addresses, dates and times, status codes, and response sizes are stored unchanged."}, nil},
	{"user agent generalized de", "fields: {http_user_agent: generalize_user_agent}", "de",
		[]string{"User-Agents werden auf Browserfamilie und Hauptversion, Betriebssystem und Geräteklasse reduziert."}, nil},
	{"query stripped en", "fields: {request_uri: {strip_query: {allow: [page, Lang], pseudonymize: [sid]}}}", "en",
		[]string{"Requested URLs are stored without query parameters, except for the parameters lang, page and sid.",
			"The values of the parameters sid are replaced by pseudonyms."}, nil},
	{"coarsened time de", "fields: {time_local: {coarsen_time: {to: hour}}}", "de",
		[]string{"Datum und Uhrzeit werden auf die volle Stunde abgerundet."}, nil},
	{"masked en", "keys: {phone: {mask: {keep_last: 2}}}", "en",
		[]string{"Phone numbers are masked except for the last 2 characters."}, nil},
	{"unparsed dropped de", "on_unparsed: drop", "de",
		[]string{"Nicht erkannte Log-Zeilen werden nicht gespeichert."}, []string{"nicht erkannte Log-Zeilen werden vor"}},
	{"nothing scrubbed en", "scrub_unknown: false", "en",
		[]string{"all other fields are stored unchanged"}, []string{"all other text fields"}},
	{"detectors en", "detect: {actions: {ipv4: {truncate_ip: {ipv4_prefix: 8}}, email: redact, phone: off}}", "en",
		[]string{"IP addresses are truncated to their first 8 bits (IPv4) or 48 bits (IPv6); IBANs,",
			"; e-mail addresses, payment card numbers, and passwords and other secrets are removed."}, []string{"phone numbers, IBANs"}},
	{"aggregates de", "aggregate: {k_anonymity: 5, window: 5m}", "de",
		[]string{"Länger aufbewahrt werden nur zusammengefasste Statistiken:", "je 5 Minuten und Website",
			"mindestens 5 verschiedenen Besuchern aufgerufen wurde (k-Anonymität mit k = 5)",
			"Diese Statistiken enthalten keine personenbezogenen Daten."}, nil},
	{"api aggregates en", "aggregate: {visitors: false, api: {group_by: [service, endpoint], key_field: client}}", "en",
		[]string{"grouped by service and endpoint and by a pseudonym of client"},
		[]string{"different visitors per day", "contain no personal data"}},
}

func TestRuleChangesChangeText(t *testing.T) {
	base := map[string]string{"de": render(t, builtin(t, "default"), Options{Lang: "de"}),
		"en": render(t, builtin(t, "default"), Options{Lang: "en"})}
	for _, ch := range changes {
		t.Run(ch.name, func(t *testing.T) {
			got := render(t, load(t, "extends: [builtin:default]\n"+ch.yaml), Options{Lang: ch.lang})
			for _, w := range ch.want {
				if !strings.Contains(got, w) {
					t.Errorf("no %q in\n%s", w, got)
				}
				if strings.Contains(base[ch.lang], w) {
					t.Errorf("%q already in the default text", w)
				}
			}
			for _, g := range ch.gone {
				if strings.Contains(got, g) {
					t.Errorf("still %q in\n%s", g, got)
				}
			}
		})
	}
}

// noPseudonyms is a rule set that writes no pseudonym anywhere.
const noPseudonyms = `
format: combined
fields: {remote_addr: truncate_ip, remote_user: redact, remote_ident: redact}
detect:
  actions: {email: redact, phone: redact, iban: redact, jwt: redact, auth: redact, token: redact, address: redact}
`

func TestKeySentenceOnlyWithPseudonyms(t *testing.T) {
	c := load(t, noPseudonyms)
	for lang, sentence := range map[string]string{"de": "Die Schlüssel wechseln täglich", "en": "The keys change daily"} {
		if got := render(t, c, Options{Lang: lang}); strings.Contains(got, sentence) || strings.Contains(got, "HMAC") {
			t.Errorf("%s: key sentence without pseudonyms:\n%s", lang, got)
		}
		if got := render(t, builtin(t, "default"), Options{Lang: lang}); !strings.Contains(got, sentence) {
			t.Errorf("%s: no %q in the default text", lang, sentence)
		}
	}
	got := render(t, load(t, noPseudonyms+"metadata: {client: remote_addr}\n"), Options{Lang: "de"})
	if !strings.Contains(got, "Die Schlüssel wechseln täglich") || !strings.Contains(got, "Pseudonyme folgender Angaben beigefügt: IP-Adresse.") {
		t.Errorf("metadata pseudonyms not described:\n%s", got)
	}
}

func TestSources(t *testing.T) {
	common := render(t, load(t, "format: common\n"), Options{})
	if strings.Contains(common, "user agent") || strings.Contains(common, "applications") || !strings.Contains(common, "- requested URL") {
		t.Errorf("common format:\n%s", common)
	}
	app := render(t, load(t, "format: json\nkeys: {email: pseudonymize, password: redact}\n"), Options{Lang: "de"})
	for _, w := range []string{"Die Anwendungen, auf denen diese Website beruht", "insbesondere E-Mail-Adressen sowie Passwörter und andere Zugangsdaten",
		"E-Mail-Adressen werden durch Pseudonyme ersetzt."} {
		if !strings.Contains(app, w) {
			t.Errorf("no %q in\n%s", w, app)
		}
	}
	if strings.Contains(app, "Webserver") {
		t.Errorf("json logs described as web-server logs:\n%s", app)
	}
	text := render(t, load(t, "format: text\n"), Options{})
	if !strings.Contains(text, "Log lines are searched for personal data") {
		t.Errorf("text format:\n%s", text)
	}
}

func TestHTMLEscapesRuleText(t *testing.T) {
	c := load(t, "extends: [builtin:default]\nname: \"<script>alert(1)</script>\"\nversion: \"1<b>\"\ndescription: \"<script>x</script>\"\n")
	for _, lang := range Langs {
		h := render(t, c, Options{Lang: lang, Format: "html"})
		if strings.Contains(h, "<script>") || strings.Contains(h, "<b>") || !strings.Contains(h, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: not escaped:\n%s", lang, h)
		}
		md := render(t, c, Options{Lang: lang, Format: "md"})
		if strings.Contains(md, "<script>") || !strings.Contains(md, `\<script\>`) {
			t.Errorf("%s: markdown not escaped:\n%s", lang, md)
		}
	}
	rec, err := Record(c)
	if err != nil || !strings.Contains(string(rec), `\u003cscript\u003ex`) {
		t.Errorf("record: %v\n%s", err, rec)
	}
}

func TestTextIsWrapped(t *testing.T) {
	for _, lang := range Langs {
		out := render(t, builtin(t, "default"), Options{Lang: lang, Format: "text"})
		for _, line := range strings.Split(out, "\n") {
			if utf8.RuneCountInString(line) > width {
				t.Errorf("%s: line longer than %d: %q", lang, width, line)
			}
		}
	}
}

func TestEveryBuiltinRenders(t *testing.T) {
	for _, name := range profiles.Names() {
		c := builtin(t, name)
		for _, lang := range Langs {
			for _, format := range Formats {
				out := render(t, c, Options{Lang: lang, Format: format, Recipients: []string{"loki", "file", "s3"}})
				if strings.Contains(out, "%!") || strings.Contains(out, "  ") && format != "text" {
					t.Errorf("%s %s %s: formatting error:\n%s", name, lang, format, out)
				}
			}
		}
		if _, err := Record(c); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRecipients(t *testing.T) {
	out := render(t, builtin(t, "default"), Options{Lang: "de", Recipients: []string{"loki", "file", "loki", "s3", "kafka"}})
	if !strings.Contains(out, "Empfänger der bearbeiteten Log-Dateien: Grafana Loki (Log-Datenbank), Dateien auf dem Server, ein Objektspeicher (S3-kompatibles Archiv; die Daten jedes Kunden unter eigenem Präfix) und kafka.") {
		t.Errorf("recipients:\n%s", out)
	}
	if out := render(t, builtin(t, "default"), Options{}); strings.Contains(out, "Recipients") {
		t.Errorf("recipients without any given:\n%s", out)
	}
}

func TestOptionErrors(t *testing.T) {
	c := builtin(t, "default")
	for _, o := range []Options{{Lang: "fr"}, {Format: "pdf"}} {
		if _, err := Render(c, o); !errors.Is(err, ErrOption) {
			t.Errorf("%+v: got %v, want ErrOption", o, err)
		}
	}
	if _, err := RecordWith(c, Options{Lang: "fr"}); !errors.Is(err, ErrOption) {
		t.Errorf("record: got %v, want ErrOption", err)
	}
}

func TestRecord(t *testing.T) {
	c := builtin(t, "analytics")
	a, err := Record(c)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Record(c)
	if !bytes.Equal(a, b) {
		t.Fatal("record is not deterministic")
	}
	var v map[string]any
	if err := json.Unmarshal(a, &v); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	sorted, _ := json.MarshalIndent(v, "", "  ")
	if string(sorted)+"\n" != string(a) {
		t.Errorf("keys not sorted:\n%s", a)
	}
	measures := map[string]map[string]any{}
	for _, m := range v["measures"].([]any) {
		m := m.(map[string]any)
		p, _ := m["parameters"].(map[string]any)
		measures[m["measure"].(string)] = p
	}
	for name, want := range map[string]map[string]any{
		"truncate_ip":    {"ipv4_prefix": 24.0, "ipv6_prefix": 48.0},
		"pseudonym_keys": {"algorithm": "HMAC-SHA256", "rotation": "daily"},
		"retention":      {"max_age": "7d", "backup_max_age": "21d"},
		"aggregate":      {"k_anonymity": 10.0, "window": "1m0s", "visitors": true},
	} {
		for k, w := range want {
			if got := measures[name][k]; got != w {
				t.Errorf("measure %s: %s = %v, want %v", name, k, got, w)
			}
		}
	}
	if v["profiling"] != false {
		t.Error("profiling not false")
	}
}

func TestDurations(t *testing.T) {
	for d, want := range map[time.Duration][2]string{
		168 * time.Hour: {"7 days", "7 Tage"}, 72 * time.Hour: {"72 hours", "72 Stunden"},
		21 * day: {"21 days", "21 Tage"}, time.Hour: {"one hour", "eine Stunde"},
		24 * time.Hour: {"24 hours", "24 Stunden"}, 90 * time.Minute: {"90 minutes", "90 Minuten"},
		36 * time.Hour: {"36 hours", "36 Stunden"}, 30 * time.Second: {"30 seconds", "30 Sekunden"},
	} {
		if en, de := english.duration(d), german.duration(d); en != want[0] || de != want[1] {
			t.Errorf("%v: got %q, %q, want %q", d, en, de, want)
		}
	}
}

func TestClassify(t *testing.T) {
	for name, want := range map[string]class{
		"password": clSecret, "set-cookie": clSecret, "Authorization": clSecret, "email": clEmail,
		"e-mail": clEmail, "phone": clPhone, "session_id": clSession, "phpsessid": clSession,
		"x-api-key": clSession, "user_name": clUser, "user.id": clUser, "customer_id": clUser,
		"display_name": clName, "client_ip": clIP, "x_forwarded_for": clIP, "sidebar": clOther,
		"keyword": clOther, "zip": clAddress, "tenant_id": clOther,
		"name": clName, "full_name": clName, "customer_name": clName, "account_holder": clName,
		"cardHolder": clName, "recipient": clName, "user.name": clUser, "username": clUser,
		"address": clAddress, "shippingAddress": clAddress, "order.billing_address": clAddress,
		"street": clAddress, "postalCode": clAddress, "line1": clAddress, "house-number": clAddress,
		"remote_address": clIP, "ip_address": clIP, "email_address": clEmail, "mailing_address": clAddress,
		"recipient_email": clEmail, "key_holder": clSession,
	} {
		if got := classify(name, treat{kind: kPseudo}); got != want {
			t.Errorf("%s: got %s, want %s", name, classIDs[got], classIDs[want])
		}
	}
	// A field whose values are truncated holds IP addresses.
	if got := classify("address", treat{kind: kTruncate}); got != clIP {
		t.Errorf("address with truncate_ip: got %s, want ip_address", classIDs[got])
	}
}
