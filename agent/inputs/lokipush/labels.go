package lokipush

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tarn-project/tarn/sinks"
)

// ParseLabels parses Loki's stream selector form `{job="nginx", host="a"}`
// into labels sorted by name.
//
// It accepts what Loki accepts (Loki hands the string to the PromQL metric
// parser): whitespace (space, tab, CR, LF) between tokens, an optional
// trailing comma, and values quoted with double quotes, single quotes (both
// with Go escapes such as \n, \", \', \x41, \u00e9) or backquotes (raw, no
// escapes, may span lines). Names must match [a-zA-Z_][a-zA-Z0-9_]*; values
// must be valid UTF-8. As in Loki, a label with an empty value is the same
// as an absent label and is dropped. It is an error if a name repeats or no
// label is left.
//
// Errors name the offset and label name but never a value.
func ParseLabels(s string) ([]sinks.Label, error) {
	p := labelParser{s: s}
	ls, err := p.parse()
	if err != nil {
		return nil, err
	}
	return finishLabels(ls)
}

// labelParser is a hand-written scanner over one stream selector.
type labelParser struct {
	s   string
	pos int
}

func (p *labelParser) parse() ([]sinks.Label, error) {
	p.skipSpace()
	if !p.consume('{') {
		return nil, p.errorf("expected \"{\"")
	}
	ls := make([]sinks.Label, 0, strings.Count(p.s, "="))
	for {
		p.skipSpace()
		if p.consume('}') {
			break
		}
		l, err := p.label()
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		p.skipSpace()
		if p.consume('}') {
			break
		}
		if !p.consume(',') {
			return nil, p.errorf("expected \",\" or \"}\" after label %q", l.Name)
		}
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return nil, p.errorf("unexpected text after \"}\"")
	}
	return ls, nil
}

// label reads `name = "value"`.
func (p *labelParser) label() (sinks.Label, error) {
	start := p.pos
	for p.pos < len(p.s) && sinks.LabelNameChar(p.s[p.pos], p.pos == start) {
		p.pos++
	}
	if p.pos == start {
		return sinks.Label{}, p.errorf("expected label name")
	}
	name := p.s[start:p.pos]
	p.skipSpace()
	if !p.consume('=') {
		return sinks.Label{}, p.errorf("expected \"=\" after label %q", name)
	}
	p.skipSpace()
	value, err := p.quoted(name)
	if err != nil {
		return sinks.Label{}, err
	}
	return sinks.Label{Name: name, Value: value}, nil
}

// quoted reads the quoted value of label name.
func (p *labelParser) quoted(name string) (string, error) {
	if p.pos < len(p.s) {
		switch q := p.s[p.pos]; q {
		case '`':
			return p.raw(name)
		case '"', '\'':
			return p.escaped(name, q)
		}
	}
	return "", p.errorf("expected quoted value of label %q", name)
}

// raw reads a backquoted string: no escapes, newlines allowed.
func (p *labelParser) raw(name string) (string, error) {
	start := p.pos
	end := strings.IndexByte(p.s[start+1:], '`')
	if end < 0 {
		return "", p.errorf("unterminated value of label %q", name)
	}
	p.pos = start + 1 + end + 1
	return p.s[start+1 : start+1+end], nil
}

// escaped reads a double- or single-quoted string with Go escapes. The
// common case without escapes returns a substring and allocates nothing.
func (p *labelParser) escaped(name string, q byte) (string, error) {
	start := p.pos + 1
	for i := start; i < len(p.s); i++ {
		switch p.s[i] {
		case q:
			p.pos = i + 1
			return p.s[start:i], nil
		case '\\':
			return p.unescape(name, q)
		case '\n':
			p.pos = i
			return "", p.errorf("newline in value of label %q", name)
		}
	}
	return "", p.errorf("unterminated value of label %q", name)
}

// unescape is the slow path of escaped.
func (p *labelParser) unescape(name string, q byte) (string, error) {
	var b strings.Builder
	rest := p.s[p.pos+1:]
	for {
		p.pos = len(p.s) - len(rest)
		if rest == "" {
			return "", p.errorf("unterminated value of label %q", name)
		}
		switch rest[0] {
		case q:
			p.pos++
			return b.String(), nil
		case '\n':
			return "", p.errorf("newline in value of label %q", name)
		}
		r, multibyte, tail, err := strconv.UnquoteChar(rest, q)
		if err != nil {
			return "", p.errorf("invalid escape sequence in value of label %q", name)
		}
		if multibyte {
			b.WriteRune(r)
		} else {
			b.WriteByte(byte(r))
		}
		rest = tail
	}
}

func (p *labelParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *labelParser) consume(c byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *labelParser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid labels at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

// finishLabels validates a stream's label set, drops labels with empty
// values (as Loki does), sorts it by name and rejects duplicate names and
// empty sets.
func finishLabels(ls []sinks.Label) ([]sinks.Label, error) {
	for i, l := range ls {
		if !sinks.ValidLabelName(l.Name) {
			return nil, fmt.Errorf("name of label %d is invalid (want [a-zA-Z_][a-zA-Z0-9_]*)", i+1)
		}
		if !utf8.ValidString(l.Value) {
			return nil, fmt.Errorf("value of label %q is not valid UTF-8", l.Name)
		}
	}
	ls = slices.DeleteFunc(ls, func(l sinks.Label) bool { return l.Value == "" })
	if len(ls) == 0 {
		return nil, errors.New("at least one label with a non-empty value is required per stream")
	}
	slices.SortFunc(ls, func(a, b sinks.Label) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(ls); i++ {
		if ls[i].Name == ls[i-1].Name {
			return nil, fmt.Errorf("duplicate label name %q", ls[i].Name)
		}
	}
	return ls, nil
}

// metadataName returns a structured metadata name as Loki's distributor
// stores it: every run of characters outside [a-zA-Z0-9_] becomes one "_",
// and a leading digit gets the prefix "key_". Names that are empty or
// consist only of underscores are rejected, as Loki does.
func metadataName(name string) (string, error) {
	if name == "" {
		return "", errors.New("structured metadata name is empty")
	}
	if !sinks.ValidLabelName(name) {
		name = sanitizeName(name)
	}
	if strings.Trim(name, "_") == "" {
		return "", errors.New("structured metadata name consists only of underscores")
	}
	return name, nil
}

func sanitizeName(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 4)
	if '0' <= name[0] && name[0] <= '9' {
		b.WriteString("key_")
	}
	prevReplaced := false
	for _, r := range name {
		if r < utf8.RuneSelf && sinks.LabelNameChar(byte(r), false) {
			b.WriteRune(r)
			prevReplaced = false
		} else if !prevReplaced {
			b.WriteByte('_')
			prevReplaced = true
		}
	}
	return b.String()
}
