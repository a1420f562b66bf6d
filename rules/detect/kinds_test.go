package detect

import "testing"

const (
	jwtHS256 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	jwtNone  = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiJ9."
	chromeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)

func TestEmail(t *testing.T) {
	runCases(t, mustSet(t, only(Email)), []scanCase{
		{"plain", "from alice@example.com to", []string{"email:alice@example.com"}},
		{"local chars", "<first.last+tag_x-y@mail.example.co.uk>", []string{"email:first.last+tag_x-y@mail.example.co.uk"}},
		{"encoded", "/unsubscribe?email=bob%40example.org&x=1", []string{"email:bob%40example.org"}},
		{"encoded lower hex elsewhere", "to=a%2Bb%40example.de", []string{"email:a%2Bb%40example.de"}},
		{"mailto", "mailto:carol@Example.COM.", []string{"email:carol@Example.COM"}},
		{"two", "a@b.io,c@d.io", []string{"email:a@b.io", "email:c@d.io"}},
		{"leading dot", "..x@y.net", []string{"email:x@y.net"}},
		{"no dot", "user@localhost", nil},
		{"short tld", "user@example.c", nil},
		{"numeric tld", "user@10.0.0.1", nil},
		{"empty local", "@example.com", nil},
		{"empty domain", "user@ .com", nil},
		{"double dot", "user@example..com", nil},
		{"at signs", "@@@@ %40%40 a@@b.cc", nil},
		{"double encoded 40", "x%40%40y.com", nil},
		{"decorator", "@Override public", nil},
	})
}

func TestPhone(t *testing.T) {
	runCases(t, mustSet(t, only(Phone)), []scanCase{
		{"e164 spaced", "call +49 30 1234567 now", []string{"phone:+49 30 1234567"}},
		{"e164 compact", "tel:+4930123456", []string{"phone:+4930123456"}},
		{"e164 us", "+1-202-555-0143.", []string{"phone:+1-202-555-0143"}},
		{"e164 uk trunk", "Tel. +44 (0)20 7946 0958", []string{"phone:+44 (0)20 7946 0958"}},
		{"e164 glued paren", "+44(0)2079460958", []string{"phone:+44(0)2079460958"}},
		{"national", "030 1234567", []string{"phone:030 1234567"}},
		{"national slash", "Tel: 030/1234567,", []string{"phone:030/1234567"}},
		{"mobile", "0171-1234567", []string{"phone:0171-1234567"}},
		{"paren area", "(030) 123 456 78", []string{"phone:(030) 123 456 78"}},
		{"paren glued", "(030)12345678", []string{"phone:(030)12345678"}},
		{"double zero", "0049 30 1234567", []string{"phone:0049 30 1234567"}},
		{"plain mobile", "phone=01711234567&x", []string{"phone:01711234567"}},
		{"followed by a parenthesis", "+49 30 9834099 (0171-1234567)", []string{"phone:+49 30 9834099", "phone:0171-1234567"}},
		{"followed by words in parentheses", "030 1234567 (mobile)", []string{"phone:030 1234567"}},
		{"date iso", "2026-11-23", nil},
		{"date dmy", "01-02-2026 and 01/02/2026", nil},
		{"timestamp", "[23/Nov/2026:08:15:30 +0100]", nil},
		{"time", "08:15:30.123456", nil},
		{"version", "v1.2.3 537.36 0.9.1 010.1.2.3", nil},
		{"ip", "010.001.002.003", nil},
		{"status bytes", `"GET / HTTP/1.1" 200 5123 0`, nil},
		{"hex id", "0a1b2c3d4e5f 0x12345678 deadbeef0123456", nil},
		{"plain number", "1711234567 and 4930123456", nil},
		{"too short", "+49 301", nil},
		{"too long", "+49 30 1234567890123", nil},
		{"glued letter", "x+4930123456 0301234567a", nil},
		{"decimal", "0301234567.5", nil},
		{"single digit groups", "0 1 2 3 4 5 6 7 8", nil},
		{"triple zero", "000 1234567", nil},
		{"unclosed paren", "(030 1234567", []string{"phone:030 1234567"}},
		{"timezone", "+0100 +0000", nil},
	})
}

func TestIBAN(t *testing.T) {
	runCases(t, mustSet(t, only(IBAN)), []scanCase{
		{"de compact", "IBAN DE89370400440532013000.", []string{"iban:DE89370400440532013000"}},
		{"de grouped", "DE89 3704 0044 0532 0130 00 EUR", []string{"iban:DE89 3704 0044 0532 0130 00"}},
		{"de lower", "iban=de89370400440532013000", []string{"iban:de89370400440532013000"}},
		{"gb letters", "GB82 WEST 1234 5698 7654 32", []string{"iban:GB82 WEST 1234 5698 7654 32"}},
		{"fr", "FR1420041010050500013M02606", []string{"iban:FR1420041010050500013M02606"}},
		{"at grouped then word", "AT61 1904 3002 3457 3201 next", []string{"iban:AT61 1904 3002 3457 3201"}},
		{"others", "NL91ABNA0417164300 CH9300762011623852957 BE68539007547034 NO9386011117947",
			[]string{"iban:NL91ABNA0417164300", "iban:CH9300762011623852957", "iban:BE68539007547034", "iban:NO9386011117947"}},
		{"more", "ES9121000418450200051332;IT60X0542811101000000123456;PL61109010140000071219812874",
			[]string{"iban:ES9121000418450200051332", "iban:IT60X0542811101000000123456", "iban:PL61109010140000071219812874"}},
		{"nordic", "DK5000400440116243 SE4550000000058398257466 FI2112345600000785",
			[]string{"iban:DK5000400440116243", "iban:SE4550000000058398257466", "iban:FI2112345600000785"}},
		{"ie pt lu", "IE29AIBK93115212345678 PT50000201231234567890154 LU280019400644750000",
			[]string{"iban:IE29AIBK93115212345678", "iban:PT50000201231234567890154", "iban:LU280019400644750000"}},
		{"bad checksum", "DE89370400440532013001", nil},
		{"bad check digits", "DE88 3704 0044 0532 0130 00", nil},
		{"wrong length", "DE8937040044053201300", nil},
		{"glued", "xDE89370400440532013000 DE893704004405320130001", nil},
		{"bad grouping", "DE89 37040044 0532 0130 00", nil},
		{"hex id", "ab12cdef0123456789abcdef", nil},
	})
}

func TestCard(t *testing.T) {
	runCases(t, mustSet(t, only(Card)), []scanCase{
		{"visa", "card=4111111111111111&x", []string{"card:4111111111111111"}},
		{"visa spaced", "4111 1111 1111 1111", []string{"card:4111 1111 1111 1111"}},
		{"visa dashed", "(4111-1111-1111-1111)", []string{"card:4111-1111-1111-1111"}},
		{"mastercard", "5500000000000004", []string{"card:5500000000000004"}},
		{"amex", "3782 822463 10005", []string{"card:3782 822463 10005"}},
		{"discover", "6011111111111117.", []string{"card:6011111111111117"}},
		{"luhn invalid", "4111111111111112 4111 1111 1111 1112", nil},
		{"longer run", "41111111111111110 14111111111111111", nil},
		{"glued", "x4111111111111111 4111111111111111y", nil},
		{"mixed separators", "4111 1111-1111 1111", nil},
		{"double separator", "4111  1111 1111 1111", nil},
		{"decimal", "4111111111111111.5 0.4111111111111111", nil},
		{"timestamp ms", "1732345678901 1700000000006", nil},
		{"too short", "411111111111", nil},
	})
}

func TestJWT(t *testing.T) {
	runCases(t, mustSet(t, only(JWT)), []scanCase{
		{"hs256", "token=" + jwtHS256 + "&x=1", []string{"jwt:" + jwtHS256}},
		{"alg none", `"id":"` + jwtNone + `"`, []string{"jwt:" + jwtNone}},
		{"jwe", "eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn end", []string{"jwt:eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn"}},
		{"glued", "xeyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIx.c2ln", nil},
		{"one dot", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIx", nil},
		{"short header", "eyJh.eyJz.c2ln", nil},
		{"not base64", "eyJ is how {\" starts", nil},
	})
}

func TestAuth(t *testing.T) {
	runCases(t, mustSet(t, only(Auth)), []scanCase{
		{"bearer header", "Authorization: Bearer abc.DEF-123_x~y+z/0==", []string{"auth:abc.DEF-123_x~y+z/0=="}},
		{"basic header", "authorization: basic dXNlcjpwYXNz\r\n", []string{"auth:dXNlcjpwYXNz"}},
		{"other scheme", `"Authorization": "token ghp_abcdef123"`, []string{"auth:ghp_abcdef123"}},
		{"no scheme", "authorization=s3cr3t&x", []string{"auth:s3cr3t"}},
		{"proxy", "Proxy-Authorization: Basic Zm9vOmJhcg==", []string{"auth:Zm9vOmJhcg=="}},
		{"bare bearer", "using bearer Abcdefgh123 for", []string{"auth:Abcdefgh123"}},
		{"bare basic", "[Basic YWxhZGRpbjpvcGVuc2VzYW1l]", []string{"auth:YWxhZGRpbjpvcGVuc2VzYW1l"}},
		{"prose", "basic authentication failed; bearer tokens expired; Bearer abc", nil},
		{"bare basic not base64", "Basic dXNlcjp-YXNz", nil},
		{"short", "Bearer Ab1", nil},
		{"glued keyword", "xBearer Abcdefgh123 mybasic Zm9vOmJhcg==", nil},
		{"no separator", "Authorization Bearer", nil},
	})
}

func TestSecretToken(t *testing.T) {
	runCases(t, mustSet(t, only(Secret, Token)), []scanCase{
		{"url userinfo", "https://alice:s3cret@example.com/x", []string{"secret:alice:s3cret"}},
		{"url user only", "git clone https://ghp_token123@github.com/a/b", []string{"secret:ghp_token123"}},
		{"url at in password", "ftp://u:p@ss@host/", []string{"secret:u:p@ss"}},
		{"url no userinfo", "https://example.com/a@b", nil},
		{"object value", `{"session":{"id":"x"},"token": ["a"]}`, nil},
		{"query", "/login?user=bob&password=hunter2&next=/", []string{"secret:hunter2"}},
		{"query token", "GET /cb?session=1&access_token=abc.def#frag HTTP/1.1", []string{"token:1", "secret:abc.def"}},
		{"case", "?API_KEY=XYZ123;Path=/", []string{"secret:XYZ123"}},
		{"cookie", "Cookie: theme=dark; JSESSIONID=ABCDEF0123; lang=de", []string{"token:ABCDEF0123"}},
		{"path param", "/app;jsessionid=0AF3?x=1", []string{"token:0AF3"}},
		{"logfmt", `level=info sid=42 pwd="a b c" msg=ok`, []string{"token:42", "secret:a b c"}},
		{"json", `{"client_secret":"s\"x", "refresh_token": "r1"}`, []string{`secret:s\"x`, "secret:r1"}},
		{"text colon", "password: hunter2, token:\tabc", []string{"secret:hunter2", "token:abc"}},
		{"single quotes", "secret='x y'", []string{"secret:x y"}},
		{"longer name", "bypass=1 tokens=2 my.password=3 session-ids=4 _=5", nil},
		{"separators and case", "X-Api-Key: k1 x_api_key=k2 apiKey=k3 Session-ID=k4 X_AUTH_TOKEN=k5", []string{"secret:k1", "secret:k2", "secret:k3", "token:k4", "secret:k5"}},
		{"oauth query", "GET /cb?code=c1&state=s&id_token=t1&refresh_token=r1&client_secret=cs HTTP/1.1", []string{"secret:c1", "secret:t1", "secret:r1", "secret:cs"}},
		{"oauth code only in queries", `status code=404 code: 7 {"code":"E1"} /x?a=1&code=c2`, []string{"secret:c2"}},
		{"logfmt secrets", "id_token=t1 refresh_token=r1 client_secret=cs aws_secret_access_key=AK/x+y x-auth-token=a1", []string{"secret:t1", "secret:r1", "secret:cs", "secret:AK/x+y", "secret:a1"}},
		{"json headers", `{"X-Api-Key":"k1","api-key":"k2","x-auth-token":"k3","access_token":"k4"}`, []string{"secret:k1", "secret:k2", "secret:k3", "secret:k4"}},
		{"empty", "password=&token=;pwd=", nil},
		{"request line", "GET /index.php?id=42&page=3 HTTP/1.1", nil},
	})
	s := mustSet(t, only(Token))
	runCases(t, s, []scanCase{{"secret off", "password=x&token=y https://u:p@h", []string{"token:y"}}})
}

func TestUserPath(t *testing.T) {
	runCases(t, mustSet(t, only(Token)), []scanCase{
		{"users", "GET /users/jdoe/settings HTTP/1.1", []string{"token:jdoe"}},
		{"tilde", "https://example.org/~alice/", []string{"token:alice"}},
		{"numeric id", "/user/4711?tab=1", []string{"token:4711"}},
		{"u profile account", "/u/bob /profile/carol#x /Account/dave;v=1", []string{"token:bob", "token:carol", "token:dave"}},
		{"end of text", "see /~erin", []string{"token:erin"}},
		{"empty segment", "/users/ /users?x=1 /users//x /~/", nil},
		{"not a prefix", "/username/x /abc/u/ /menu/x /usersx/y", nil},
		{"host not path", "https://u/x", nil},
		{"json", `{"uri":"/users/jdoe"}`, []string{"token:jdoe"}},
	})
	if got := mustSet(t, only(Secret)).Scan([]byte("/users/jdoe"), nil); len(got) != 0 {
		t.Errorf("user path found with Token off: %v", got)
	}
}

func TestCustom(t *testing.T) {
	c := only()
	c.Patterns = []Pattern{{Name: "order", Regex: `order-(\d+)`}, {Name: "cust", Regex: `C[0-9]{4}`}, {Name: "empty", Regex: `x*`}}
	s := mustSet(t, c)
	text := "order-123 C1234 order-"
	got := s.Scan([]byte(text), nil)
	want := []Match{{Custom, 6, 9, 0}, {Custom, 10, 15, 1}}
	if len(got) != len(want) {
		t.Fatalf("Scan = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("match %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestNoFalsePositives(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	runCases(t, s, []scanCase{
		{"chrome ua", chromeUA, nil},
		{"firefox ua", "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", nil},
		{"curl ua", "curl/8.5.0", nil},
		{"edge ua", chromeUA + " Edg/120.0.2210.91 OPR/106.0.0.0", nil},
		{"request line", "GET /index.php?id=42&page=3 HTTP/1.1", nil},
		{"request", `"POST /api/v2/items/12345/comments?sort=desc HTTP/2.0" 201 532 "-"`, nil},
		{"dates", "2026-11-23T08:15:30.123Z 2026-11-23 08:15:30,123 23/Nov/2026:08:15:30 +0100", nil},
		{"syslog", "Nov 23 08:15:30 web01 systemd[1]: Started session 4711 of user.", nil},
		{"uuid", "req=3f2504e0-4f89-11d3-9a0c-0305e82c3301 trace=4bf92f3577b34da6a3ce929d0e0e4736", nil},
		{"numbers", "took 1234567 ns, 0.000123 s, size 20480000 bytes, pid 31337", nil},
	})
}

func TestCombined(t *testing.T) {
	s := mustSet(t, DefaultConfig())
	runCases(t, s, []scanCase{
		{"apache", `203.0.113.7 - - [23/Nov/2026:08:15:30 +0100] "GET /reset?email=eve%40example.com&token=abc123 HTTP/1.1" 200 512 "https://u:pw@ref.example/" "` + chromeUA + `"`,
			[]string{"ipv4:203.0.113.7", "email:eve%40example.com", "token:abc123", "secret:u:pw"}},
		{"ipv6 and mail", "client [2001:db8::1]:443 user=x@y.de", []string{"ipv6:2001:db8::1", "email:x@y.de"}},
		{"overlap earlier wins", "password=alice@example.com", []string{"secret:alice@example.com"}},
		{"tie token over jwt", "token=" + jwtHS256, []string{"token:" + jwtHS256}},
		{"overlap longer wins", "x=0301234567@example.com", []string{"email:0301234567@example.com"}},
		{"ip in url path", "GET /lookup/10.1.2.3 and http://10.0.0.2/", []string{"ipv4:10.1.2.3", "ipv4:10.0.0.2"}},
		// A product version is a version even when it is a valid address;
		// a name that announces an address does not make one.
		{"version like an address", "Gecko/20070515 Firefox/2.0.0.4 Chrome/120.0.0.0 ip/2.0.0.4", []string{"ipv4:2.0.0.4"}},
		{"jwt after bearer", "Authorization: Bearer " + jwtHS256, []string{"auth:" + jwtHS256}},
		{"mixed", "mail bob@example.com, phone +49 171 1234567, iban DE89370400440532013000, card 4111 1111 1111 1111, ip 10.0.0.1",
			[]string{"email:bob@example.com", "phone:+49 171 1234567", "iban:DE89370400440532013000", "card:4111 1111 1111 1111", "ipv4:10.0.0.1"}},
	})
}
