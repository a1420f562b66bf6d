// Package format parses log lines (Apache/nginx combined and common, JSON,
// logfmt) into fields that point into the line, and rewrites lines with
// per-field edits while keeping every untouched byte verbatim. It also
// decodes the wrappers container runtimes put around log lines (CRI,
// docker json-file) and joins the partial lines they split.
//
// Everything here is pure: no I/O, no goroutines, and no allocation per line
// once a Record's scratch buffers have grown to the size of the largest line
// seen. All scanners are hand-written and run in linear time on any input,
// including invalid UTF-8, NUL bytes and very long lines.
package format

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Format is a log line format.
type Format uint8

// The supported formats. Combined and Common share one parser; Parse reports
// Common for lines without the referer and user-agent fields.
const (
	Auto Format = iota
	Text
	Combined
	Common
	JSON
	Logfmt
	// CRI is the container log format of containerd and CRI-O (see
	// ParseCRI); Parse parses the prefix and detects the message's format.
	CRI
	// Docker is docker's json-file log format (see ParseDocker); Parse
	// refuses it, the agent's reader unwraps it instead.
	Docker
	// Syslog is a BSD (RFC 3164), RFC 5424 or rsyslog ISO-time syslog line
	// (see parseSyslog); the messages of sshd, sudo, PAM, postfix and
	// dovecot are parsed into fields of their own.
	Syslog
	// NginxError is nginx's error log (see parseNginxError).
	NginxError
	// PHPTrace is a frame line of a PHP stack trace, "#0 file(12):
	// f('arg')" (see parsePHPFrame).
	PHPTrace
)

var formatNames = [...]string{"auto", "text", "combined", "common", "json", "logfmt", "cri", "docker", "syslog", "nginx_error", "php_trace"}

// ParseFormat returns the Format named s ("auto", "text", "combined",
// "common", "json", "logfmt", "cri", "docker", "syslog", "nginx_error" or
// "php_trace", case-insensitive).
func ParseFormat(s string) (Format, error) {
	for i, n := range formatNames {
		if strings.EqualFold(s, n) {
			return Format(i), nil
		}
	}
	return Auto, fmt.Errorf("format: unknown format %q (want one of auto, text, combined, common, json, logfmt, cri, docker, syslog, nginx_error, php_trace)", s)
}

// String returns the format's name as accepted by ParseFormat.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// Kind is the syntactic kind of a field's value.
type Kind uint8

// The value kinds. Bare is an unquoted token (combined bare fields, unquoted
// logfmt values).
const (
	String Kind = iota
	Number
	Bool
	Null
	Bare
)

var kindNames = [...]string{"string", "number", "bool", "null", "bare"}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Span is a half-open range [Start, End) of byte offsets into Record.Line.
type Span struct{ Start, End int }

// Len returns the number of bytes in the span.
func (s Span) Len() int { return s.End - s.Start }

// Field is one parsed field of a line.
type Field struct {
	// Path is the field name: the dotted path for JSON ("user.email"), the
	// key for logfmt, the nginx variable name for combined. It points into
	// the line, into the Record's scratch buffer or into a package-level
	// name table, so it must not be modified and is only valid until the
	// next Parse into the same Record.
	Path []byte
	// Key is the key's span including quotes (JSON, logfmt); zero for
	// combined fields and JSON array elements.
	Key Span
	// Value is the value's span; for quoted strings it excludes the quotes
	// and holds the raw (still escaped) bytes.
	Value Span
	// Kind is the value's syntactic kind.
	Kind Kind
	// Escaped reports that a quoted value contains a backslash escape.
	Escaped bool
	// Parent is the index of the enclosing field for sub-fields (e.g.
	// request_method inside request), else -1.
	Parent int
}

// Record is a parsed line. Reuse one Record across Parse calls so its slices
// and scratch buffers are reused.
type Record struct {
	// Line is the parsed line; every Span indexes into it.
	Line []byte
	// Format is the detected format, never Auto after Parse.
	Format Format
	// Fields are the fields in line order.
	Fields []Field
	// Time is the index into Fields of the record time field, -1 if none.
	Time int
	// Written is when a container runtime read the line (the time of a
	// CRI line's prefix); zero for other formats.
	Written time.Time
	// Now is the processing time that completes a time without a year
	// (BSD syslog); the caller sets it, Parse keeps it. Zero means the
	// wall clock.
	Now time.Time

	paths    []byte  // storage for built paths (JSON dotted paths, extra_N names)
	stack    []byte  // JSON path prefix under construction
	order    []int32 // Rewrite's edit order when the caller's edits are unsorted
	timeRank int     // index into timeKeys of the current Time field
	msgStart int     // start of the message in Line (after a CRI prefix)
	msgEnd   int     // end of the message in Line (before a CRI newline)
	inCRI    bool    // parseAuto is parsing a CRI record's message
}

// Parse parses line as format f (Auto detects the format per line) into rec,
// reusing rec's slices. timeKeys are the JSON/logfmt keys (exact,
// case-sensitive, dotted for JSON) that may hold the record time; the first
// key of timeKeys present in the line wins, and among duplicates of that key
// the first occurrence. It returns false if the line is not valid for f; then
// rec.Format is Text and rec.Fields is empty. Parse(Text, ...) and
// Parse(Auto, ...) always return true.
//
// Parse(CRI, ...) returns false only for a malformed CRI prefix (ParseCRI);
// otherwise it parses the message as Auto does, rec.Format is the
// message's format (Text if none fits) and the spans index into the whole
// line, so Rewrite keeps the prefix and a trailing newline verbatim: a
// dropped field takes separators from inside the message only, so dropping
// every pair of a logfmt message leaves "<time> <stream> <tag> " (plus the
// newline, if any), still a CRI line with an empty message. The CRI time is
// not a field: RecordTime reports the message's own time. Each line is
// parsed alone; joining partial lines (tag "P") needs the state of the
// agent's reader (ParseCRI plus a Joiner). Parse(Auto, ...) parses a CRI
// record as Parse(CRI) does.
// Parse(Docker, ...) always returns false: the message is JSON-escaped
// inside the "log" string, so its fields are not byte ranges of the line
// and an edit would need escaping twice; the agent's reader and the rules
// engine unwrap docker records with ParseDocker and write them anew with
// AppendDocker instead. (Auto and JSON parse a docker record as the JSON
// object it is.)
func Parse(f Format, line []byte, timeKeys [][]byte, rec *Record) bool {
	rec.reset(line)
	ok := false
	switch f {
	case Auto:
		rec.parseAuto(timeKeys)
		return true
	case Text:
		rec.Format = Text
		return true
	case Combined, Common:
		ok = rec.parseCombined()
	case JSON:
		ok = rec.parseJSON(timeKeys)
	case Logfmt:
		ok = rec.parseLogfmt(timeKeys)
	case CRI:
		ok = rec.parseContainer(timeKeys)
	case Syslog:
		ok = rec.parseSyslog()
	case NginxError:
		ok = rec.parseNginxError()
	case PHPTrace:
		ok = rec.parsePHPFrame()
	}
	if !ok {
		rec.reset(line)
	}
	return ok
}

// reset empties rec for a new line; it keeps the capacity of every slice.
func (r *Record) reset(line []byte) {
	r.Line = line
	r.Format = Text
	r.Fields = r.Fields[:0]
	r.Time = -1
	r.Written = time.Time{}
	r.timeRank = -1
	r.paths = r.paths[:0]
	r.msgStart, r.msgEnd = 0, len(line)
}

// parseAuto picks the format of one line from its first bytes and falls back
// to Text when no structured parser accepts it. A CRI record is parsed as
// Parse(CRI) parses it (see parseContainer): the fields of its message, the
// message's format and the runtime's time.
func (r *Record) parseAuto(timeKeys [][]byte) {
	line := r.Line
	if !r.inCRI && mayBeCRI(line) {
		if r.parseContainer(timeKeys) {
			return
		}
		r.reset(line)
	}
	i := skipJSONSpace(line, 0)
	if i < len(line) && line[i] == '{' {
		if r.parseJSON(timeKeys) {
			return
		}
		r.reset(line)
	}
	if len(line) > 0 && line[0] == '#' && looksPHPFrame(line) && r.parsePHPFrame() {
		return
	}
	if r.parseCombined() {
		return
	}
	r.reset(line)
	if startsNginxError(line) && r.parseNginxError() {
		return
	}
	r.reset(line)
	if r.parseSyslog() {
		return
	}
	r.reset(line)
	if startsWithLogfmtPair(line) && r.parseLogfmt(timeKeys) {
		return
	}
	r.reset(line)
}

// parseContainer is parseCRI with the message parsed one level deep: a
// CRI record inside its message is the message's text, as it was before
// Auto recognised CRI records, so that the message's bounds Rewrite keeps
// to are those of the one prefix.
func (r *Record) parseContainer(timeKeys [][]byte) bool {
	r.inCRI = true
	ok := r.parseCRI(timeKeys)
	r.inCRI = false
	return ok
}

// mayBeCRI reports whether line starts like a CRI record: a digit, three
// more bytes of the year and '-' (what splitCRI checks first). An access
// log line starts with an address, which has no '-' at index 4.
func mayBeCRI(line []byte) bool {
	return len(line) > 4 && line[4] == '-' && line[0] >= '0' && line[0] <= '9'
}

// addField appends a field and returns its index.
func (r *Record) addField(path []byte, key, value Span, kind Kind, escaped bool, parent int) int {
	r.Fields = append(r.Fields, Field{Path: path, Key: key, Value: value, Kind: kind, Escaped: escaped, Parent: parent})
	return len(r.Fields) - 1
}

// matchTime makes field i the record time if its path ranks better among
// timeKeys than the current time field.
func (r *Record) matchTime(i int, timeKeys [][]byte) {
	limit := len(timeKeys)
	if r.timeRank >= 0 {
		limit = r.timeRank
	}
	path := r.Fields[i].Path
	for k := 0; k < limit; k++ {
		if bytes.Equal(path, timeKeys[k]) {
			r.Time, r.timeRank = i, k
			return
		}
	}
}

// storePath copies b into the scratch path buffer and returns the copy,
// capped so that appending to it cannot overwrite the buffer.
func (r *Record) storePath(b []byte) []byte {
	start := len(r.paths)
	r.paths = append(r.paths, b...)
	return r.paths[start:len(r.paths):len(r.paths)]
}
