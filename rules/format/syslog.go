package format

import (
	"bytes"
	"time"
)

// Field names of the syslog parser. They are shared by every Record and must
// not be modified.
var (
	nameSyslogTime    = []byte("syslog.time")
	nameSyslogHost    = []byte("syslog.host")
	nameSyslogProgram = []byte("syslog.program")
	nameSyslogPID     = []byte("syslog.pid")
	nameSyslogMsgID   = []byte("syslog.msgid")
	nameSyslogSD      = []byte("syslog.sd")
	nameSyslogMessage = []byte("syslog.message")
)

// SyslogFields returns the names of the header fields the syslog parser
// produces, in the order of a line. The message's own fields (sshd.user,
// postfix.from, ...) are listed by the README. The slice is the caller's.
func SyslogFields() []string {
	return []string{"syslog.time", "syslog.host", "syslog.program", "syslog.pid", "syslog.msgid", "syslog.sd", "syslog.message"}
}

// parseSyslog parses a BSD (RFC 3164), an RFC 5424 or an rsyslog ISO-time
// syslog line, each with or without a leading "<PRI>":
//
//	[<PRI>]Mmm dd hh:mm:ss host tag[pid]: message
//	[<PRI>]2026-12-02T01:13:17.123456+01:00 host tag[pid]: message
//	<PRI>1 2026-12-02T01:13:17.000Z host app procid msgid [sd] message
//	host tag[pid]: message    (no time, as journald and fail2ban print it)
//	@4000000069... tag: message (daemontools/runit TAI64N label, no host)
//
// The message is the field syslog.message; the program-aware parsers add
// the identifiers inside it as its sub-fields. A line without a tag ending
// in ':' is not syslog (it is left to the free-text detectors).
func (r *Record) parseSyslog() bool {
	b := r.Line
	i := skipPRI(b)
	if i+1 < len(b) && b[i] == '1' && b[i+1] == ' ' && i > 0 {
		return r.parse5424(i + 2)
	}
	te := syslogTimeEnd(b, i)
	timeless := te < 0 // "host prog[pid]: msg", as journald and fail2ban print it
	if timeless {
		te = i - 1
	} else if te >= len(b) || b[te] != ' ' {
		return false
	}
	hs := te + 1
	he := skipToken(b, hs, len(b))
	if he == hs || he >= len(b) {
		return false
	}
	ts := he + 1
	if b[he-1] == ':' { // no host: "Dec  2 01:13:17 sshd[1]: ..."
		ts, he = hs, -1
	}
	ps, pe, ds, de, ms := syslogTag(b, ts)
	if ms < 0 || timeless && (he < 0 || ds < 0 || !isDigits(b[ds:de])) {
		return false
	}
	if c := ms - 1; he < 0 && (b[c] == ' ' && b[c-1] != ':' || b[c] != ' ' && c+1 < len(b)) {
		return false // no host: the tag's ':' ends the token ("sshd[1]: msg")
	}
	if !timeless {
		r.Time = r.addField(nameSyslogTime, Span{}, Span{i, te}, Bare, false, -1)
	}
	if he >= 0 {
		r.addField(nameSyslogHost, Span{}, Span{hs, he}, Bare, false, -1)
	}
	r.addField(nameSyslogProgram, Span{}, Span{ps, pe}, Bare, false, -1)
	if ds >= 0 {
		r.addField(nameSyslogPID, Span{}, Span{ds, de}, Bare, false, -1)
	}
	r.syslogMessage(b[ps:pe], ms, trimEnd(b, ms, len(b)))
	r.Format = Syslog
	return true
}

// skipPRI returns the index after a leading "<PRI>" (one to three digits),
// or 0.
func skipPRI(b []byte) int {
	if len(b) < 3 || b[0] != '<' {
		return 0
	}
	j := skipDigits(b, 1)
	if j == 1 || j > 4 || j >= len(b) || b[j] != '>' {
		return 0
	}
	return j + 1
}

// trimEnd returns end without trailing spaces and CRs (not before s).
func trimEnd(b []byte, s, end int) int {
	for end > s && (b[end-1] == ' ' || b[end-1] == '\r') {
		end--
	}
	return end
}

// syslogTimeEnd returns the end of a BSD ("Dec  2 01:13:17") or RFC 3339
// time at b[i:], or -1.
func syslogTimeEnd(b []byte, i int) int {
	if i+15 <= len(b) && isBSDTime(b[i:i+15]) {
		return i + 15
	}
	if i+14 <= len(b) && isBSDTime(b[i:i+14]) { // "Dec 2 01:13:17"
		return i + 14
	}
	if i+25 <= len(b) && isTAI64N(b[i:i+25]) {
		return i + 25
	}
	e := skipToken(b, i, len(b))
	if e-i < 20 || e-i > 40 || b[i] < '0' || b[i] > '9' {
		return -1
	}
	if _, ok := ParseTime(b[i:e]); !ok || b[i+4] != '-' {
		return -1
	}
	return e
}

// isBSDTime reports whether b is "Mmm dd hh:mm:ss" (day space-padded, or
// one digit with a single space).
func isBSDTime(b []byte) bool {
	if b[3] != ' ' || monthOf(b[:3]) == 0 {
		return false
	}
	d := b[4:]
	if len(b) == 15 {
		if d[0] != ' ' && (d[0] < '0' || d[0] > '3') {
			return false
		}
		d = d[1:]
	}
	if d[0] < '0' || d[0] > '9' || d[1] != ' ' || len(b) == 15 && (b[4] == '3' && d[0] > '1' || b[4] == '0' && d[0] == '0') || len(b) == 14 && d[0] == '0' {
		return false
	}
	c := d[2:]
	return len(c) == 8 && c[2] == ':' && c[5] == ':' && isDigits(c[:2]) && isDigits(c[3:5]) && isDigits(c[6:])
}

// isTAI64N reports whether b is a daemontools/runit TAI64N label:
// '@' and 24 lower-case hex digits starting "4000".
func isTAI64N(b []byte) bool {
	if len(b) != 25 || b[0] != '@' || string(b[1:5]) != "4000" {
		return false
	}
	for _, c := range b[1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// parseTAI64N returns the UTC time of a TAI64N label (isTAI64N), taking
// TAI as UTC + 10 s as daemontools' tai64nlocal does.
func parseTAI64N(b []byte) time.Time {
	var sec, ns uint64
	for _, c := range b[1:17] {
		sec = sec<<4 | uint64(unhex(c))
	}
	for _, c := range b[17:25] {
		ns = ns<<4 | uint64(unhex(c))
	}
	return time.Unix(int64(sec-1<<62)-10, int64(ns%1e9)).UTC()
}

// isDigits reports whether b is a non-empty run of decimal digits.
func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// syslogTag parses "tag[pid]: " or "tag: " at b[i:]. It returns the tag's
// span, the pid's span (ds = -1 if none) and where the message starts
// (ms = -1 if there is no tag).
func syslogTag(b []byte, i int) (ps, pe, ds, de, ms int) {
	ps, ds = i, -1
	j := i
	for j < len(b) && j-i <= 64 && isTagByte(b[j]) {
		j++
	}
	pe = j
	if pe == ps || j >= len(b) || b[j] != '[' && b[j] != ':' || !isTagStart(b[ps]) {
		return 0, 0, -1, 0, -1
	}
	if b[j] == '[' {
		k := bytes.IndexByte(b[j:], ']')
		if k < 0 || j+k+1 >= len(b) || b[j+k+1] != ':' {
			return 0, 0, -1, 0, -1
		}
		ds, de = j+1, j+k
		j += k + 1
	}
	j++ // the ':'
	if j < len(b) && b[j] == ' ' {
		j++
	}
	return ps, pe, ds, de, j
}

// isTag reports whether v can be a tag (program name).
func isTag(v []byte) bool {
	if len(v) == 0 || !isTagStart(v[0]) {
		return false
	}
	for _, c := range v {
		if !isTagByte(c) {
			return false
		}
	}
	return true
}

// isTagStart reports whether a tag may start with c: a letter, '_' or '-',
// so an address ("1.2.3.4:2817") is never taken for a program name.
func isTagStart(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_' || c == '-' }

// isTagByte reports whether c may be part of a syslog tag: letters,
// digits and "-_./()". Anything else (an '@', a ',') makes the line free
// text, so no identifier hides in the kept program name.
func isTagByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '/' || c == '(' || c == ')'
}

// parse5424 parses the RFC 5424 header after "<PRI>1 " at b[i:].
func (r *Record) parse5424(i int) bool {
	b := r.Line
	var f [5]Span
	for k := range f {
		e := skipToken(b, i, len(b))
		if e == i {
			return false
		}
		f[k] = Span{i, e}
		if i = e + 1; k < 4 && i >= len(b) {
			return false
		}
	}
	if !isTag(b[f[2].Start:f[2].End]) {
		return false // the app name is kept: nothing but a program name
	}
	if v := b[f[0].Start:f[0].End]; !(len(v) == 1 && v[0] == '-') {
		if _, ok := ParseTime(v); !ok {
			return false
		}
		r.Time = r.addField(nameSyslogTime, Span{}, f[0], Bare, false, -1)
	}
	for k, n := range [...][]byte{nameSyslogHost, nameSyslogProgram, nameSyslogPID, nameSyslogMsgID} {
		r.addField(n, Span{}, f[k+1], Bare, false, -1)
	}
	ms, ok := r.parseSD(i)
	if !ok {
		return false
	}
	if ms < len(b) {
		if bytes.HasPrefix(b[ms:], utf8BOM) {
			ms += len(utf8BOM)
		}
		r.syslogMessage(b[f[2].Start:f[2].End], ms, trimEnd(b, ms, len(b)))
	}
	r.Format = Syslog
	return true
}

var utf8BOM = []byte("\xef\xbb\xbf")

// parseSD adds the structured data at b[i:] ("-" or "[id k="v" ...]...")
// as syslog.sd and returns where the message starts.
func (r *Record) parseSD(i int) (int, bool) {
	b := r.Line
	if i >= len(b) {
		return i, true
	}
	if b[i] == '-' {
		if i+1 < len(b) && b[i+1] != ' ' {
			return 0, false
		}
		return i + 2, true
	}
	s := i
	for i < len(b) && b[i] == '[' {
		if i = sdElementEnd(b, i); i < 0 {
			return 0, false
		}
	}
	if i == s || (i < len(b) && b[i] != ' ') {
		return 0, false
	}
	r.addField(nameSyslogSD, Span{}, Span{s, i}, Bare, false, -1)
	return i + 1, true
}

// sdElementEnd returns the index after the SD element opened at b[i], or
// -1: a ']' inside a quoted value (or escaped) does not close it.
func sdElementEnd(b []byte, i int) int {
	quoted := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			quoted = !quoted
		case ']':
			if !quoted {
				return j + 1
			}
		}
	}
	return -1
}

// syslogTime parses a syslog.time value. A BSD time has no year and no
// zone: it is read as UTC in the latest year (of now's year + 1, now's
// year and the year before) that puts it at most two days after now; the
// slack absorbs time zones and clock skew, so "Jan  1 00:30:00" written
// an hour before now's New Year is next year's, and "Dec 31 23:59:00" read
// just after it last year's.
func syslogTime(v []byte, now time.Time) (time.Time, bool) {
	if len(v) == 25 && isTAI64N(v) {
		return parseTAI64N(v), true
	}
	if len(v) < 14 || len(v) > 15 || !isBSDTime(v) {
		return ParseTime(v)
	}
	d := v[4 : len(v)-9]
	day := int(d[len(d)-1] - '0')
	if len(d) == 2 && d[0] != ' ' {
		day += 10 * int(d[0]-'0')
	}
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	mon := monthOf(v[:3])
	for y := now.Year() + 1; y >= now.Year()-1; y-- {
		if t, ok := civil(y, mon, day, v[len(v)-8:], 0, 0); ok && t.Sub(now) <= 48*time.Hour {
			return t, true
		}
	}
	return time.Time{}, false // Feb 29 without a leap year nearby, or a bad clock
}

// appendTextEdit appends the replacement of a syslog or nginx error field.
// A header field stays a token of its kind (a time that is not one keeps
// its old value, an empty or dropped token becomes "-"); the message and
// its sub-fields take any bytes but control bytes, so no edit breaks the
// line.
func (r *Record) appendTextEdit(dst []byte, f *Field, e *Edit) []byte {
	v := e.Value
	if !isHeaderField(f) {
		if e.Drop {
			return dst
		}
		return appendTextValue(dst, f, v)
	}
	if fixedShape(f) {
		if e.Drop || !r.sameShape(f, v) {
			v = r.Line[f.Value.Start:f.Value.End] // no personal data: times, pids, levels
		}
		return append(dst, v...)
	}
	if e.Drop || len(v) == 0 || sameName(f.Path, nameSyslogSD) && !isSD(v) {
		return append(dst, '-')
	}
	if sameName(f.Path, nameSyslogSD) {
		return appendTextValue(dst, f, v) // still SD: isSD has no control byte to refuse
	}
	tag := sameName(f.Path, nameSyslogProgram)
	if tag && len(v) > 48 {
		v = v[:48] // a tag has at most 64 bytes
	}
	for i, c := range v {
		if c <= ' ' || c >= 0x7f || c == ']' || c == '[' || tag && (!isTagByte(c) || i == 0 && !isTagStart(c)) || c == ':' && i == len(v)-1 {
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}

// fixedShape reports whether the header field f only takes values of its
// own shape: the times, the pids, the nginx level and connection.
func fixedShape(f *Field) bool {
	for _, n := range [...][]byte{nameSyslogTime, nameSyslogPID, nameNginxTime, nameNginxLevel, nameNginxPID, nameNginxConnection} {
		if sameName(f.Path, n) {
			return true
		}
	}
	return false
}

// isHeaderField reports whether f is a token of a syslog or nginx error
// header (time, host, program, pid, level, ...) rather than free text.
func isHeaderField(f *Field) bool {
	if f.Parent >= 0 {
		return false
	}
	for _, n := range [...][]byte{nameSyslogTime, nameSyslogHost, nameSyslogProgram, nameSyslogPID, nameSyslogMsgID, nameSyslogSD,
		nameNginxTime, nameNginxLevel, nameNginxPID, nameNginxConnection} {
		if sameName(f.Path, n) {
			return true
		}
	}
	return false
}

// sameShape reports whether v can stand where the fixedShape field f is.
func (r *Record) sameShape(f *Field, v []byte) bool {
	switch {
	case sameName(f.Path, nameNginxTime):
		return isNginxTime(v)
	case sameName(f.Path, nameNginxLevel):
		return len(v) > 0 && bytes.IndexByte(v, ']') < 0 && isTextSafe(v)
	case sameName(f.Path, nameNginxPID):
		return len(v) > 0 && skipPID(v) == len(v)
	case sameName(f.Path, nameSyslogPID):
		return isDigits(v)
	case sameName(f.Path, nameNginxConnection):
		return len(v) > 1 && v[0] == '*' && isDigits(v[1:])
	}
	return len(v) > 0 && v[0] != ' ' && syslogTimeEnd(v, 0) == len(v)
}

// isTextSafe reports whether v has no control byte.
func isTextSafe(v []byte) bool {
	for _, c := range v {
		if c < ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// isSD reports whether v is RFC 5424 structured data (one or more
// elements).
func isSD(v []byte) bool {
	i := 0
	for i < len(v) && v[i] == '[' {
		if i = sdElementEnd(v, i); i < 0 {
			return false
		}
	}
	return i == len(v) && i > 0
}

// appendTextValue appends v for a syslog or nginx error field with control
// bytes (and quotes inside a quoted value) replaced by '_'.
func appendTextValue(dst []byte, f *Field, v []byte) []byte {
	for _, c := range v {
		if c < ' ' && c != '\t' || c == 0x7f || c == '"' && f.Kind == String {
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}
