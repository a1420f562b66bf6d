package sinks

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tarn-project/tarn/rules/strictyaml"
)

// AppendEncoded appends e as one output line (with '\n'): the bare line, or
// with ndjson a {"time","tenant","labels","line","metadata"} object (empty
// members left out), time in UTC RFC 3339 with nanoseconds. The JSON is
// what encoding/json makes of it (labels as objects with sorted names,
// the last of a repeated name winning, HTML characters and invalid UTF-8
// escaped the same way), written without allocating.
func AppendEncoded(dst []byte, e Entry, ndjson bool) []byte {
	if !ndjson {
		return append(append(dst, e.Line...), '\n')
	}
	dst = append(dst, `{"time":"`...)
	dst = e.Time.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, '"')
	if e.Tenant != "" {
		dst = appendJSONString(append(dst, `,"tenant":`...), e.Tenant)
	}
	if len(e.Labels) > 0 {
		dst = appendLabels(append(dst, `,"labels":`...), e.Labels)
	}
	dst = appendJSONString(append(dst, `,"line":`...), e.Line)
	if len(e.Metadata) > 0 {
		dst = appendLabels(append(dst, `,"metadata":`...), e.Metadata)
	}
	return append(dst, "}\n"...)
}

// appendLabels appends ls as a JSON object. Label sets are sorted by
// name as the agent builds them; others are sorted (and repeated names
// dropped but for the last) first, which allocates.
func appendLabels(dst []byte, ls []Label) []byte {
	if !slices.IsSortedFunc(ls, compareLabels) || hasRepeats(ls) {
		ls = slices.Clone(ls)
		slices.SortStableFunc(ls, compareLabels)
		ls = lastOfEach(ls)
	}
	dst = append(dst, '{')
	for i, l := range ls {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, l.Name)
		dst = appendJSONString(append(dst, ':'), l.Value)
	}
	return append(dst, '}')
}

func compareLabels(a, b Label) int { return strings.Compare(a.Name, b.Name) }

// hasRepeats reports whether a sorted label set repeats a name.
func hasRepeats(ls []Label) bool {
	for i := 1; i < len(ls); i++ {
		if ls[i].Name == ls[i-1].Name {
			return true
		}
	}
	return false
}

// lastOfEach keeps the last label of each run of one name in a stably
// sorted set, as a map keeps the last value assigned.
func lastOfEach(ls []Label) []Label {
	out := ls[:0]
	for i, l := range ls {
		if i+1 < len(ls) && ls[i+1].Name == l.Name {
			continue
		}
		out = append(out, l)
	}
	return out
}

const hexDigits = "0123456789abcdef"

// jsonSafe says which ASCII bytes stand in a JSON string as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s as a JSON string the way encoding/json
// writes it: '"', '\\' and control characters escaped (\b \f \n \r \t
// short), <, > and & as \u003c \u003e \u0026, U+2028 and U+2029
// escaped, invalid UTF-8 as \ufffd.
func appendJSONString[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(append(dst, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(dst, s[start:]...), '"')
}

// LineFormat is the `format` key of sinks that write lines: line (the
// anonymized line) or ndjson (time, tenant, labels, line, metadata).
type LineFormat string

// NDJSON reports whether the format is ndjson.
func (f LineFormat) NDJSON() bool { return f == "ndjson" }

// Validate checks the format; path is the key's path.
func (f LineFormat) Validate(path string) error {
	if f != "line" && f != "ndjson" {
		return strictyaml.Errorf(path, "must be line or ndjson, got %q", string(f))
	}
	return nil
}
