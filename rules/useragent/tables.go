package useragent

// tok identifies one marker that the scanner looks for in a User-Agent.
type tok uint8

// Markers. tNone means "no marker": a family whose also field is tNone
// needs no second marker, and firstFound returns it when nothing matched.
const (
	tNone tok = iota

	// browsers
	tEdg
	tEdge
	tEdgA
	tEdgiOS
	tOPR
	tOpera
	tSamsung
	tYaBrowser
	tVivaldi
	tChromium
	tChrome
	tCriOS
	tFirefox
	tFxiOS
	tVersion
	tSafari
	tMSIE
	tTrident

	// non-browser HTTP clients
	tCurl
	tWget
	tPyRequests
	tGoHTTP
	tOkhttp
	tJava
	tApacheHC
	tPostman

	// named bots
	tGooglebot
	tBingbot
	tYandexBot
	tBaiduspider
	tDuckDuckBot
	tApplebot
	tAhrefsBot
	tSemrushBot
	tMJ12bot
	tDotBot
	tPetalBot
	tGPTBot
	tClaudeBot
	tCCBot
	tBytespider
	tFacebook
	tTwitterbot
	tLinkedInBot
	tSlackbot

	// generic bot words, matched case-insensitively
	tBotWord
	tSpiderWord
	tCrawlWord

	// operating systems
	tWindowsPhone
	tWindows
	tWin32
	tWin64
	tIPhone
	tIPad
	tIPod
	tAndroid
	tLinux
	tCrOS
	tMacOSX
	tMacintosh
	tFreeBSD

	// device hints
	tMobi
	tOperaMini
	tTablet

	numTok
)

// verKind says where a family's major version is read from.
type verKind uint8

const (
	verAfter   verKind = iota // digits right after the marker (one '/', ' ' or 'v' skipped)
	verNone                   // no version
	verVersion                // digits after "Version/", else after the marker
	verTrident                // Trident/N means IE N+4 (Trident/7 = IE 11)
)

// marker is one literal the scanner matches.
type marker struct {
	s     string  // literal; lower case when fold is set
	fold  bool    // match ASCII case-insensitively
	bound bool    // the next byte must not be a letter or '_'
	ver   verKind // how to read a version after this marker
}

// markers is indexed by tok.
var markers = [numTok]marker{
	tEdg:          {s: "Edg/"},
	tEdge:         {s: "Edge/"},
	tEdgA:         {s: "EdgA/"},
	tEdgiOS:       {s: "EdgiOS/"},
	tOPR:          {s: "OPR/"},
	tOpera:        {s: "Opera", ver: verVersion},
	tSamsung:      {s: "SamsungBrowser/"},
	tYaBrowser:    {s: "YaBrowser/"},
	tVivaldi:      {s: "Vivaldi/"},
	tChromium:     {s: "Chromium/"},
	tChrome:       {s: "Chrome/"},
	tCriOS:        {s: "CriOS/"},
	tFirefox:      {s: "Firefox/"},
	tFxiOS:        {s: "FxiOS/"},
	tVersion:      {s: "Version/"},
	tSafari:       {s: "Safari/"},
	tMSIE:         {s: "MSIE "},
	tTrident:      {s: "Trident/", ver: verTrident},
	tCurl:         {s: "curl/"},
	tWget:         {s: "Wget/"},
	tPyRequests:   {s: "python-requests/"},
	tGoHTTP:       {s: "Go-http-client/"},
	tOkhttp:       {s: "okhttp/"},
	tJava:         {s: "Java/"},
	tApacheHC:     {s: "Apache-HttpClient/"},
	tPostman:      {s: "PostmanRuntime/"},
	tGooglebot:    {s: "Googlebot"},
	tBingbot:      {s: "bingbot"},
	tYandexBot:    {s: "YandexBot"},
	tBaiduspider:  {s: "Baiduspider"},
	tDuckDuckBot:  {s: "DuckDuckBot"},
	tApplebot:     {s: "Applebot"},
	tAhrefsBot:    {s: "AhrefsBot"},
	tSemrushBot:   {s: "SemrushBot"},
	tMJ12bot:      {s: "MJ12bot"},
	tDotBot:       {s: "DotBot"},
	tPetalBot:     {s: "PetalBot"},
	tGPTBot:       {s: "GPTBot"},
	tClaudeBot:    {s: "ClaudeBot"},
	tCCBot:        {s: "CCBot"},
	tBytespider:   {s: "Bytespider"},
	tFacebook:     {s: "facebookexternalhit"},
	tTwitterbot:   {s: "Twitterbot"},
	tLinkedInBot:  {s: "LinkedInBot"},
	tSlackbot:     {s: "Slackbot"},
	tBotWord:      {s: "bot", fold: true, bound: true, ver: verNone},
	tSpiderWord:   {s: "spider", fold: true, ver: verNone},
	tCrawlWord:    {s: "crawl", fold: true, ver: verNone},
	tWindowsPhone: {s: "Windows Phone"},
	tWindows:      {s: "Windows"},
	tWin32:        {s: "Win32"},
	tWin64:        {s: "Win64"},
	tIPhone:       {s: "iPhone"},
	tIPad:         {s: "iPad"},
	tIPod:         {s: "iPod"},
	tAndroid:      {s: "Android"},
	tLinux:        {s: "Linux"},
	tCrOS:         {s: "CrOS"},
	tMacOSX:       {s: "Mac OS X"},
	tMacintosh:    {s: "Macintosh"},
	tFreeBSD:      {s: "FreeBSD"},
	tMobi:         {s: "Mobi"},
	tOperaMini:    {s: "Opera Mini"},
	tTablet:       {s: "Tablet"},
}

// kind is what a family is: a browser, a non-browser client or a bot.
type kind uint8

const (
	kBrowser kind = iota
	kClient
	kBot
)

// family is one row of the ordered family table: the first row whose any
// marker and also marker were both found names the client.
type family struct {
	name string
	kind kind
	also tok   // must also be present (tNone: nothing)
	any  []tok // one of these must be present; the first found gives the version

	anySet  tokSet // any as a set, filled in by init
	alsoSet tokSet // also as a set (empty for tNone), filled in by init
}

// familyMarkers is the union of every family's any markers.
var familyMarkers tokSet

// Family names that Parse may return in Info.Browser.
const (
	// Other is used for every part that could not be recognised.
	Other = "Other"
	// GenericBot is the family of clients that call themselves a bot,
	// spider or crawler but are not in the table.
	GenericBot = "Bot"
)

// families is checked in order; bots come first so that a bot that
// imitates a browser is still reported as a bot, Edge/Opera/Samsung/...
// come before Chrome because their User-Agents also say "Chrome/".
var families = [...]family{
	{name: "Googlebot", kind: kBot, any: []tok{tGooglebot}},
	{name: "bingbot", kind: kBot, any: []tok{tBingbot}},
	{name: "YandexBot", kind: kBot, any: []tok{tYandexBot}},
	{name: "Baiduspider", kind: kBot, any: []tok{tBaiduspider}},
	{name: "DuckDuckBot", kind: kBot, any: []tok{tDuckDuckBot}},
	{name: "Applebot", kind: kBot, any: []tok{tApplebot}},
	{name: "AhrefsBot", kind: kBot, any: []tok{tAhrefsBot}},
	{name: "SemrushBot", kind: kBot, any: []tok{tSemrushBot}},
	{name: "MJ12bot", kind: kBot, any: []tok{tMJ12bot}},
	{name: "DotBot", kind: kBot, any: []tok{tDotBot}},
	{name: "PetalBot", kind: kBot, any: []tok{tPetalBot}},
	{name: "GPTBot", kind: kBot, any: []tok{tGPTBot}},
	{name: "ClaudeBot", kind: kBot, any: []tok{tClaudeBot}},
	{name: "CCBot", kind: kBot, any: []tok{tCCBot}},
	{name: "Bytespider", kind: kBot, any: []tok{tBytespider}},
	{name: "facebookexternalhit", kind: kBot, any: []tok{tFacebook}},
	{name: "Twitterbot", kind: kBot, any: []tok{tTwitterbot}},
	{name: "LinkedInBot", kind: kBot, any: []tok{tLinkedInBot}},
	{name: "Slackbot", kind: kBot, any: []tok{tSlackbot}},
	{name: GenericBot, kind: kBot, any: []tok{tBotWord, tSpiderWord, tCrawlWord}},

	{name: "Edge", any: []tok{tEdg, tEdge, tEdgA, tEdgiOS}},
	{name: "Opera", any: []tok{tOPR, tOpera}},
	{name: "Samsung Internet", any: []tok{tSamsung}},
	{name: "Yandex", any: []tok{tYaBrowser}},
	{name: "Vivaldi", any: []tok{tVivaldi}},
	{name: "Chromium", any: []tok{tChromium}},
	{name: "Chrome", any: []tok{tChrome, tCriOS}},
	{name: "Firefox", any: []tok{tFirefox, tFxiOS}},
	{name: "IE", any: []tok{tMSIE, tTrident}},
	{name: "Android Browser", also: tAndroid, any: []tok{tVersion}},
	{name: "Safari", also: tSafari, any: []tok{tVersion}},

	{name: "Apache-HttpClient", kind: kClient, any: []tok{tApacheHC}},
	{name: "okhttp", kind: kClient, any: []tok{tOkhttp}},
	{name: "PostmanRuntime", kind: kClient, any: []tok{tPostman}},
	{name: "python-requests", kind: kClient, any: []tok{tPyRequests}},
	{name: "Go-http-client", kind: kClient, any: []tok{tGoHTTP}},
	{name: "curl", kind: kClient, any: []tok{tCurl}},
	{name: "Wget", kind: kClient, any: []tok{tWget}},
	{name: "Java", kind: kClient, any: []tok{tJava}},
}

// OS family names that Parse may return in Info.OS (besides Other).
const (
	OSWindows  = "Windows"
	OSMacOS    = "macOS"
	OSIOS      = "iOS"
	OSAndroid  = "Android"
	OSLinux    = "Linux"
	OSChromeOS = "ChromeOS"
	OSFreeBSD  = "FreeBSD"
)

// osRule maps markers to an OS family; the first row with a found marker wins.
type osRule struct {
	name    string
	desktop bool // a browser on this OS without mobile hints is a desktop
	any     []tok

	anySet tokSet // any as a set, filled in by init
}

// osRules is ordered: Windows Phone also says "Android" and "iPhone", iOS
// says "like Mac OS X", Android says "Linux".
var osRules = [...]osRule{
	{name: OSWindows, any: []tok{tWindowsPhone}},
	{name: OSIOS, any: []tok{tIPhone, tIPad, tIPod}},
	{name: OSAndroid, any: []tok{tAndroid}},
	{name: OSWindows, desktop: true, any: []tok{tWindows, tWin32, tWin64}},
	{name: OSChromeOS, desktop: true, any: []tok{tCrOS}},
	{name: OSMacOS, desktop: true, any: []tok{tMacOSX, tMacintosh}},
	{name: OSFreeBSD, desktop: true, any: []tok{tFreeBSD}},
	{name: OSLinux, desktop: true, any: []tok{tLinux}},
}

// Device classes that Parse returns in Info.Device.
const (
	DeviceDesktop = "desktop"
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
	DeviceBot     = "bot"
	DeviceOther   = "other"
)

// Byte classes for the scanner.
const (
	cLetter = 1 << iota // A-Z a-z '_'
	cDigit              // 0-9
)

var class = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cLetter
		t[c-'a'+'A'] |= cLetter
	}
	t['_'] |= cLetter
	for c := '0'; c <= '9'; c++ {
		t[c] |= cDigit
	}
	return t
}()

// lower maps ASCII upper-case letters to lower case and every other byte to
// itself.
var lower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = byte(c - 'A' + 'a')
	}
	return t
}()

// The scanner looks up candidate markers by the first two bytes at each
// offset: bucket(a, b) selects the list pairToks[pairOff[h]:pairOff[h+1]].
// Different pairs may share a bucket; matchAt verifies every candidate. A
// folded marker is listed under every case combination of its first two
// letters. Every marker is at least two bytes long.
const numBuckets = 4096

// bucket maps the two bytes at an offset to a bucket.
func bucket(a, b byte) int { return int(a&63)<<6 | int(b&63) }

var pairToks, pairOff = func() (toks [2 * int(numTok)]tok, off [numBuckets + 1]uint8) {
	var lists [numBuckets][]tok
	for k := tok(1); k < numTok; k++ {
		for _, p := range prefixes(&markers[k]) {
			h := bucket(p[0], p[1])
			lists[h] = append(lists[h], k)
		}
	}
	n := 0
	for h := range lists {
		off[h] = uint8(n)
		n += copy(toks[n:], lists[h])
	}
	off[numBuckets] = uint8(n)
	return toks, off
}()

// prefixes returns the two-byte prefixes under which marker m is listed.
func prefixes(m *marker) [][2]byte {
	a, b := m.s[0], m.s[1]
	if !m.fold {
		return [][2]byte{{a, b}}
	}
	up := func(c byte) byte { return c - 'a' + 'A' }
	return [][2]byte{{a, b}, {up(a), b}, {a, up(b)}, {up(a), up(b)}}
}

func init() {
	for i := range families {
		fam := &families[i]
		fam.anySet = setOf(fam.any...)
		if fam.also != tNone {
			fam.alsoSet = setOf(fam.also)
		}
		familyMarkers[0] |= fam.anySet[0]
		familyMarkers[1] |= fam.anySet[1]
	}
	for i := range osRules {
		osRules[i].anySet = setOf(osRules[i].any...)
	}
}
