package format

import (
	"bytes"
	"time"

	"github.com/tarn-project/tarn/rules/detect"
)

// dockerValue is the raw string value of one docker json-file member.
type dockerValue struct {
	val  Span
	esc  bool
	seen bool
}

// dockerScan holds the members of a docker json-file record.
type dockerScan struct{ log, stream, time dockerValue }

// MayBeDocker reports whether line may be a docker json-file record, a
// cheap test before ParseDocker: a JSON object with a "log" member name.
// Its first test, on the first byte, is inlined into the caller.
func MayBeDocker(line []byte) bool {
	return len(line) > 0 && (line[0] == '{' || line[0] <= ' ') && dockerObject(line)
}

// dockerObject is MayBeDocker after its first test.
func dockerObject(line []byte) bool {
	i := skipJSONSpace(line, 0)
	return i < len(line) && line[i] == '{' && bytes.Contains(line[i:], []byte(`"log"`))
}

// ParseDocker parses a record of docker's json-file log driver,
// {"log":"<message>\n","stream":"stdout","time":"<RFC3339Nano>"}, into c
// and reports whether it is well-formed. It unescapes the "log" value into
// dst[:0] and returns the buffer, which c.Message aliases; pass it back as
// dst for the next line to reuse its memory (c.Message is then
// overwritten). A "log" value ending in a newline is a full line and the
// newline is left out of Message; without one it is a partial line
// (docker splits lines longer than 16 KiB), continued by the next record of
// the same stream.
//
// The record must be one JSON object, optionally surrounded by whitespace,
// whose "log", "stream" and "time" members are strings; other members (such
// as "attrs") are checked for JSON syntax and ignored, and of duplicate
// members the last wins, as with encoding/json. Where kubelet's
// json.Unmarshal is more lenient, ParseDocker fails closed: "log", "stream"
// and "time" are required, the stream must be "stdout" or "stderr" (kubelet
// refuses other streams only when writing), keys match case-sensitively
// and unescaped, and nesting deeper than maxJSONDepth is refused. Like
// kubelet's time.Time.UnmarshalJSON, the time is parsed from the raw
// (still escaped) bytes by parseRuntimeTime. Invalid UTF-8 in "log" is
// kept verbatim (encoding/json would substitute U+FFFD); lone surrogate
// escapes become U+FFFD as with encoding/json. On false, c is zeroed.
func ParseDocker(line, dst []byte, c *Container) ([]byte, bool) {
	*c = Container{}
	var d dockerScan
	if !d.object(line) || !d.log.seen || !d.stream.seen || !d.time.seen || d.time.esc {
		return dst, false
	}
	t, ok := parseRuntimeTime(line[d.time.val.Start:d.time.val.End])
	if !ok {
		return dst, false
	}
	dst = appendDockerValue(dst[:0], line, d.stream)
	s, ok := streamOf(dst)
	if !ok {
		return dst, false
	}
	dst = appendDockerValue(dst[:0], line, d.log)
	n, partial := len(dst), true
	if n > 0 && dst[n-1] == '\n' {
		n, partial = n-1, false
	}
	*c = Container{Time: t, Stream: s, Partial: partial, Message: dst[:n:n]}
	return dst, true
}

// appendDockerValue appends the unescaped value v of line to dst.
func appendDockerValue(dst, line []byte, v dockerValue) []byte {
	raw := line[v.val.Start:v.val.End]
	if !v.esc {
		return append(dst, raw...)
	}
	return AppendJSONUnescaped(dst, raw)
}

// object scans the line as one JSON object and records its members.
func (d *dockerScan) object(b []byte) bool {
	i := skipJSONSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipJSONSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipJSONSpace(b, i+1) == len(b)
	}
	for {
		if i = d.member(b, i); i < 0 {
			return false
		}
		i = skipJSONSpace(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case '}':
			return skipJSONSpace(b, i+1) == len(b)
		case ',':
			i = skipJSONSpace(b, i+1)
		default:
			return false
		}
	}
}

// member scans the member at i, records it if it is one of docker's, and
// returns the index after its value, or -1.
func (d *dockerScan) member(b []byte, i int) int {
	ke, vs := skipJSONKey(b, i)
	if vs < 0 {
		return -1
	}
	var slot *dockerValue
	switch string(b[i+1 : ke]) {
	case "log":
		slot = &d.log
	case "stream":
		slot = &d.stream
	case "time":
		slot = &d.time
	default:
		return skipJSONValue(b, vs, 1)
	}
	if vs >= len(b) || b[vs] != '"' {
		return -1
	}
	e, esc, ok := scanJSONString(b, vs+1)
	if !ok || e >= len(b) {
		return -1
	}
	*slot = dockerValue{val: Span{vs + 1, e}, esc: esc, seen: true}
	return e + 1
}

// skipJSONKey checks `"key" :` at i and returns the index of the key's
// closing quote and of the value after the colon and any whitespace, or
// -1 as the latter.
func skipJSONKey(b []byte, i int) (int, int) {
	if i >= len(b) || b[i] != '"' {
		return 0, -1
	}
	e, _, ok := scanJSONString(b, i+1)
	if !ok || e >= len(b) {
		return 0, -1
	}
	i = skipJSONSpace(b, e+1)
	if i >= len(b) || b[i] != ':' {
		return 0, -1
	}
	return e, skipJSONSpace(b, i+1)
}

// skipJSONValue checks the JSON value at i, nested depth containers deep,
// and returns the index after it, or -1.
func skipJSONValue(b []byte, i, depth int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		e, _, ok := scanJSONString(b, i+1)
		if !ok || e >= len(b) {
			return -1
		}
		return e + 1
	case '{', '[':
		if depth >= maxJSONDepth {
			return -1
		}
		return skipJSONContainer(b, i, depth+1)
	case 't':
		return skipLiteral(b, i, "true")
	case 'f':
		return skipLiteral(b, i, "false")
	case 'n':
		return skipLiteral(b, i, "null")
	}
	return scanJSONNumber(b, i)
}

// skipJSONContainer checks the object or array at i and returns the index
// after it, or -1.
func skipJSONContainer(b []byte, i, depth int) int {
	obj, closing := b[i] == '{', byte(']')
	if obj {
		closing = '}'
	}
	i = skipJSONSpace(b, i+1)
	if i < len(b) && b[i] == closing {
		return i + 1
	}
	for {
		if obj {
			if _, i = skipJSONKey(b, i); i < 0 {
				return -1
			}
		}
		if i = skipJSONValue(b, i, depth); i < 0 {
			return -1
		}
		i = skipJSONSpace(b, i)
		switch {
		case i >= len(b):
			return -1
		case b[i] == closing:
			return i + 1
		case b[i] != ',':
			return -1
		}
		i = skipJSONSpace(b, i+1)
	}
}

// skipLiteral returns the index after the literal word at i, or -1.
func skipLiteral(b []byte, i int, word string) int {
	if !bytes.HasPrefix(b[i:], []byte(word)) {
		return -1
	}
	return i + len(word)
}

// AppendDocker appends a docker json-file record holding msg (not
// c.Message) written at c.Time to c.Stream:
// {"log":"<msg>\n","stream":"stdout","time":"<RFC3339Nano>"}, the newline
// left out when c is partial. Members other than these three, such as
// "attrs", are not written.
func AppendDocker(dst []byte, c *Container, msg []byte) []byte {
	dst = append(dst, `{"log":"`...)
	dst = appendJSONEscaped(dst, msg)
	if !c.Partial {
		dst = append(dst, `\n`...)
	}
	dst = append(dst, `","stream":"`...)
	dst = append(dst, c.Stream.String()...)
	dst = append(dst, `","time":"`...)
	dst = c.Time.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, `"}`...)
}

// dockerLog is how docker's json-file driver begins a record.
var dockerLog = []byte(`{"log":"`)

// CutDockerLog appends to dst the docker json-file record line, which
// could not be parsed (it was cut at max_line_bytes), with the word at the
// start of its "log" value cut (detect.CutStart): that word may continue
// an identifier of the stream's pending line. A line that does not begin
// as the driver writes records is appended whole. scratch is CutStart's.
func CutDockerLog(dst, line []byte, scratch *[]byte) []byte {
	i := bytes.Index(line, dockerLog)
	if i < 0 {
		return append(dst, line...)
	}
	i += len(dockerLog)
	n := detect.CutStart(line[i:], '0', scratch)
	return append(append(dst, line[:i]...), line[i+n:]...)
}
