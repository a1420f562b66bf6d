package s3

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// layout is a compiled key template: prefix and key joined, split into
// literal text and placeholders.
type layout struct {
	parts []part
	// hourly is true when the template holds {hour}: objects are grouped
	// by hour, else by day.
	hourly bool
	// static is the text before the first placeholder, the prefix the
	// retention sweep lists.
	static string
	// match recognises a key of this layout written by one sink (see
	// forSink) and captures date and hour.
	match *regexp.Regexp
	// pattern is match's expression with sinkMark for the sink's name.
	pattern string
}

// sinkMark stands for the sink's name in layout.pattern.
const sinkMark = "\x00sink\x00"

// part is a literal (name "") or a placeholder.
type part struct{ name, text string }

// placeholders are the names a key template may use, and the pattern a
// key holds in their place.
var placeholders = map[string]string{
	"tenant": `[A-Za-z0-9!_.*'()-]+`, "date": `(?P<date>\d{4}-\d{2}-\d{2})`, "hour": `(?P<hour>\d{2})`,
	"node": `[A-Za-z0-9._-]+`, "sink": `[A-Za-z0-9._-]+`, "batch": `[0-9-]+`, "ext": `(?:\.gz|\.zst|\.lz4)?`,
}

// parseLayout compiles prefix and key. The key must hold {tenant} (every
// tenant's objects under their own prefix), {date} (the sweep reads an
// object's age from it), {node} and {sink} (the names of batches are
// unique in one spool and one sink, and the sweep deletes only its own
// sink's objects) and {batch} (objects are named after the batch, so a
// re-send overwrites).
func parseLayout(prefix, key string) (*layout, error) {
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	if strings.HasPrefix(key, "/") || strings.Contains(key, "//") {
		return nil, errors.New("a key starts with no '/' and holds no empty path element")
	}
	l := &layout{}
	text := prefix + key
	re := "^"
	for text != "" {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			i = len(text)
		}
		if i > 0 {
			l.parts = append(l.parts, part{text: text[:i]})
			re += regexp.QuoteMeta(text[:i])
			text = text[i:]
			continue
		}
		j := strings.IndexByte(text, '}')
		if j < 0 {
			return nil, errors.New("a '{' without '}'")
		}
		name := text[1:j]
		pat, ok := placeholders[name]
		if !ok {
			return nil, fmt.Errorf("unknown placeholder {%s} (have {tenant}, {date}, {hour}, {node}, {sink}, {batch}, {ext})", name)
		}
		if l.has(name) {
			return nil, fmt.Errorf("placeholder {%s} twice", name)
		}
		l.parts = append(l.parts, part{name: name})
		if name == "sink" {
			pat = sinkMark
		}
		re += pat
		text = text[j+1:]
	}
	for _, need := range []string{"tenant", "date", "node", "sink", "batch"} {
		if !l.has(need) {
			return nil, fmt.Errorf("the key needs {%s}", need)
		}
	}
	l.hourly = l.has("hour")
	for _, p := range l.parts {
		if p.name != "" {
			break
		}
		l.static += p.text
	}
	l.pattern = re + "$"
	return l, nil
}

// forSink makes l recognise only the keys the sink named sink writes
// (of any node: a node that left the fleet leaves objects the others
// sweep), so sinks sharing a bucket and prefix with other retentions
// never delete each other's objects.
func (l *layout) forSink(sink string) {
	l.match = regexp.MustCompile(strings.Replace(l.pattern, sinkMark, regexp.QuoteMeta(sink), 1))
}

// has reports whether the layout holds placeholder name.
func (l *layout) has(name string) bool {
	for _, p := range l.parts {
		if p.name == name {
			return true
		}
	}
	return false
}

// keyVars are the values of one object's placeholders.
type keyVars struct {
	tenant, node, sink, batch, ext string
	// start is the start of the object's partition (hour or day, UTC).
	start time.Time
}

// partition returns the start of t's partition.
func (l *layout) partition(t time.Time) time.Time {
	t = t.UTC()
	if l.hourly {
		return t.Truncate(time.Hour)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// key renders the key of v.
func (l *layout) key(v keyVars) string {
	var b strings.Builder
	for _, p := range l.parts {
		switch p.name {
		case "":
			b.WriteString(p.text)
		case "tenant":
			b.WriteString(v.tenant)
		case "date":
			b.WriteString(v.start.Format(time.DateOnly))
		case "hour":
			fmt.Fprintf(&b, "%02d", v.start.Hour())
		case "node":
			b.WriteString(v.node)
		case "sink":
			b.WriteString(v.sink)
		case "batch":
			b.WriteString(v.batch)
		case "ext":
			b.WriteString(v.ext)
		}
	}
	return b.String()
}

// start returns the partition start a key of this layout names; ok is
// false for a key the layout did not write.
func (l *layout) start(key string) (time.Time, bool) {
	m := l.match.FindStringSubmatch(key)
	if m == nil {
		return time.Time{}, false
	}
	s := m[l.match.SubexpIndex("date")]
	if l.hourly {
		s += "T" + m[l.match.SubexpIndex("hour")]
	} else {
		s += "T00"
	}
	t, err := time.Parse("2006-01-02T15", s)
	return t, err == nil
}

// safeName keeps what may stand in a key of a node or sink name: letters,
// digits and -_. (anything else becomes '_').
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}
