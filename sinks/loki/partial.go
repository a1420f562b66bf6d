package loki

import (
	"strconv"
	"strings"
	"time"

	"github.com/grafana/loki/pkg/push"

	"github.com/tarn-project/tarn/sinks"
)

// Loki answers a push whose entries it accepted only in part with 400 and
// one of two texts (Loki v3, pkg/distributor and pkg/ingester):
//
//   - The distributor's validation errors, joined with "; ", each
//     identical message once with "n errors like: " in front (when there
//     are several, or one n times). Loki ingests every other entry of the
//     request. The messages name the stream and a property of the entry:
//     its second (too old, too new), its line length (too long), the size
//     or count of its structured metadata; or a whole stream (label name
//     or value too long).
//   - An ingester's list of the entries of one stream it ignored (out of
//     order, too far behind): "entry with timestamp <time.Time.String>
//     ignored, reason: '...',\n" for each, then "user '<tenant>', total
//     ignored: N out of M for stream: <selector>". The ingester reports
//     only the last stream of a request it pushed and drops failures of
//     the streams before it silently, and the distributor then reports no
//     validation errors: so this text identifies the rejected entries only
//     of a request with that one stream, all M of whose entries reached the
//     ingester.
//
// identify reads these texts and returns the rejected entries by their
// index in the batch, if every rejected entry is identified: every
// message parses, names a stream of the request, and matches exactly as
// many entries (not matched by an earlier check of Loki's) as it counts.
// Otherwise it returns false and the sink keeps to the whole request's
// status.

// keyKind is the property of an entry a message identifies it by.
type keyKind int

const (
	wholeStream keyKind = iota // every entry of the stream
	bySecond                   // the second of its timestamp
	byTime                     // its exact timestamp
	byLineLen                  // the length of its line
	byMetadata                 // that it has structured metadata
	byMetaSize                 // the size of its structured metadata
	byMetaCount                // the number of its structured metadata
)

// claim is one message: it rejects n entries of stream sel that have
// the property kind/t/num.
type claim struct {
	reason string
	kind   keyKind
	sel    []sinks.Label
	n      int
	t      time.Time
	num    int
}

// template is one of the distributor's messages: literal text with the
// placeholders {s} (a stream selector), {t} (an RFC 3339 time), {n} (a
// number) and {r} (raw text to the end of the message, in quotes); key
// is which placeholder the claim takes (the k-th {t} or {n}).
type template struct {
	reason string
	kind   keyKind
	pat    string
	key    int
}

// templates are in the order Loki checks them: the labels of a stream
// first, then its entries one by one, each against its checks in this
// order (an entry fails the first check it fails only).
var templates = []template{
	{reasonLabels, wholeStream, "stream '{s}' has label name too long: '{r}'", 0},
	{reasonLabels, wholeStream, "stream '{s}' has label value too long: '{r}'", 0},
	{reasonTooOld, bySecond, "entry for stream '{s}' has timestamp too old: {t}, oldest acceptable timestamp is: {t}", 0},
	{reasonTooNew, bySecond, "entry for stream '{s}' has timestamp too new: {t}", 0},
	{reasonLineTooLong, byLineLen, "max entry size '{n}' bytes exceeded for stream '{s}' while adding an entry with length '{n}' bytes", 1},
	{reasonMetadata, byMetadata, "stream '{s}' includes structured metadata, but this feature is disallowed. Please see `limits_config.allow_structured_metadata` or contact your Loki administrator to enable it", 0},
	{reasonMetadata, byMetaSize, "stream '{s}' has structured metadata too large: '{n}' bytes, limit: '{n}' bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it", 0},
	{reasonMetadata, byMetaCount, "stream '{s}' has too many structured metadata labels: '{n}', limit: '{n}'. Please see `limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to increase it", 0},
}

// identify returns the entries of request r that Loki's 400 message msg
// rejects, as indices into the batch with reasons; false when it cannot
// tell them all.
func identify(msg string, r *request) ([]sinks.Rejection, bool) {
	if strings.HasPrefix(msg, "entry with timestamp ") {
		cs, total, ok := parseIngester(msg)
		if !ok || len(r.streams) != 1 || total != len(r.streams[0].Entries) {
			return nil, false
		}
		return match(cs, r)
	}
	cs, ok := parseDistributor(msg)
	if !ok {
		return nil, false
	}
	return match(cs, r)
}

// match assigns the claims, in the order of Loki's checks, to the entries
// of r they name.
func match(cs []claim, r *request) ([]sinks.Rejection, bool) {
	taken := make([][]bool, len(r.streams))
	var out []sinks.Rejection
	for _, c := range sortClaims(cs) {
		si, ok := findStream(c.sel, r.labels)
		if !ok {
			return nil, false
		}
		if taken[si] == nil {
			taken[si] = make([]bool, len(r.streams[si].Entries))
		}
		var hits []int
		for j := range r.streams[si].Entries {
			if !taken[si][j] && c.matches(&r.streams[si].Entries[j]) {
				hits = append(hits, j)
			}
		}
		if c.kind == wholeStream {
			if c.n != 1 || len(hits) != len(r.streams[si].Entries) {
				return nil, false
			}
		} else if len(hits) != c.n {
			return nil, false
		}
		for _, j := range hits {
			taken[si][j] = true
			out = append(out, sinks.Rejection{Index: int(r.idx[si][j]), Reason: c.reason})
		}
	}
	return out, len(out) > 0
}

// sortClaims orders claims by keyKind (a stable insertion sort: there are
// few), which is the order of Loki's checks.
func sortClaims(cs []claim) []claim {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].kind < cs[j-1].kind; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	return cs
}

func (c *claim) matches(e *push.Entry) bool {
	switch c.kind {
	case bySecond:
		return e.Timestamp.Truncate(time.Second).Equal(c.t)
	case byTime:
		return e.Timestamp.Equal(c.t)
	case byLineLen:
		return len(e.Line) == c.num
	case byMetadata:
		return len(e.StructuredMetadata) > 0
	case byMetaSize:
		return metadataSize(e.StructuredMetadata) == c.num
	case byMetaCount:
		return len(e.StructuredMetadata) == c.num
	}
	return true // wholeStream
}

// metadataSize is Loki's size of structured metadata (util.StructuredMetadataSize).
func metadataSize(ls push.LabelsAdapter) int {
	n := 0
	for _, l := range ls {
		if l.Name != "detected_level" {
			n += len(l.Name) + len(l.Value)
		}
	}
	return n
}

// findStream returns the index of the stream of the request that sel
// names. Loki may have added service_name (its service discovery) to the
// labels it names a stream by; an exact match wins over such a one (the
// streams of a request differ, so there is at most one of each).
func findStream(sel []sinks.Label, streams [][]sinks.Label) (int, bool) {
	found := -1
	for i, ls := range streams {
		if ok, exact := sameStream(sel, ls); ok {
			if exact {
				return i, true
			}
			found = i
		}
	}
	return found, found >= 0
}

// sameStream reports whether sel names the stream of labels ls (both
// sorted by name): every label of ls is in sel, and sel has no other but
// service_name (then it is not exact).
func sameStream(sel, ls []sinks.Label) (ok, exact bool) {
	i := 0
	for _, l := range sel {
		if i < len(ls) && ls[i].Name == l.Name {
			if ls[i].Value != l.Value {
				return false, false
			}
			i++
			continue
		}
		if l.Name != "service_name" {
			return false, false
		}
	}
	return i == len(ls), len(sel) == len(ls)
}

// parseDistributor parses the distributor's joined validation errors.
func parseDistributor(msg string) ([]claim, bool) {
	var cs []claim
	for rest := msg; ; {
		n := 1
		if num, after, ok := strings.Cut(rest, " errors like: "); ok && isDigits(num) {
			n, _ = strconv.Atoi(num)
			rest = after
		}
		c, after, ok := parseMessage(rest)
		if !ok || n <= 0 {
			return nil, false
		}
		c.n = n
		cs = append(cs, c)
		if after == "" {
			return cs, true
		}
		if rest, ok = strings.CutPrefix(after, "; "); !ok {
			return nil, false
		}
	}
}

// parseMessage matches the start of s against the templates and returns
// the claim and the rest of s.
func parseMessage(s string) (claim, string, bool) {
	for _, tp := range templates {
		if c, rest, ok := tp.parse(s); ok {
			return c, rest, true
		}
	}
	return claim{}, "", false
}

// parse matches the start of s against tp; the rest of s must be empty
// or start with "; " (the next message).
func (tp *template) parse(s string) (claim, string, bool) {
	c := claim{reason: tp.reason, kind: tp.kind}
	var times []time.Time
	var nums []int
	for pat := tp.pat; pat != ""; {
		i := strings.IndexByte(pat, '{')
		if i != 0 {
			lit := pat
			if i > 0 {
				lit = pat[:i]
			}
			var ok bool
			if s, ok = strings.CutPrefix(s, lit); !ok {
				return claim{}, "", false
			}
			pat = pat[len(lit):]
			continue
		}
		j := strings.IndexByte(pat, '}')
		ph := pat[1:j]
		pat = pat[j+1:]
		var ok bool
		switch ph {
		case "s":
			c.sel, s, ok = parseSelector(s)
		case "t":
			var t time.Time
			t, s, ok = parseRFC3339(s)
			times = append(times, t)
		case "n":
			var n int
			n, s, ok = parseNumber(s)
			nums = append(nums, n)
		case "r":
			s, ok = skipQuoted(s, pat)
			pat = ""
		}
		if !ok {
			return claim{}, "", false
		}
	}
	if s != "" && !strings.HasPrefix(s, "; ") {
		return claim{}, "", false
	}
	switch tp.kind {
	case bySecond:
		c.t = times[tp.key]
	case byLineLen, byMetaSize, byMetaCount:
		c.num = nums[tp.key]
	}
	return c, s, true
}

// skipQuoted skips raw text followed by end (the rest of the template, a
// closing quote), lazily: up to the first end that ends a message.
func skipQuoted(s, end string) (string, bool) {
	for i := 0; i+len(end) <= len(s); i++ {
		if rest := s[i+len(end):]; strings.HasPrefix(s[i:], end) && (rest == "" || strings.HasPrefix(rest, "; ")) {
			return rest, true
		}
	}
	return "", false
}

// parseSelector parses a stream selector as Loki prints one,
// {name="value", ...} with Go-quoted values (and names that are not
// plain identifiers), at the start of s.
func parseSelector(s string) ([]sinks.Label, string, bool) {
	s, ok := strings.CutPrefix(s, "{")
	if !ok {
		return nil, "", false
	}
	var ls []sinks.Label
	for first := true; ; first = false {
		if rest, ok := strings.CutPrefix(s, "}"); ok {
			return ls, rest, true
		}
		if !first {
			if s, ok = strings.CutPrefix(s, ", "); !ok {
				return nil, "", false
			}
		}
		var l sinks.Label
		if l.Name, s, ok = parseName(s); !ok {
			return nil, "", false
		}
		if s, ok = strings.CutPrefix(s, "="); !ok {
			return nil, "", false
		}
		if l.Value, s, ok = parseQuoted(s); !ok {
			return nil, "", false
		}
		ls = append(ls, l)
	}
}

func parseName(s string) (string, string, bool) {
	if strings.HasPrefix(s, `"`) {
		return parseQuoted(s)
	}
	i := 0
	for i < len(s) && sinks.LabelNameChar(s[i], i == 0) {
		i++
	}
	return s[:i], s[i:], i > 0
}

func parseQuoted(s string) (string, string, bool) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", false
	}
	v, err := strconv.Unquote(q)
	return v, s[len(q):], err == nil
}

// parseRFC3339 parses a time as time.RFC3339 formats it (whole seconds)
// at the start of s.
func parseRFC3339(s string) (time.Time, string, bool) {
	i := 0
	for i < len(s) && strings.IndexByte("0123456789-:TZ+", s[i]) >= 0 {
		i++
	}
	t, err := time.Parse(time.RFC3339, s[:i])
	return t, s[i:], err == nil
}

func parseNumber(s string) (int, string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	return n, s[i:], err == nil
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// ingesterTime is the layout of time.Time.String, which the ingester
// prints an entry's timestamp with.
const ingesterTime = "2006-01-02 15:04:05.999999999 -0700 MST"

// parseIngester parses an ingester's list of ignored entries into one
// claim per timestamp and returns M, the number of entries of the stream
// that reached the ingester. It fails unless the list is complete (Loki
// lists at most max_returned_stream_errors) and every reason is one of
// ordering (a 400 holds no others).
func parseIngester(msg string) ([]claim, int, bool) {
	lines := strings.Split(msg, "\n")
	n, m, sel, ok := ingesterSummary(lines[len(lines)-1])
	if !ok || n != len(lines)-1 {
		return nil, 0, false
	}
	cs := make([]claim, 0, n)
	for _, l := range lines[:len(lines)-1] {
		c, ok := parseIgnored(l)
		if !ok {
			return nil, 0, false
		}
		c.sel = sel
		cs = append(cs, c)
	}
	return mergeTimes(cs), m, true
}

// ingesterSummary parses the last line of an ingester's list, "user
// '<tenant>', total ignored: N out of M for stream: <selector>".
func ingesterSummary(last string) (n, m int, sel []sinks.Label, ok bool) {
	_, tail, found := strings.Cut(last, "', total ignored: ")
	if !found || !strings.HasPrefix(last, "user '") {
		return 0, 0, nil, false
	}
	if n, tail, ok = parseNumber(tail); !ok {
		return 0, 0, nil, false
	}
	if tail, ok = strings.CutPrefix(tail, " out of "); !ok {
		return 0, 0, nil, false
	}
	if m, tail, ok = parseNumber(tail); !ok {
		return 0, 0, nil, false
	}
	if tail, ok = strings.CutPrefix(tail, " for stream: "); !ok {
		return 0, 0, nil, false
	}
	sel, tail, ok = parseSelector(tail)
	return n, m, sel, ok && tail == ""
}

// parseIgnored parses one "entry with timestamp T ignored, reason:
// 'R'," line.
func parseIgnored(l string) (claim, bool) {
	rest, ok := strings.CutPrefix(l, "entry with timestamp ")
	ts, reason, ok2 := strings.Cut(rest, " ignored, reason: '")
	if !ok || !ok2 || !strings.HasSuffix(reason, "',") {
		return claim{}, false
	}
	t, err := time.Parse(ingesterTime, ts)
	if err != nil || !(strings.HasPrefix(reason, "entry too far behind") || strings.HasPrefix(reason, "entry out of order")) {
		return claim{}, false
	}
	return claim{reason: reasonOutOfOrder, kind: byTime, n: 1, t: t}, true
}

// mergeTimes joins the claims of equal timestamps into one that counts
// them.
func mergeTimes(cs []claim) []claim {
	var out []claim
	for _, c := range cs {
		i := 0
		for i < len(out) && !out[i].t.Equal(c.t) {
			i++
		}
		if i == len(out) {
			out = append(out, c)
			continue
		}
		out[i].n++
	}
	return out
}
