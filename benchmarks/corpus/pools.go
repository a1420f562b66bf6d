package corpus

// userAgents is a pool of real User-Agent strings: desktop and mobile
// browsers, bots and command-line clients. The first entries are the most
// common; pick draws from it with a skew towards them.
var userAgents = [...]string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
	"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0",
	"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.129 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
	"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
	"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.0; +https://openai.com/gptbot",
	"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
	"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
	"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko",
	"Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0; .NET CLR 2.0.50727)",
	"curl/8.4.0",
	"Wget/1.21.4",
	"python-requests/2.31.0",
	"Go-http-client/1.1",
	"okhttp/4.12.0",
	"Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)",
	"-",
}

// Names used for remote users, e-mail addresses and JSON user objects.
var (
	firstNames = [...]string{"anna", "lukas", "maria", "jonas", "sophie", "felix", "emma", "paul",
		"lea", "max", "mia", "elias", "john", "jane", "ali", "fatima"}
	lastNames = [...]string{"schmidt", "mueller", "schneider", "fischer", "weber", "meyer",
		"wagner", "becker", "doe", "smith", "yilmaz", "novak"}
	mailDomains = [...]string{"example.com", "example.org", "example.net", "mail.example"}
	remoteUsers = [...]string{"alice", "bob", "jdoe", "admin", "m.mueller", "anna.schmidt@example.com"}
	vhosts      = [...]string{"www.example.com", "shop.example.com", "blog.example.org", "api.example.net", "example.de"}
	searchWords = [...]string{"winter+jacket", "laptop", "kaffee", "running+shoes", "gift+ideas", "bike"}
	blogSlugs   = [...]string{"hello-world", "release-notes-2026", "privacy-policy", "how-we-handle-logs", "team"}
	staticFiles = [...]string{"/static/css/app.css", "/static/js/app.js", "/static/js/vendor.js",
		"/images/logo.svg", "/favicon.ico", "/robots.txt", "/fonts/inter.woff2"}
	internalPaths = [...]string{"/", "/products", "/blog/", "/cart", "/account", "/search?q=laptop"}
	jsonTags      = [...]string{"checkout", "beta", "mobile", "cache-miss", "eu-west"}
	jsonErrors    = [...]string{"upstream timeout", "connection reset by peer", "db: too many connections"}
)

// IPv4 first octets of public ranges commonly seen in European and US logs.
var v4FirstOctets = [...]byte{23, 31, 37, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 87, 88,
	89, 91, 93, 95, 109, 151, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217}

// Documentation IPv4 prefixes (RFC 5737).
var v4DocPrefixes = [...][3]byte{{192, 0, 2}, {198, 51, 100}, {203, 0, 113}}

// IPv6 /32-ish prefixes: the documentation range and real-looking global
// allocations of large ISPs and hosters.
var v6Prefixes = [...]string{"2001:db8:", "2001:db8:", "2001:db8:", "2a02:908:", "2003:e8:",
	"2a01:4f8:", "2600:1700:", "2a00:1450:", "240e:3b7:"}
