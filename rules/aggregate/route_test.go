package aggregate

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

var routeCases = []struct{ in, want string }{
	// Target forms.
	{"/", "/"},
	{"", "/:invalid"},
	{"*", "*"},
	{"**", "/:invalid"},
	{"-", "/:invalid"},
	{"example.com:443", "/:invalid"},
	{"mailto:a@b.example", "/:invalid"},
	{"http:/x", "/:invalid"},
	{"http://example.com/api/v2/items/42", "/api/v2/items/:id"},
	{"https://user:secret@example.com", "/"},
	{"https://example.com?x=1", "/"},
	{"HTTP://example.com/a/", "/a/"},
	{"svn+ssh://example.com/repo/trunk", "/repo/trunk"},
	// Query, fragment, slashes.
	{"/api/users/12345/orders?x=1", "/api/users/:id/orders"},
	{"/api/users/12345/orders#top", "/api/users/:id/orders"},
	{"/?email=a@b.example", "/"},
	{"/search?q=12345678", "/search"},
	{"//a//b///c", "/a/b/c"},
	{"/users/", "/users/"},
	{"/users//", "/users/"},
	{"///", "/"},
	// Words are kept.
	{"/index.html", "/index.html"},
	{"/wp-login.php", "/wp-login.php"},
	{"/v2/docs", "/v2/docs"},
	{"/robots.txt", "/robots.txt"},
	{"/user12", "/user12"},
	{"/c/deadbee", "/c/deadbee"},
	{"/t/abcdefghijklmnop", "/t/abcdefghijklmnop"},
	{"/files/report.2024.pdf", "/files/report.2024.pdf"},
	{"/js/jquery-3.6.0.min.js", "/js/jquery-3.6.0.min.js"},
	{"/v/v1.2.3", "/v/v1.2.3"},
	{"/~john/", "/~john/"},
	{"/...", "/..."},
	{"/../../etc/passwd", "/../../etc/passwd"},
	{"/a(1)/b=c,d!e$f&g'h*i+j:k", "/a(1)/b=c,d!e$f&g'h*i+j:k"},
	{"/:id/x", "/:id/x"},
	// Numbers and identifiers.
	{"/12345", "/:id"},
	{"/0", "/:id"},
	{"/12345.json", "/:id.json"},
	{"/7.json", "/:id.json"},
	{"/img/photo-12345.jpg", "/img/:id.jpg"},
	{"/user12345", "/:id"},
	{"/user1234", "/:id"}, // 3 or more digits in 8 or more bytes
	{"/static/main.a1b2c3d4.js", "/static/main.:id.js"},
	{"/u/550e8400-e29b-41d4-a716-446655440000", "/u/:id"},
	{"/u/550E8400-E29B-41D4-A716-446655440000/x", "/u/:id/x"},
	{"/u/550e8400-e29b-41d4-a716-446655440000.json", "/u/:id.json"},
	{"/c/deadbeef", "/c/:id"},
	{"/commit/3F2A9C1E0B7D", "/commit/:id"},
	{"/t/aZ3kPqRsTuVwXyZa", "/t/:id"},
	{"/t/aZkPqRsTuVwXyZ-_", "/t/aZkPqRsTuVwXyZ-_"}, // no digit: a word
	{"/reset/Xk9-2_m7", "/reset/:id"},
	{"/reset/Xk9-2_mP", "/reset/Xk9-2_mP"},
	{"/api/orders/ORD-2024-000123", "/api/orders/:id"},
	{"/2024-05-01/post", "/:id/post"},
	{"/ip/192.168.1.1", "/ip/:id"},
	{"/v/1.2.3", "/v/:id"},
	{"/p/+4917012345678", "/p/:id"},
	{"/k/a:12345", "/k/:id"},
	// Personal data and escapes.
	{"/u/john.doe@example.com/profile", "/u/:id/profile"},
	{"/u/john.doe%40example.com", "/u/:id"},
	{"/search/caf%C3%A9", "/search/:id"},
	{"/caf\xc3\xa9", "/:id"},
	{"/x/..%2f..%2fetc", "/x/:id"},
	{"/<script>", "/:id"},
	{"/a b", "/:id"},
	{"/a\\b", "/:id"},
	{"/a\x00b", "/:id"},
	// Path parameters.
	{"/a;jsessionid=0123ABC/b", "/a/b"},
	{"/;x=1", "/:id"},
	{"/shop;jsessionid=x/", "/shop/"},
	// Bounds.
	{"/a/b/c/d/e/f/g/h", "/a/b/c/d/e/f/g/h"},
	{"/a/b/c/d/e/f/g/h/", "/a/b/c/d/e/f/g/h/"},
	{"/a/b/c/d/e/f/g/h//", "/a/b/c/d/e/f/g/h/"},
	{"/a/b/c/d/e/f/g/h/i", "/a/b/c/d/e/f/g/..."},
	{"/a/b/c/d/e/f/g/h/i/", "/a/b/c/d/e/f/g/..."},
	{"/" + strings.Repeat("word", 16), "/" + strings.Repeat("word", 16)},
	{"/" + strings.Repeat("word", 16) + "s/b", "/:id/b"},
	{"/1." + strings.Repeat("x", 62), "/:id"}, // ":id.xxx…" would be 66 bytes
	{"/aaaaaaaa", "/:id"},                     // hex
	{"/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig", "/:id.:id.sig"},
}

func TestAppendRoute(t *testing.T) {
	for _, c := range routeCases {
		if got := string(AppendRoute(nil, []byte(c.in))); got != c.want {
			t.Errorf("AppendRoute(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAppendRouteAppends(t *testing.T) {
	got := AppendRoute([]byte("GET "), []byte("/a/1"))
	if string(got) != "GET /a/:id" {
		t.Fatalf("got %q", got)
	}
}

// checkRoute reports what is wrong with template out of input in.
func checkRoute(t *testing.T, in, out []byte) {
	t.Helper()
	if len(out) == 0 || out[0] != '/' && string(out) != "*" {
		t.Fatalf("AppendRoute(%q) = %q: neither \"*\" nor starting with '/'", in, out)
	}
	if len(out) > routeMaxSegments*(routeMaxSegmentLen+1)+1 {
		t.Fatalf("AppendRoute(%q) = %q: %d bytes", in, out, len(out))
	}
	if i := bytes.IndexAny(out, "@?#%;"); i >= 0 {
		t.Fatalf("AppendRoute(%q) = %q: holds %q", in, out, out[i])
	}
	run := 0
	for _, c := range out {
		if run++; !isDigit(c) {
			run = 0
		}
		if run >= 5 {
			t.Fatalf("AppendRoute(%q) = %q: a run of 5 digits", in, out)
		}
	}
	for _, c := range out {
		if c != '/' && !routeSafe[c] {
			t.Fatalf("AppendRoute(%q) = %q: byte %q", in, out, c)
		}
	}
	if again := AppendRoute(nil, out); !bytes.Equal(again, out) {
		t.Fatalf("AppendRoute(%q) = %q, but AppendRoute of that is %q", in, out, again)
	}
}

func FuzzAppendRoute(f *testing.F) {
	for _, c := range routeCases {
		f.Add([]byte(c.in))
	}
	f.Add([]byte("/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"))
	f.Add([]byte("https://h/" + strings.Repeat("9", 200)))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkRoute(t, in, AppendRoute(nil, in))
	})
}

// routeGen builds random request targets from fixed shapes whose {id}
// slots are filled with random identifiers and personal data.
type routeGen struct {
	r   *rand.Rand
	buf []byte
}

// routeShapes are the shapes and their templates; "{id}" is a random
// identifier, "{id}." one that is followed by an extension.
var routeShapes = []struct{ shape, template string }{
	{"/api/users/{id}/orders", "/api/users/:id/orders"},
	{"/api/users/{id}/orders/{id}", "/api/users/:id/orders/:id"},
	{"/static/{id}.json", "/static/:id.json"},
	{"/profile/{id}", "/profile/:id"},
	{"/search/{id}/results", "/search/:id/results"},
	{"/reset/{id}", "/reset/:id"},
	{"/download/{id}.pdf", "/download/:id.pdf"},
	{"/v2/items/{id}/reviews/", "/v2/items/:id/reviews/"},
	{"/blog/{id}/{id}/comments", "/blog/:id/:id/comments"},
	{"/{id}", "/:id"},
}

const (
	hexDigits = "0123456789abcdef"
	base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)

// path returns a random target of shape s.
func (g *routeGen) path(s string) []byte {
	g.buf = g.buf[:0]
	if g.r.IntN(4) == 0 {
		g.buf = append(g.buf, "https://shop.example"...)
	}
	for s != "" {
		i := strings.Index(s, "{id}")
		if i < 0 {
			g.buf = append(g.buf, s...)
			break
		}
		g.buf = append(g.buf, s[:i]...)
		s = s[i+4:]
		g.id(strings.HasPrefix(s, "."))
		if strings.HasPrefix(s, "/") && g.r.IntN(8) == 0 {
			g.buf = append(g.buf, '/') // a repeated slash
		}
	}
	switch g.r.IntN(4) {
	case 0:
		g.buf = append(g.buf, "?email=jane.doe@example.com&id=123456"...)
	case 1:
		g.buf = append(g.buf, "#section-42"...)
	}
	return g.buf
}

// id appends a random identifier; stem: one an extension follows.
func (g *routeGen) id(stem bool) {
	kinds := 9
	if stem {
		kinds = 4 // the kinds that are identifiers before a '.'
	}
	switch g.r.IntN(kinds) {
	case 0:
		g.buf = strconv.AppendUint(g.buf, g.r.Uint64N(1e19), 10)
	case 1:
		g.uuid()
	case 2:
		g.random(hexDigits, 8+g.r.IntN(33), false)
	case 3:
		g.random(base64url, 16+g.r.IntN(33), true)
	case 4:
		g.random("abcdefghijklmnopqrstuvwxyz", 3+g.r.IntN(8), false)
		g.buf = append(g.buf, '.')
		g.random("abcdefghijklmnopqrstuvwxyz", 3+g.r.IntN(8), false)
		g.buf = append(g.buf, "@example.org"...)
	case 5:
		g.buf = append(g.buf, "j%C3%B6rg-"...)
		g.random("abcdefghijklmnopqrstuvwxyz", 3+g.r.IntN(8), false)
	case 6:
		g.buf = append(g.buf, "2025-"...)
		g.random("0123456789", 2, false)
		g.buf = append(g.buf, '-')
		g.random("0123456789", 2, false)
	case 7:
		g.random("0123456789", 1+g.r.IntN(3), false)
		g.buf = append(g.buf, '.')
		g.random("0123456789", 1+g.r.IntN(3), false)
		g.buf = append(g.buf, '.')
		g.random("0123456789", 1+g.r.IntN(3), false)
	case 8:
		g.random("abcdefghijklmnopqrstuvwxyz0123456789", 8+g.r.IntN(8), false)
		g.buf = append(g.buf, '-')
		g.random("0123456789", 3, false)
	}
	if !stem && g.r.IntN(16) == 0 {
		g.buf = append(g.buf, ";jsessionid="...)
		g.random(hexDigits, 32, false)
	}
}

// uuid appends a random UUID in random case.
func (g *routeGen) uuid() {
	const hexUpper = "0123456789ABCDEF"
	digits := hexDigits
	if g.r.IntN(2) == 0 {
		digits = hexUpper
	}
	for i, n := range []int{8, 4, 4, 4, 12} {
		if i > 0 {
			g.buf = append(g.buf, '-')
		}
		g.random(digits, n, false)
	}
}

// random appends n random bytes of alphabet; digit forces one digit.
func (g *routeGen) random(alphabet string, n int, digit bool) {
	start := len(g.buf)
	for range n {
		g.buf = append(g.buf, alphabet[g.r.IntN(len(alphabet))])
	}
	if digit {
		g.buf[start+g.r.IntN(n)] = byte('0' + g.r.IntN(10))
	}
}

func TestAppendRouteBoundsCardinality(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	g := &routeGen{r: rand.New(rand.NewPCG(1, 2))}
	seen := map[string]int{}
	var out []byte
	for range n {
		s := routeShapes[g.r.IntN(len(routeShapes))]
		in := g.path(s.shape)
		out = AppendRoute(out[:0], in)
		if string(out) != s.template {
			t.Fatalf("AppendRoute(%q) = %q, want %q", in, out, s.template)
		}
		seen[string(out)]++
	}
	if len(seen) > 50 || len(seen) != len(routeShapes) {
		t.Fatalf("%d unique paths gave %d templates, want %d", n, len(seen), len(routeShapes))
	}
}

func TestAppendRouteAllocatesNothing(t *testing.T) {
	dst := make([]byte, 0, 1024)
	for _, c := range routeCases {
		in := []byte(c.in)
		if n := testing.AllocsPerRun(10, func() { dst = AppendRoute(dst[:0], in) }); n != 0 {
			t.Errorf("AppendRoute(%q): %v allocations", c.in, n)
		}
	}
}

func BenchmarkAppendRoute(b *testing.B) {
	uris := [][]byte{
		[]byte("/api/users/12345/orders?x=1"),
		[]byte("/static/js/main.a1b2c3d4.js"),
		[]byte("/index.html"),
		[]byte("https://shop.example/u/550e8400-e29b-41d4-a716-446655440000/profile"),
		[]byte("/wp-content/uploads/2024/05/photo-12345.jpg"),
		[]byte("/reset/aZ3kPqRsTuVwXyZa0123?token=abc"),
	}
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dst = AppendRoute(dst[:0], uris[i%len(uris)])
	}
}
