// Package corpus generates deterministic (seeded) synthetic web-server and
// application logs for benchmarks and leak tests.
//
// The lines look like real traffic: client addresses follow a Zipf-like
// distribution (a few very active clients, a long tail), about 15% of the
// clients use IPv6 and about 3% IPv4-mapped IPv6 (::ffff:a.b.c.d);
// timestamps increase by small random steps; paths carry query strings
// with session ids, tokens and e-mail addresses; referers carry tracking
// parameters and e-mail addresses; User-Agents come from a pool of real
// strings. Everything personal-looking uses documentation names and
// ranges or invented names, so the corpus is safe to commit, but it is
// shaped like personal data so leak tests can look for it.
package corpus

import (
	"bufio"
	"errors"
	"io"
	"math/rand/v2"
	"time"
)

// Kind selects the log format a Generator produces.
type Kind uint8

// Log formats.
const (
	// Combined is the nginx "main" format: Apache combined plus a trailing
	// "$http_x_forwarded_for" field.
	Combined Kind = iota
	// VhostCombined is Combined prefixed with "host:port ".
	VhostCombined
	// JSON is a structured application log, one JSON object per line.
	JSON
)

// kindNames is indexed by Kind.
var kindNames = [...]string{Combined: "combined", VhostCombined: "vhost", JSON: "json"}

// String returns the name ParseKind accepts.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ErrUnknownKind is returned by ParseKind for a name it does not know.
var ErrUnknownKind = errors.New("corpus: unknown kind (want combined, vhost or json)")

// ParseKind returns the Kind named s ("combined", "vhost" or "json").
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if s == name {
			return Kind(k), nil
		}
	}
	return 0, ErrUnknownKind
}

// DefaultClients is the number of distinct client addresses when
// Options.Clients is not set.
const DefaultClients = 5000

// zipfS is the Zipf exponent of client activity; with 5000 clients the ten
// most active produce about 40% of the lines.
const zipfS = 1.1

// Options configure a Generator.
type Options struct {
	// Kind is the log format.
	Kind Kind
	// Seed makes the output deterministic: the same options give the same
	// bytes.
	Seed int64
	// Start is the time of the first line; zero means
	// 2026-11-20 13:55:36 +0100.
	Start time.Time
	// Clients is the number of distinct client addresses; 0 means
	// DefaultClients.
	Clients int
}

// Generator produces log lines. It is not safe for concurrent use.
type Generator struct {
	kind    Kind
	seed    uint64
	clients int
	rng     *rand.Rand
	zipf    *rand.Zipf
	now     time.Time
	buf     []byte
}

// New returns a Generator for o.
func New(o Options) *Generator {
	if o.Clients <= 0 {
		o.Clients = DefaultClients
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 20, 13, 55, 36, 0, time.FixedZone("", 3600))
	}
	seed := uint64(o.Seed)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	return &Generator{
		kind:    o.Kind,
		seed:    seed,
		clients: o.Clients,
		rng:     rng,
		zipf:    rand.NewZipf(rng, zipfS, 1, uint64(o.Clients-1)),
		now:     o.Start,
	}
}

// AppendLine appends one line (with trailing '\n') to dst. The output is
// deterministic for a given seed; it allocates nothing once dst has room
// for a line.
func (g *Generator) AppendLine(dst []byte) []byte {
	g.now = g.now.Add(time.Duration(g.rng.IntN(1500)) * time.Millisecond)
	var r request
	g.newRequest(&r)
	switch g.kind {
	case VhostCombined:
		dst = g.appendVhost(dst)
		dst = g.appendCombined(dst, &r)
	case JSON:
		dst = g.appendJSON(dst, &r)
	default:
		dst = g.appendCombined(dst, &r)
	}
	return append(dst, '\n')
}

// WriteN writes n lines to w through a buffer and returns the number of
// bytes written.
func (g *Generator) WriteN(w io.Writer, n int) (int64, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var written int64
	for i := 0; i < n; i++ {
		g.buf = g.AppendLine(g.buf[:0])
		m, err := bw.Write(g.buf)
		written += int64(m)
		if err != nil {
			return written, err
		}
	}
	return written, bw.Flush()
}

// request holds the parts of one request shared by all formats.
type request struct {
	client int    // client index, Zipf-distributed
	method string // HTTP method
	kind   int    // path template, see appendPath
	status int
	bytes  int
	ua     string
}

// newRequest draws the parts of the next request.
func (g *Generator) newRequest(r *request) {
	r.client = int(g.zipf.Uint64())
	r.method = g.method()
	r.kind = g.rng.IntN(100)
	r.status = g.status()
	r.bytes = g.size(r.status)
	r.ua = g.userAgent(r.client)
}

// method draws an HTTP method.
func (g *Generator) method() string {
	switch p := g.rng.IntN(100); {
	case p < 85:
		return "GET"
	case p < 93:
		return "POST"
	case p < 96:
		return "HEAD"
	case p < 98:
		return "PUT"
	case p < 99:
		return "DELETE"
	}
	return "OPTIONS"
}

// status draws a response status: 200 80%, then 304, 404, 301, 500 and a
// few others.
func (g *Generator) status() int {
	switch p := g.rng.IntN(1000); {
	case p < 800:
		return 200
	case p < 870:
		return 304
	case p < 930:
		return 404
	case p < 970:
		return 301
	case p < 980:
		return 500
	case p < 990:
		return 302
	case p < 995:
		return 403
	}
	return 206
}

// size draws a response size for status.
func (g *Generator) size(status int) int {
	switch status {
	case 304:
		return 0
	case 301, 302:
		return 162 + g.rng.IntN(80)
	case 200, 206:
		// roughly log-uniform from 200 B to 500 kB
		n := 200
		for steps := g.rng.IntN(12); steps > 0; steps-- {
			n = n * 2
		}
		return n + g.rng.IntN(n)
	}
	return 150 + g.rng.IntN(600)
}

// userAgent returns the client's usual User-Agent, and now and then
// another one (clients behind NAT, browser updates).
func (g *Generator) userAgent(client int) string {
	i := int(mix(g.seed, uint64(client), 1) % uint64(len(userAgents)))
	if g.rng.IntN(10) == 0 {
		i = g.rng.IntN(len(userAgents))
	}
	return userAgents[i]
}

// pick returns a uniformly drawn element of pool.
func pick[T any](g *Generator, pool []T) T {
	return pool[g.rng.IntN(len(pool))]
}

// mix hashes a seed, a value and a purpose tag into 64 well-mixed bits
// (splitmix64 finaliser); the same inputs always give the same bits.
func mix(seed, v, tag uint64) uint64 {
	z := seed ^ v*0x9e3779b97f4a7c15 ^ tag*0xbf58476d1ce4e5b9
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
