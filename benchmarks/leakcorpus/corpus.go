// Package leakcorpus generates an independent leak corpus for tarn: log
// records of twelve kinds (web servers, proxies, an LLM gateway, Go
// services, sshd/sudo/PAM, mail servers, container runtimes, stack traces,
// plain text) in the line shapes the real software writes, with personal
// data and secrets planted in every spelling the issue lists (and a few
// more from the software's documentation), and look-alikes — versions,
// ids, hashes, durations — that an anonymizer must leave alone.
//
// Generate is deterministic for a seed. Each Record says which values it
// plants and which look-alikes it holds; Check finds planted values in
// anonymized output in every form a reader could recover them from
// (whole, case-folded, URL- or JSON-decoded, separators removed, an
// e-mail's local part, a phone's last seven digits, a German IBAN's
// account number) and look-alikes that did not survive verbatim.
package leakcorpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Categories of planted values.
const (
	User    = "user"
	Secret  = "secret"
	Phone   = "phone"
	IP      = "ip"
	Email   = "email"
	IBAN    = "iban"
	Card    = "card"
	Session = "session"
	Name    = "name"
	Address = "address"
)

// Kind is one kind of log.
type Kind struct {
	// Name is the kind's short name, e.g. "caddy".
	Name string
	// Format is the explicit `tarn filter --format` and agent input format
	// for the kind ("" where only auto/text applies).
	Format string
	// MessageFormat is the agent's message_format for container records.
	MessageFormat string
}

// Kinds are the twelve kinds of logs, in generation order.
var Kinds = []Kind{
	{Name: "nginx-access", Format: "combined"},
	{Name: "nginx-error", Format: "nginx_error"},
	{Name: "apache-vhost", Format: "combined"},
	{Name: "caddy", Format: "json"},
	{Name: "traefik", Format: "json"},
	{Name: "llm-gateway", Format: "json"},
	{Name: "go-logfmt", Format: "logfmt"},
	{Name: "auth-syslog", Format: "syslog"},
	{Name: "mail-syslog", Format: "syslog"},
	{Name: "cri", Format: "cri", MessageFormat: "json"},
	{Name: "stacktrace", Format: "text"},
	{Name: "plain-text", Format: "text"},
}

// Value is one planted value.
type Value struct {
	// Category is one of the category constants (User, Secret, ...).
	Category string
	// Spelling names how the value is written, e.g. "us-paren" for
	// "(415) 971-8223" or "x-api-key-json" for a JSON header.
	Spelling string
	// Text is the value as planted (before any URL or JSON encoding the
	// line applies to it).
	Text string
}

// LookAlike is a string that resembles personal data and must survive
// anonymization byte for byte, with the context that makes it one.
type LookAlike struct {
	// What names it, e.g. "version4", "uuid", "trace_id".
	What string
	// Text is the string as it appears in the line.
	Text string
}

// Record is one generated log record: one or more physical lines (stack
// traces span several; a CRI record split by the runtime is a P and an F
// line).
type Record struct {
	Kind       string
	Lines      []string
	Planted    []Value
	LookAlikes []LookAlike
	// Labels and Metadata are set on the records of Senders: the stream
	// labels and structured metadata a log shipper attaches.
	Labels, Metadata map[string]string
}

// Corpus is the generated records of every kind.
type Corpus struct {
	Records []Record
}

// Generate returns n records of each of the twelve kinds, dated from day
// on at one second apart, deterministic for seed.
func Generate(seed uint64, n int, day time.Time) *Corpus {
	r := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	c := &Corpus{}
	used := map[string]bool{}
	for _, k := range Kinds {
		for i := range n {
			b := &rb{g: gen{r, used}, rec: Record{Kind: k.Name}}
			t := day.Add(time.Duration(i)*time.Second + time.Duration(r.IntN(1e9)))
			kindFuncs[k.Name](b, i, t)
			c.Records = append(c.Records, b.rec)
		}
	}
	return c
}

// Senders returns n records of kind "loki-labels" for a push input:
// each has one line and the stream labels and structured metadata a
// shipper such as Promtail or Alloy attaches (pod, container, a user's
// e-mail as a label, a client address, a user and a phone number in
// metadata, a trace id that must survive), deterministic for seed.
func Senders(seed uint64, n int) []Record {
	r := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	used := map[string]bool{}
	var out []Record
	for i := range n {
		b := &rb{g: gen{r, used}, rec: Record{Kind: "loki-labels"}}
		p := b.g.person()
		b.rec.Labels = map[string]string{
			"job":        "shop",
			"pod":        b.l("pod", "shop-7d9f"+b.g.hex(5)[:5]),
			"user_email": b.email(p, cycle([]string{"plain", "plus-tag", "upper"}, i, 0)),
			"client":     b.anyIP(i),
		}
		b.rec.Metadata = map[string]string{
			"trace_id": b.traceID(),
			"user":     b.user(p),
			"caller":   b.phone(i, 0),
		}
		b.line(fmt.Sprintf("level=info msg=\"order placed\" order=%s %s", b.orderNo(), b.l("duration", "duration="+b.durMS())))
		out = append(out, b.rec)
	}
	return out
}

// Text returns the records of the named kinds (all kinds if none) as one
// newline-terminated text.
func (c *Corpus) Text(kinds ...string) string {
	var b strings.Builder
	for _, r := range c.Records {
		if len(kinds) > 0 && !contains(kinds, r.Kind) {
			continue
		}
		for _, l := range r.Lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Of returns the records of one kind.
func (c *Corpus) Of(kind string) []Record {
	var out []Record
	for _, r := range c.Records {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// rb builds one record.
type rb struct {
	g   gen
	rec Record
}

// p plants v and returns it.
func (b *rb) p(category, spelling, v string) string {
	b.rec.Planted = append(b.rec.Planted, Value{category, spelling, v})
	return v
}

// l registers a look-alike and returns it.
func (b *rb) l(what, v string) string {
	b.rec.LookAlikes = append(b.rec.LookAlikes, LookAlike{what, v})
	return v
}

func (b *rb) line(s string) { b.rec.Lines = append(b.rec.Lines, s) }

// cycle returns the spelling of list for record i, offset by k, so that
// n >= len(list) records of a kind plant every spelling.
func cycle(list []string, i, k int) string { return list[(i+k)%len(list)] }
