package anonip

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Unicode meanings of Python's \d, \w and \s for str patterns, as RE2
// class items (str.isalnum() is exactly categories L and N).
const (
	uniDigit = `\p{Nd}`
	uniWord  = `\p{L}\p{N}_`
	uniSpace = `\t\n\v\f\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`
	ascSpace = `\t\n\v\f\r `
)

// errRegex is wrapped by every regex translation error.
var errRegex = errors.New("regex")

// compileRegex joins anonip's --regex values with "|" (as anonip does),
// translates the result from Python re to RE2 and anchors it at the start
// of the line (re.match).
func compileRegex(patterns []string) (*regexp.Regexp, error) {
	p := strings.Join(patterns, "|")
	if !utf8.ValidString(p) {
		return nil, fmt.Errorf("%w: pattern is not valid UTF-8", errRegex)
	}
	t := translator{src: p, atStart: true}
	if err := t.run(); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(`\A(?:` + t.out.String() + `)`)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errRegex, err)
	}
	return re, nil
}

// translator rewrites a Python pattern into RE2 syntax.
type translator struct {
	src     string
	i       int
	out     strings.Builder
	ascii   bool // (?a): \d \w \s \b are ASCII, as in RE2
	atStart bool // nothing but global flags seen so far
	// globalFlags is set by the token just translated if it was a global
	// flag group.
	globalFlags bool
}

func (t *translator) fail(what string) error {
	return fmt.Errorf("%w: offset %d: %s", errRegex, t.i, what)
}

func (t *translator) peek(k int) byte {
	if t.i+k < len(t.src) {
		return t.src[t.i+k]
	}
	return 0
}

func (t *translator) run() error {
	for t.i < len(t.src) {
		c := t.src[t.i]
		var err error
		switch c {
		case '\\':
			err = t.escape(false)
		case '[':
			err = t.class()
		case '(':
			err = t.group()
		case '{':
			err = t.brace()
		case '*', '+', '?':
			t.out.WriteByte(c)
			t.i++
			err = t.noPossessive()
		default:
			_, size := utf8.DecodeRuneInString(t.src[t.i:])
			t.out.WriteString(t.src[t.i : t.i+size])
			t.i += size
		}
		if err != nil {
			return err
		}
		t.atStart = t.atStart && t.globalFlags
		t.globalFlags = false
	}
	return nil
}

// noPossessive rejects Python 3.11's possessive quantifiers (x*+ x++ x?+
// x{m,n}+), which RE2 lacks.
func (t *translator) noPossessive() error {
	if t.peek(0) == '+' {
		return t.fail("possessive quantifiers are not supported")
	}
	return nil
}

// brace handles '{': a Python repeat {m}, {m,}, {,n}, {m,n} (written out
// in RE2 form) or else a literal '{'.
func (t *translator) brace() error {
	j := t.i + 1
	lo := digitsAt(t.src, j)
	j += len(lo)
	hi, comma := lo, false
	if j < len(t.src) && t.src[j] == ',' {
		comma = true
		hi = digitsAt(t.src, j+1)
		j += 1 + len(hi)
	}
	if j >= len(t.src) || t.src[j] != '}' || (!comma && lo == "") {
		t.out.WriteString(`\{`)
		t.i++
		return nil
	}
	if lo == "" {
		lo = "0"
	}
	if comma {
		fmt.Fprintf(&t.out, "{%s,%s}", lo, hi)
	} else {
		fmt.Fprintf(&t.out, "{%s}", lo)
	}
	t.i = j + 1
	if t.peek(0) == '?' {
		t.out.WriteByte('?')
		t.i++
	}
	return t.noPossessive()
}

func digitsAt(s string, j int) string {
	k := j
	for k < len(s) && s[k]-'0' <= 9 {
		k++
	}
	return s[j:k]
}

// group handles '(' and Python's (?...) extensions.
func (t *translator) group() error {
	if t.peek(1) != '?' {
		t.out.WriteByte('(')
		t.i++
		return nil
	}
	switch c := t.peek(2); {
	case c == ':':
		t.out.WriteString("(?:")
		t.i += 3
	case c == 'P' && t.peek(3) == '<':
		t.out.WriteString("(?P<")
		t.i += 4
	case c == 'P':
		return t.fail("backreferences are not supported")
	case c == '=' || c == '!' || c == '<':
		return t.fail("lookaround assertions are not supported")
	case c == '>':
		return t.fail("atomic groups are not supported")
	case c == '(':
		return t.fail("conditional groups are not supported")
	case c == '#':
		end := strings.IndexByte(t.src[t.i:], ')')
		if end < 0 {
			return t.fail("missing ), unterminated comment")
		}
		t.i += end + 1
	default:
		return t.flags()
	}
	return nil
}

// flags handles (?aimsux) at the start of the pattern and the scoped
// (?ims-ims:...) forms.
func (t *translator) flags() error {
	t.i += 2
	var on, off strings.Builder
	cur, ascii, unicode := &on, false, false
	for {
		c := t.peek(0)
		t.i++
		switch c {
		case 'i', 'm', 's':
			cur.WriteByte(c)
		case 'u':
			unicode = true
		case 'a':
			ascii = true
		case '-':
			if cur == &off {
				return t.fail("bad inline flags")
			}
			cur = &off
		case ':':
			if ascii {
				return t.fail("flag 'a' is only supported as a leading global flag")
			}
			t.out.WriteString("(?" + on.String())
			if off.Len() > 0 {
				t.out.WriteString("-" + off.String())
			}
			t.out.WriteByte(':')
			return nil
		case ')':
			if !t.atStart || cur == &off || (ascii && unicode) {
				return t.fail("bad or misplaced global flags")
			}
			if on.Len() > 0 {
				t.out.WriteString("(?" + on.String() + ")")
			}
			t.ascii = t.ascii || ascii
			t.globalFlags = true
			return nil
		case 'x':
			return t.fail("verbose mode (?x) is not supported")
		case 'L':
			return t.fail("flag 'L' cannot be used with a str pattern")
		default:
			return t.fail("unknown flag")
		}
	}
}

// class translates a character class [...] with Python's rules: a ']'
// right after '[' or '[^' is literal, '[' is literal.
func (t *translator) class() error {
	t.out.WriteByte('[')
	t.i++
	if t.peek(0) == '^' {
		t.out.WriteByte('^')
		t.i++
	}
	if t.peek(0) == ']' {
		t.out.WriteString(`\]`)
		t.i++
	}
	for t.i < len(t.src) {
		switch c := t.src[t.i]; c {
		case ']':
			t.out.WriteByte(']')
			t.i++
			return nil
		case '[':
			t.out.WriteString(`\[`)
			t.i++
		case '\\':
			if err := t.escape(true); err != nil {
				return err
			}
		default:
			_, size := utf8.DecodeRuneInString(t.src[t.i:])
			t.out.WriteString(t.src[t.i : t.i+size])
			t.i += size
		}
	}
	return t.fail("unterminated character set")
}

// escape translates a backslash escape, inside or outside a class.
func (t *translator) escape(inClass bool) error {
	c := t.peek(1)
	if t.i+1 >= len(t.src) {
		return t.fail("bad escape (end of pattern)")
	}
	if c >= utf8.RuneSelf {
		_, size := utf8.DecodeRuneInString(t.src[t.i+1:])
		t.out.WriteString(t.src[t.i+1 : t.i+1+size])
		t.i += 1 + size
		return nil
	}
	if s, ok := t.classEscape(c, inClass); ok {
		t.out.WriteString(s)
		t.i += 2
		return nil
	}
	switch {
	case c == 'x' || c == 'u' || c == 'U':
		return t.hexEscape(c)
	case c-'0' <= 9:
		return t.numberEscape(inClass)
	case inClass && c == 'b':
		t.out.WriteString(`\x08`)
	case !inClass && (c == 'b' || c == 'B' || c == 'A'):
		t.out.WriteString(`\` + string(c))
	case !inClass && c == 'Z':
		t.out.WriteString(`\z`)
	case strings.IndexByte("afnrtv", c) >= 0:
		t.out.WriteString(`\` + string(c))
	case c-'a' < 26 || c-'A' < 26:
		return t.fail("bad or unsupported escape")
	default:
		t.out.WriteString(`\` + string(c))
	}
	t.i += 2
	return nil
}

// classEscape translates \d \D \w \W \s \S.
func (t *translator) classEscape(c byte, inClass bool) (string, bool) {
	type forms struct{ uni, uniIn, asc, ascIn string }
	var f forms
	switch c {
	case 'd':
		f = forms{uniDigit, uniDigit, `\d`, `\d`}
	case 'D':
		f = forms{`\P{Nd}`, `\P{Nd}`, `\D`, `\D`}
	case 'w':
		f = forms{"[" + uniWord + "]", uniWord, `\w`, `\w`}
	case 'W':
		f = forms{"[^" + uniWord + "]", "", `\W`, `\W`}
	case 's':
		f = forms{"[" + uniSpace + "]", uniSpace, "[" + ascSpace + "]", ascSpace}
	case 'S':
		f = forms{"[^" + uniSpace + "]", "", "[^" + ascSpace + "]", ""}
	default:
		return "", false
	}
	s := f.uni
	switch {
	case t.ascii && inClass:
		s = f.ascIn
	case t.ascii:
		s = f.asc
	case inClass:
		s = f.uniIn
	}
	return s, s != ""
}

// hexEscape translates \xhh, \uhhhh and \Uhhhhhhhh.
func (t *translator) hexEscape(c byte) error {
	n := 2
	switch c {
	case 'u':
		n = 4
	case 'U':
		n = 8
	}
	if t.i+2+n > len(t.src) {
		return t.fail("incomplete escape")
	}
	v, err := strconv.ParseUint(t.src[t.i+2:t.i+2+n], 16, 32)
	if err != nil || v > utf8.MaxRune || (v >= 0xd800 && v < 0xe000) {
		return t.fail("bad or unsupported escape")
	}
	fmt.Fprintf(&t.out, `\x{%x}`, v)
	t.i += 2 + n
	return nil
}

// numberEscape translates octal escapes and rejects backreferences.
// Outside a class \0 takes up to two more octal digits and \1..\7 are octal
// only with exactly three octal digits; inside a class any 1-3 octal digits.
func (t *translator) numberEscape(inClass bool) error {
	j := t.i + 1
	k := j
	for k < len(t.src) && k < j+3 && t.src[k]-'0' < 8 {
		k++
	}
	octal := k > j && (inClass || t.src[j] == '0' || k-j == 3)
	if !octal {
		return t.fail("backreferences are not supported")
	}
	v, _ := strconv.ParseUint(t.src[j:k], 8, 32)
	if v > 0o377 {
		return t.fail("octal escape out of range")
	}
	fmt.Fprintf(&t.out, `\x{%x}`, v)
	t.i = k
	return nil
}

// appendRegexLine is process_line_regex: match at the start of the line;
// for every distinct non-empty group (in group order), replace its address
// text everywhere in the line by the masked address, or, when the group
// holds no address and --replace is set, the group's text by the
// replacement. The line is rebuilt in dst's tail after each step.
func (a *Anonymizer) appendRegexLine(dst, line []byte) []byte {
	m := a.re.FindSubmatchIndex(line)
	mark := len(dst)
	dst = append(dst, line...)
	for g := 2; g+1 < len(m); g += 2 {
		if m[g] < 0 || m[g] == m[g+1] || seenGroup(line, m, g) {
			continue
		}
		grp := line[m[g]:m[g+1]]
		end := len(dst)
		ref, ok := extractIP(grp)
		if ok {
			dst, ok = a.appendIPReplaced(dst, dst[mark:end], grp, ref)
		}
		if !ok && a.replace == nil {
			continue
		}
		if !ok {
			dst = appendReplaceAll(dst, dst[mark:end], grp, a.replace)
		}
		dst = dst[:mark+copy(dst[mark:], dst[end:])]
	}
	return dst
}

// seenGroup reports whether an earlier group matched the same text.
func seenGroup(line []byte, m []int, g int) bool {
	for h := 2; h < g; h += 2 {
		if m[h] >= 0 && bytes.Equal(line[m[h]:m[h+1]], line[m[g]:m[g+1]]) {
			return true
		}
	}
	return false
}
