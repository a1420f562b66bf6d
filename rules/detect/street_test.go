package detect

import (
	"bytes"
	"strings"
	"testing"
)

// streetMatches returns the address spans nextStreet finds in text, one
// after the other as Scan would ask for them.
func streetMatches(text []byte) []string {
	var out []string
	for from := 0; ; {
		s, e, ok := nextStreet(text, from)
		if !ok {
			return out
		}
		out = append(out, string(text[s:e]))
		from = e
	}
}

func TestStreet(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		// German, Austrian, Swiss
		{"order shipped to Lindenstraße 69, 24103 Kiel today", []string{"Lindenstraße 69, 24103 Kiel"}},
		{"Lindenstraße 69, 24103 Kiel", []string{"Lindenstraße 69, 24103 Kiel"}},
		{"Lindenstrasse 69 24103 Kiel", []string{"Lindenstrasse 69 24103 Kiel"}},
		{"Hauptstr. 5, D-10115 Berlin", []string{"Hauptstr. 5, D-10115 Berlin"}},
		{"Münchner Straße 3, 80331 München.", []string{"Münchner Straße 3, 80331 München"}},
		{"Münchner Str. 3a, 80331 München", []string{"Münchner Str. 3a, 80331 München"}},
		{"Theodor-Heuss-Ring 12-14, 50668 Köln", []string{"Theodor-Heuss-Ring 12-14, 50668 Köln"}},
		{"Kaiserring 7/9, 68161 Mannheim", []string{"Kaiserring 7/9, 68161 Mannheim"}},
		{"Am Birkenweg 5, 60311 Frankfurt am Main", []string{"Birkenweg 5, 60311 Frankfurt am Main"}},
		{"Ölmühlenweg 1, 06108 Halle (Saale)", []string{"Ölmühlenweg 1, 06108 Halle (Saale)"}},
		{"Schlossallee 1, 12345 Monopoly-Stadt", []string{"Schlossallee 1, 12345 Monopoly-Stadt"}},
		{"Am Kupfergraben, Spreeufer 4, 10117 Berlin", []string{"Spreeufer 4, 10117 Berlin"}},
		{"Mariahilfer Straße 12, 1060 Wien", []string{"Mariahilfer Straße 12, 1060 Wien"}},
		{"Bahnhofstrasse 1, CH-8001 Zürich", []string{"Bahnhofstrasse 1, CH-8001 Zürich"}},
		{"Rennweg 5\n8001 Zürich", []string{"Rennweg 5\n8001 Zürich"}},
		{"Karl-Marx-Allee 90; 10243 Berlin", []string{"Karl-Marx-Allee 90; 10243 Berlin"}},
		{"Mariahilfer Straße 12/3/7, 1060 Wien", []string{"Mariahilfer Straße 12/3/7, 1060 Wien"}},
		{"Lindenstraße 69 a, 24103 Kiel", []string{"Lindenstraße 69 a, 24103 Kiel"}},
		{"Hauptstr 5, 10115 Berlin", []string{"Hauptstr 5, 10115 Berlin"}},
		{"Rorschacher Strasse 1, 9000 St. Gallen", []string{"Rorschacher Strasse 1, 9000 St. Gallen"}},
		{"Via Strinella 88, 67100 L'Aquila", []string{"Via Strinella 88, 67100 L'Aquila"}},
		{"An der Alster 93, 20099 Hamburg", []string{"An der Alster 93, 20099 Hamburg"}},
		{"Am Markt 46, 79098 Freiburg im Breisgau", []string{"Am Markt 46, 79098 Freiburg im Breisgau"}},
		{"Unter den Linden 77, 10117 Berlin", []string{"Unter den Linden 77, 10117 Berlin"}},
		{"Über der Elbe 3, 01067 Dresden", []string{"Über der Elbe 3, 01067 Dresden"}},
		// Dutch
		{"Keizersgracht 123, 1015 CJ Amsterdam", []string{"Keizersgracht 123, 1015 CJ Amsterdam"}},
		{"Dorpsstraat 5, 1234AB Ergenshuizen", []string{"Dorpsstraat 5, 1234AB Ergenshuizen"}},
		{"Koningslaan 14 3583 GN Utrecht", []string{"Koningslaan 14 3583 GN Utrecht"}},
		// French
		{"livraison: 12 rue de la Paix, 75002 Paris", []string{"12 rue de la Paix, 75002 Paris"}},
		{"3, Rue de Général-Leclerc, 67000 Strasbourg", []string{"3, Rue de Général-Leclerc, 67000 Strasbourg"}},
		{"7 bis avenue Foch 75116 PARIS", []string{"7 bis avenue Foch 75116 PARIS"}},
		{"1 place d'Italie, 75013 Paris", []string{"1 place d'Italie, 75013 Paris"}},
		{"15 boulevard des Champs-Élysées, 75008 Paris", []string{"15 boulevard des Champs-Élysées, 75008 Paris"}},
		// Italian, Spanish, Catalan
		{"Via Roma 12, 00184 Roma", []string{"Via Roma 12, 00184 Roma"}},
		{"abito in via della Spiga 3, 20121 Milano (MI)", []string{"via della Spiga 3, 20121 Milano (MI)"}},
		{"Piazza di Spagna 1, 00187 Roma", []string{"Piazza di Spagna 1, 00187 Roma"}},
		{"Viale dell'Indipendenza 8, 40121 Bologna", []string{"Viale dell'Indipendenza 8, 40121 Bologna"}},
		{"Calle Mayor 5, 28013 Madrid", []string{"Calle Mayor 5, 28013 Madrid"}},
		{"Calle de Alcalá, 42, 28014 Madrid", []string{"Calle de Alcalá, 42, 28014 Madrid"}},
		{"Avenida de la Constitución 12, 41001 Sevilla", []string{"Avenida de la Constitución 12, 41001 Sevilla"}},
		{"C/ Mayor 5, 28013 Madrid", []string{"C/ Mayor 5, 28013 Madrid"}},
		{"Carrer de Mallorca 401, 08013 Barcelona", []string{"Carrer de Mallorca 401, 08013 Barcelona"}},
		// two in one text, and inside JSON and logfmt values
		{"from Lindenstraße 69, 24103 Kiel to Via Roma 12, 00184 Roma", []string{"Lindenstraße 69, 24103 Kiel", "Via Roma 12, 00184 Roma"}},
		{`{"prompt":"Ship to Lindenstraße 69, 24103 Kiel please"}`, []string{"Lindenstraße 69, 24103 Kiel"}},
		{`msg="deliver to Lindenstraße 69, 24103 Kiel" order=4711`, []string{"Lindenstraße 69, 24103 Kiel"}},

		// look-alikes that must stay
		{"the main street 12, and Weg 5 of the plan", nil},
		{"Weg 5, 12345 Berlin", nil}, // a street word alone is no street
		{"Lindenstraße 69", nil},     // no postcode and town
		{"Lindenstraße 69, Kiel", nil},
		{"Lindenstraße, 24103 Kiel", nil}, // no house number
		{"24103 Kiel", nil},
		{"released 2026-11-20, build 12345 Linux", nil},
		{"Release 12, 2025 Edition", nil},
		{"Monitoring 12, 2025 Report", nil},
		{"Offering 3, 2024 Summary", nil},
		{"Spring 4, 2026 Boot", nil},
		{"String 12, 1024 Bytes", nil},
		{"took 12 ms, 2048 Bytes read", nil},
		{"listening on Port 8080 Ready", nil},
		{"open /var/lib/weg 5, 12345 Files", nil},
		{"v1.12 rue 12345 Paris", nil},
		{"tarn 1.26.2 Straße 3 12345 Build", nil},
		{"Street Fighter 2, 1991 Capcom", nil},
		{"SELECT * FROM users WHERE id = 12345 AND name = 'x'", nil},
		{"at com.example.Main.main(Main.java:12)", nil},
		{"at com.example.Strasse.run(Strasse.java:12) 12345 Foo", nil},
		{"Hauptstr.java 5, 12345 Foo", nil},
		{"user 12 rue 75002 Paris", nil}, // a French street word needs a name
		{"via 12, 00184 Roma", nil},
		{"Lindenstraße 69, 24103Kiel", nil},
		{"Lindenstraße 69, 241034 Kiel", nil},
		{"Lindenstraße 69, 24103 kiel", nil},
		{"Lindenstraße 69, 24103 Kiel.example.org", nil},
		{"Lindenstraße 12345, 24103 Kiel", nil},
		{"In Room 12, 2025 Edition", nil}, // a German preposition only before five digits
		{"An Update 12, 2025 Notes", nil},
		{"Am Hof 2, 1010 Wien", nil},             // so Austrian "Am Hof" is missed
		{"sent in Berlin 12, 10115 Berlin", nil}, // and only capitalized
		{"Am 12, 10115 Berlin", nil},
		{"Lindenstraße 1/2/3/4, 24103 Kiel", nil},
		{"Lindenstraße 69 ab, 24103 Kiel", nil},
		{"Monster 5, 12345 Berlin", nil},
		{"ok 24103 Kiel. Next", nil},
	} {
		if got := streetMatches([]byte(tc.text)); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

// TestStreetScan: the detector runs in Scan, finds the kind Address, and
// the gate lets texts with five digits through.
func TestStreetScan(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	runCases(t, s, []scanCase{
		{"address", "an Lindenstraße 69, 24103 Kiel", []string{"address:Lindenstraße 69, 24103 Kiel"}},
		{"austrian", "Rennweg 1, 1030 Wien", []string{"address:Rennweg 1, 1030 Wien"}},
		{"with mail", "mail lea@example.org, Via Roma 12, 00184 Roma", []string{"email:lea@example.org", "address:Via Roma 12, 00184 Roma"}},
	})
	off := mustSet(t, only(Email))
	if ms := off.Scan([]byte("Lindenstraße 69, 24103 Kiel"), nil); len(ms) != 0 {
		t.Errorf("disabled address kind found %v", ms)
	}
}

// TestStreetFrom: a match that starts before from is not returned, the
// next one is.
func TestStreetFrom(t *testing.T) {
	text := []byte("Lindenstraße 69, 24103 Kiel und Via Roma 12, 00184 Roma")
	s, e, ok := nextStreet(text, 3)
	if !ok || string(text[s:e]) != "Via Roma 12, 00184 Roma" {
		t.Errorf("from 3: got %q %v", text[s:e], ok)
	}
}

// streetPathological are repeated to build inputs that would make a
// careless look-back quadratic.
var streetPathological = []string{
	"1, 12345 Kiel ", "Weg 1, 1234 Ab ", "Via Aa Bb Cc 1, 12345 Aa ", "12 rue de la de la ", "12345 Aa ",
	"de ", "Aa ", "12345 ", "Straße ", "1 ", "-", "Lindenstraße 69, 24103 Kiel ", "a\xc3\x9f",
	"Straßestraßestraße", "1-1-1-1", "D-D-D-", ",,,", "   ",
}

// TestStreetLinear scans 4 MB of each pathological input; a quadratic
// scanner makes it time out.
func TestStreetLinear(t *testing.T) {
	size := 4 << 20
	if testing.Short() {
		size = 256 << 10
	}
	for _, unit := range streetPathological {
		text := bytes.Repeat([]byte(unit), size/len(unit))
		for from := 0; ; {
			s, e, ok := nextStreet(text, from)
			if !ok {
				break
			}
			if s < from || e <= s || e > len(text) {
				t.Fatalf("%q: span [%d,%d) out of bounds (from %d)", unit, s, e, from)
			}
			from = e
		}
	}
}

func FuzzStreet(f *testing.F) {
	for _, seed := range []string{
		"", "Lindenstraße 69, 24103 Kiel", "12 rue de la Paix, 75002 Paris", "Via Roma 12, 00184 Roma",
		"Keizersgracht 123, 1015 CJ Amsterdam", "Hauptstr. 5, D-10115 Berlin", "Calle de Alcalá, 42, 28014 Madrid",
		"Ölmühlenweg 1, 06108 Halle (Saale)", "3, Rue de Général-Leclerc, 67000 Strasbourg", "\xc3 12345 \xc3",
		"a'b 1, 12345 Aa", "-1, 12345 Aa", "1 , 1234AB Aa", "Straße 1, 12345 Frankfurt am Main",
	} {
		f.Add([]byte(seed), 0)
	}
	f.Fuzz(func(t *testing.T, text []byte, from int) {
		if from < 0 || from > len(text) {
			from = 0
		}
		n := 0
		for {
			s, e, ok := nextStreet(text, from)
			if !ok {
				break
			}
			if s < from || e <= s || e > len(text) {
				t.Fatalf("span [%d,%d) out of bounds (from %d, len %d)", s, e, from, len(text))
			}
			from = e
			if n++; n > len(text) {
				t.Fatal("no progress")
			}
		}
	})
}

// streetBenchText is a log message with an address among other numbers.
const streetBenchText = `2026-11-20T13:00:00Z level=info msg="order 4711 for 2 items, total 129.90 EUR, ` +
	`shipped to Lindenstraße 69, 24103 Kiel via DHL, tracking 00340434161234567890, took 120 ms" port=8080`

func BenchmarkStreet(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"address", streetBenchText},
		{"none", sampleSyslog},
	} {
		b.Run(c.name, func(b *testing.B) {
			text := []byte(c.text)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				for from := 0; ; {
					_, e, ok := nextStreet(text, from)
					if !ok {
						break
					}
					from = e
				}
			}
		})
	}
}

func TestStreetAllocs(t *testing.T) {
	text := []byte(streetBenchText)
	if a := testing.AllocsPerRun(100, func() { nextStreet(text, 0) }); a != 0 {
		t.Errorf("nextStreet allocates %v times per run", a)
	}
}
