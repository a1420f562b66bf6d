package useragent

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// uaCases are real User-Agent strings (current and old) with the expected
// summary.
var uaCases = []struct{ ua, want string }{
	// Chrome
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome 120 / Windows / desktop"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36", "Chrome 119 / macOS / desktop"},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome 120 / Linux / desktop"},
	{"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36", "Chrome 120 / Android / mobile"},
	{"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36", "Chrome 118 / Android / tablet"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", "Chrome 120 / iOS / mobile"},
	{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36", "Chrome 116 / ChromeOS / desktop"},
	{"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.107 Safari/537.36", "Chrome 32 / Windows / desktop"},
	{"Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36", "Chrome 120 / Android / mobile"},
	{"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", "Chrome 120 / Windows / desktop"},
	{"Mozilla/5.0 (Linux; Android 9; CUBOT_X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.91 Mobile Safari/537.36", "Chrome 90 / Android / mobile"},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/32.0.1700.102 Chrome/32.0.1700.102 Safari/537.36", "Chromium 32 / Linux / desktop"},
	// Edge
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "Edge 120 / Windows / desktop"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582", "Edge 18 / Windows / desktop"},
	{"Mozilla/5.0 (Linux; Android 10; HD1913) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36 EdgA/120.0.2210.115", "Edge 120 / Android / mobile"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/120.2210.126 Mobile/15E148 Safari/605.1.15", "Edge 120 / iOS / mobile"},
	// Firefox
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0", "Firefox 115 / Windows / desktop"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox 121 / macOS / desktop"},
	{"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:27.0) Gecko/20100101 Firefox/27.0", "Firefox 27 / Linux / desktop"},
	{"Mozilla/5.0 (X11; Linux x86_64; rv:20.0) Gecko/20100101 Firefox/20.0 Iceweasel/20.0", "Firefox 20 / Linux / desktop"},
	{"Mozilla/5.0 (Windows; U; Windows NT 5.2; en-US; rv:1.8.1.4) Gecko/20070515 Firefox/2.0.0.4", "Firefox 2 / Windows / desktop"},
	{"Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "Firefox 121 / Android / mobile"},
	{"Mozilla/5.0 (Android 4.4; Tablet; rv:41.0) Gecko/41.0 Firefox/41.0", "Firefox 41 / Android / tablet"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/121.0 Mobile/15E148 Safari/605.1.15", "Firefox 121 / iOS / mobile"},
	{"Mozilla/5.0 (X11; FreeBSD amd64; rv:109.0) Gecko/20100101 Firefox/115.0", "Firefox 115 / FreeBSD / desktop"},
	// Safari
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6) AppleWebKit/601.7.7 (KHTML, like Gecko) Version/9.1.2 Safari/601.7.7", "Safari 9 / macOS / desktop"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15", "Safari 17 / macOS / desktop"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1", "Safari 17 / iOS / mobile"},
	{"Mozilla/5.0 (iPad; CPU OS 7_0_4 like Mac OS X) AppleWebKit/537.51.1 (KHTML, like Gecko) Version/7.0 Mobile/11B554a Safari/9537.53", "Safari 7 / iOS / tablet"},
	{"Mozilla/5.0 (iPod touch; CPU iPhone OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1", "Safari 12 / iOS / mobile"},
	{"Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30", "Android Browser 4 / Android / mobile"},
	{"Safari/9537.73.11 CFNetwork/673.0.3 Darwin/13.0.0 (x86_64) (MacBookPro8%2C1)", "Other / Other / other"},
	// Samsung, Opera, Yandex, Vivaldi
	{"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "Samsung Internet 23 / Android / mobile"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0", "Opera 105 / Windows / desktop"},
	{"Opera/9.80 (X11; Linux x86_64) Presto/2.12.388 Version/12.16", "Opera 12 / Linux / desktop"},
	{"Opera/9.80 (Android; Opera Mini/36.2.2254/119.132; U; id) Presto/2.12.423 Version/12.16", "Opera 12 / Android / mobile"},
	{"Opera/9.64 (Windows NT 5.1; U; en) Presto/2.1.1", "Opera 9 / Windows / desktop"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 YaBrowser/23.11.0.0 Safari/537.36", "Yandex 23 / Windows / desktop"},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Vivaldi/6.5.3206.48", "Vivaldi 6 / Linux / desktop"},
	// Internet Explorer 6-11
	{"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)", "IE 6 / Windows / desktop"},
	{"Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)", "IE 7 / Windows / desktop"},
	{"Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0; .NET CLR 2.0.50727)", "IE 8 / Windows / desktop"},
	{"Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; SLCC2; Tablet PC 2.0)", "IE 8 / Windows / desktop"},
	{"Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0; chromeframe/19.0.1084.52)", "IE 9 / Windows / desktop"},
	{"Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)", "IE 10 / Windows / desktop"},
	{"Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko", "IE 11 / Windows / desktop"},
	{"Mozilla/5.0 (compatible; MSIE 10.0; Windows Phone 8.0; Trident/6.0; IEMobile/10.0; ARM; Touch; NOKIA; Lumia 920)", "IE 10 / Windows / mobile"},
	{"Mozilla/5.0 (Mobile; Windows Phone 8.1; Android 4.0; ARM; Trident/7.0; Touch; rv:11.0; IEMobile/11.0; NOKIA; Lumia 635) like iPhone OS 7_0_3 Mac OS X AppleWebKit/537 (KHTML, like Gecko) Mobile Safari/537", "IE 11 / Windows / mobile"},
	// named bots
	{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot 2 / Other / bot"},
	{"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.129 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot 2 / Android / bot"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 6_0 like Mac OS X) AppleWebKit/536.26 (KHTML, like Gecko) Version/6.0 Mobile/10A5376e Safari/8536.25 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot 2 / iOS / bot"},
	{"Googlebot-Image/1.0", "Googlebot / Other / bot"},
	{"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot 2 / Other / bot"},
	{"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "YandexBot 3 / Other / bot"},
	{"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "Baiduspider 2 / Other / bot"},
	{"DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", "DuckDuckBot 1 / Other / bot"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", "Applebot / macOS / bot"},
	{"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "AhrefsBot 7 / Other / bot"},
	{"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", "SemrushBot 7 / Other / bot"},
	{"Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", "MJ12bot 1 / Other / bot"},
	{"Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)", "DotBot 1 / Other / bot"},
	{"Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)", "PetalBot / Android / bot"},
	{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.0; +https://openai.com/gptbot", "GPTBot 1 / Other / bot"},
	{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "ClaudeBot 1 / Other / bot"},
	{"CCBot/2.0 (https://commoncrawl.org/faq/)", "CCBot 2 / Other / bot"},
	{"Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", "Bytespider / Android / bot"},
	{"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "facebookexternalhit 1 / Other / bot"},
	{"Twitterbot/1.0", "Twitterbot 1 / Other / bot"},
	{"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", "LinkedInBot 1 / Other / bot"},
	{"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slackbot / Other / bot"},
	{"Slackbot 1.0 (+https://api.slack.com/robots)", "Slackbot 1 / Other / bot"},
	// generic bots
	{"Mozilla/5.0 (compatible; archive.org_bot +http://www.archive.org/details/archive.org_bot)", "Bot / Other / bot"},
	{"msnbot/2.0b (+http://search.msn.com/msnbot.htm)", "Bot / Other / bot"},
	{"Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)", "Bot / Other / bot"},
	{"Screaming Frog SEO Spider/19.4", "Bot / Other / bot"},
	{"Mozilla/5.0 (compatible; SomeCRAWLER/1.0)", "Bot / Other / bot"},
	// non-browser clients
	{"curl/8.4.0", "curl 8 / Other / other"},
	{"Wget/1.21.4", "Wget 1 / Other / other"},
	{"python-requests/2.31.0", "python-requests 2 / Other / other"},
	{"Go-http-client/1.1", "Go-http-client 1 / Other / other"},
	{"okhttp/4.12.0", "okhttp 4 / Other / other"},
	{"Java/1.8.0_151", "Java 1 / Other / other"},
	{"Apache-HttpClient/4.5.14 (Java/17.0.9)", "Apache-HttpClient 4 / Other / other"},
	{"PostmanRuntime/7.36.0", "PostmanRuntime 7 / Other / other"},
	// unknown, empty, odd
	{"", "-"},
	{"-", "-"},
	{"--", "Other / Other / other"},
	{"UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/", "Other / Other / other"},
	{"Mozilla/4.0 (compatible;)", "Other / Other / other"},
	{"Mozilla/5.0 (compatible; Ezooms/1.0; help@moz.com)", "Other / Other / other"},
	{"Chrome/123456789", "Chrome 9999 / Other / other"},
	{"Chrome/", "Chrome / Other / other"},
	{"Chrome/0.1", "Chrome / Other / other"},
	{"MSIE", "Other / Other / other"},
	{"Trident/x", "IE / Other / other"},
	{"Mozilla/5.0 (Windows NT 10.0)\x00\xff\xfe Firefox/99", "Firefox 99 / Windows / desktop"},
	{"\xc3\x28 iPad \xa0\xa1", "Other / iOS / tablet"},
}

func TestGeneralizeTable(t *testing.T) {
	if len(uaCases) < 40 {
		t.Fatalf("only %d cases", len(uaCases))
	}
	for _, c := range uaCases {
		got := string(Generalize(nil, []byte(c.ua)))
		if got != c.want {
			t.Errorf("Generalize(%q)\n got %q\nwant %q", c.ua, got, c.want)
		}
	}
}

func TestGeneralizeAppendsToDst(t *testing.T) {
	dst := []byte("prefix:")
	got := Generalize(dst, []byte("curl/8.4.0"))
	if string(got) != "prefix:curl 8 / Other / other" {
		t.Fatalf("got %q", got)
	}
}

func TestParseFields(t *testing.T) {
	tests := []struct {
		ua   string
		want Info
	}{
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			Info{Browser: "Googlebot", Major: 2, OS: Other, Device: DeviceBot, Bot: true}},
		{"curl/8.4.0", Info{Browser: "curl", Major: 8, OS: Other, Device: DeviceOther}},
		{"", Info{Browser: Other, OS: Other, Device: DeviceOther}},
		{"Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
			Info{Browser: "Safari", Major: 17, OS: OSIOS, Device: DeviceTablet}},
	}
	for _, tt := range tests {
		if got := Parse([]byte(tt.ua)); got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.ua, got, tt.want)
		}
	}
}

// tableNames returns the sets of names Parse may report.
func tableNames() (browsers, oses, devices map[string]bool) {
	browsers = map[string]bool{Other: true}
	for _, f := range families {
		browsers[f.name] = true
	}
	oses = map[string]bool{Other: true}
	for _, r := range osRules {
		oses[r.name] = true
	}
	devices = map[string]bool{DeviceDesktop: true, DeviceMobile: true,
		DeviceTablet: true, DeviceBot: true, DeviceOther: true}
	return browsers, oses, devices
}

// checkSummary returns why out is not "-" or
// "<browser>[ <1..9999>] / <os> / <device>" with names from the tables.
func checkSummary(out string) string {
	if out == "-" {
		return ""
	}
	browsers, oses, devices := tableNames()
	parts := strings.Split(out, " / ")
	if len(parts) != 3 {
		return "not three parts"
	}
	name := parts[0]
	if i := strings.LastIndexByte(name, ' '); i >= 0 && !browsers[name] {
		n, err := strconv.Atoi(name[i+1:])
		if err != nil || n < 1 || n > maxMajor || name[i+1] == '0' {
			return "bad major"
		}
		name = name[:i]
	}
	switch {
	case !browsers[name]:
		return "browser not in table"
	case !oses[parts[1]]:
		return "os not in table"
	case !devices[parts[2]]:
		return "device not in table"
	}
	return ""
}

// TestOutputOnlyTableNames checks the property that output is made only of
// table names, digits, spaces and "/", over the table and over mutations
// of it (truncations and byte flips).
func TestOutputOnlyTableNames(t *testing.T) {
	for _, c := range uaCases {
		for _, in := range mutations(c.ua) {
			out := string(Generalize(nil, []byte(in)))
			if why := checkSummary(out); why != "" {
				t.Errorf("Generalize(%q) = %q: %s", in, out, why)
			}
		}
	}
}

// mutations returns s, its prefixes at a few cut points, and copies with
// one byte changed.
func mutations(s string) []string {
	out := []string{s}
	for _, cut := range []int{1, 5, 11, 23, 47, 95} {
		if cut < len(s) {
			out = append(out, s[:cut], s[cut:])
			b := []byte(s)
			b[cut] ^= 0x20
			out = append(out, string(b))
		}
	}
	return out
}

func TestParseBotFlagMatchesDevice(t *testing.T) {
	for _, c := range uaCases {
		info := Parse([]byte(c.ua))
		if info.Bot != (info.Device == DeviceBot) {
			t.Errorf("Parse(%q): Bot=%v but Device=%q", c.ua, info.Bot, info.Device)
		}
		if info.Major < 0 || info.Major > maxMajor {
			t.Errorf("Parse(%q): Major %d out of range", c.ua, info.Major)
		}
	}
}

func TestLargeAndHostileInputs(t *testing.T) {
	big := bytes.Repeat([]byte("Chrome/1 bot Mozilla "), 500_000) // ~10 MB
	if got := string(Generalize(nil, big)); got != "Bot / Other / bot" {
		t.Errorf("10 MB input: got %q", got)
	}
	digits := append([]byte("Firefox/"), bytes.Repeat([]byte("9"), 10<<20)...)
	if got := string(Generalize(nil, digits)); got != "Firefox 9999 / Other / other" {
		t.Errorf("10 MB digits: got %q", got)
	}
	nul := make([]byte, 10<<20)
	if got := string(Generalize(nil, nul)); got != "Other / Other / other" {
		t.Errorf("10 MB NUL: got %q", got)
	}
}

func TestGeneralizeZeroAllocs(t *testing.T) {
	dst := make([]byte, 0, 128)
	for _, c := range uaCases {
		ua := []byte(c.ua)
		allocs := testing.AllocsPerRun(20, func() {
			dst = Generalize(dst[:0], ua)
		})
		if allocs != 0 {
			t.Errorf("Generalize(%q): %v allocs/op, want 0", c.ua, allocs)
		}
	}
}

// TestBucketsCoverAllMarkers guards the scanner's table: every marker must
// be reachable from its first two bytes (in every case combination when it
// folds case).
func TestBucketsCoverAllMarkers(t *testing.T) {
	total := 0
	for k := tok(1); k < numTok; k++ {
		m := markers[k]
		if len(m.s) < 2 {
			t.Fatalf("marker %d is shorter than two bytes", k)
		}
		if m.fold && strings.ToLower(m.s) != m.s {
			t.Errorf("folded marker %q must be lower case", m.s)
		}
		for _, p := range casings(m) {
			if !containsTok(candidates(p[0], p[1]), k) {
				t.Errorf("marker %q not reachable from %q", m.s, p[:])
			}
		}
		total += len(casings(m))
	}
	if int(pairOff[numBuckets]) != total {
		t.Errorf("bucket lists hold %d entries, want %d", pairOff[numBuckets], total)
	}
}

// casings returns the first two bytes of m in every casing it must match.
func casings(m marker) [][2]byte {
	a, b := m.s[0], m.s[1]
	if !m.fold {
		return [][2]byte{{a, b}}
	}
	A, B := strings.ToUpper(m.s[:1])[0], strings.ToUpper(m.s[1:2])[0]
	return [][2]byte{{a, b}, {A, b}, {a, B}, {A, B}}
}

// candidates returns the markers the scanner tries where a, b occur.
func candidates(a, b byte) []tok {
	h := bucket(a, b)
	return pairToks[pairOff[h]:pairOff[h+1]]
}

func containsTok(ks []tok, k tok) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// benchUAs are five typical User-Agents.
var benchUAs = [][]byte{
	[]byte("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
	[]byte("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"),
	[]byte("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0"),
	[]byte("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
	[]byte("curl/8.4.0"),
}

func BenchmarkGeneralize(b *testing.B) {
	n := 0
	for _, ua := range benchUAs {
		n += len(ua)
	}
	b.SetBytes(int64(n / len(benchUAs)))
	b.ReportAllocs()
	dst := make([]byte, 0, 128)
	for i := 0; b.Loop(); i++ {
		dst = Generalize(dst[:0], benchUAs[i%len(benchUAs)])
	}
}

func BenchmarkGeneralizeEach(b *testing.B) {
	for _, ua := range benchUAs {
		name := string(Generalize(nil, ua))
		b.Run(strings.ReplaceAll(name, " / ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(ua)))
			b.ReportAllocs()
			dst := make([]byte, 0, 128)
			for b.Loop() {
				dst = Generalize(dst[:0], ua)
			}
		})
	}
}

// TestCheckSummaryRejects shows that the property checker used by the
// tests and the fuzz targets can fail.
func TestCheckSummaryRejects(t *testing.T) {
	for _, bad := range []string{
		"", "Chrome 0 / Windows / desktop", "Chrome 10000 / Windows / desktop",
		"Chrome 012 / Windows / desktop", "help@moz.com / Other / other",
		"Chrome 12 / Windows", "Chrome 12 / Windows / phone", "Chrome 12 / Plan9 / desktop",
		"Chrome 12 / Windows / desktop / x",
	} {
		if checkSummary(bad) == "" {
			t.Errorf("checkSummary accepted %q", bad)
		}
	}
}
