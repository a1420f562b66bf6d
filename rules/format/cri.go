package format

import (
	"bytes"
	"fmt"
	"time"

	"github.com/tarn-project/tarn/rules/detect"
)

// Container runtimes wrap every line an application writes: the CRI format
// of containerd and CRI-O (what kubelet keeps under /var/log/pods) and
// docker's json-file driver. ParseCRI and ParseDocker decode one wrapper
// record into a Container; a Joiner reassembles lines the runtime split
// into partial records. All of it is pure and allocation-free per line.

// Stream is the container output stream a record was written to.
type Stream uint8

// The container output streams.
const (
	Stdout Stream = iota
	Stderr
)

// String returns "stdout" or "stderr".
func (s Stream) String() string {
	switch s {
	case Stdout:
		return "stdout"
	case Stderr:
		return "stderr"
	}
	return fmt.Sprintf("Stream(%d)", uint8(s))
}

// streamOf returns the Stream named exactly (case-sensitively) b.
func streamOf(b []byte) (Stream, bool) {
	switch string(b) {
	case "stdout":
		return Stdout, true
	case "stderr":
		return Stderr, true
	}
	return Stdout, false
}

// Container is one decoded container-runtime log record.
type Container struct {
	// Time is when the runtime read the line, in UTC.
	Time time.Time
	// Stream is the stream the application wrote the line to.
	Stream Stream
	// Partial reports that the message continues in the next record of
	// the same stream (CRI tag "P", a docker "log" value without a final
	// newline).
	Partial bool
	// Message is the application's output without the newline that ends
	// the line. ParseCRI points it into the line, ParseDocker into its
	// buffer; its capacity is capped, so appending to it copies.
	Message []byte
}

// ParseCRI parses a line of the CRI log format written by containerd and
// CRI-O, "<RFC3339Nano time> <stdout|stderr> <tag> <message>", into c and
// reports whether it is well-formed. It accepts exactly what kubelet's
// parseCRILog accepts:
//   - the time is everything before the first space and must parse as
//     time.Parse(time.RFC3339Nano) parses it (see parseRuntimeTime);
//   - the stream is everything up to the next space and must be "stdout"
//     or "stderr" exactly, so a doubled space before it is an error;
//   - the tag runs to the next space, which must exist; tags are
//     ':'-separated and only a first tag of exactly "P" marks a partial
//     line; anything else ("F", "F:x", "", unknown tags) is a full line;
//   - the message is every byte after that space, verbatim (leading
//     spaces, tabs, invalid UTF-8, NUL).
//
// Unlike kubelet, which trims the newline of partial lines only, ParseCRI
// leaves one trailing '\n' (the line terminator, if the caller kept it) out
// of Message for every tag: kubelet's message is Message plus "\n" when the
// line is full and was read with its newline. On false, c is zeroed.
func ParseCRI(line []byte, c *Container) bool {
	_, ok := splitCRI(line, c)
	return ok
}

// MayBeCRI reports whether line may be a CRI record, a test cheap enough
// to run on every line: a runtime time starts with the year and '-'.
func MayBeCRI(line []byte) bool {
	return len(line) >= 5 && line[0]-'0' <= 9 && line[4] == '-'
}

// splitCRI is ParseCRI that also returns the offset of the message.
func splitCRI(line []byte, c *Container) (int, bool) {
	*c = Container{}
	if !MayBeCRI(line) {
		return 0, false
	}
	ts := bytes.IndexByte(line, ' ')
	if ts < 0 {
		return 0, false
	}
	t, ok := parseRuntimeTime(line[:ts])
	st := ts + 1
	sl := bytes.IndexByte(line[st:], ' ')
	if !ok || sl < 0 {
		return 0, false
	}
	s, ok := streamOf(line[st : st+sl])
	tg := st + sl + 1
	tl := bytes.IndexByte(line[tg:], ' ')
	if !ok || tl < 0 {
		return 0, false
	}
	m, end := tg+tl+1, len(line)
	if end > m && line[end-1] == '\n' {
		end--
	}
	*c = Container{Time: t, Stream: s, Partial: isPartialTag(line[tg : tg+tl]), Message: line[m:end:end]}
	return m, true
}

// isPartialTag reports whether the first ':'-separated tag is "P".
func isPartialTag(tag []byte) bool {
	return len(tag) > 0 && tag[0] == 'P' && (len(tag) == 1 || tag[1] == ':')
}

// parseRuntimeTime parses a container-runtime timestamp, accepting exactly
// what time.Parse(time.RFC3339Nano, s) accepts (kubelet parses CRI times
// that way, docker times with time.Time.UnmarshalJSON, which accepts the
// same): "YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)" with an upper-case 'T' and
// 'Z', a one- or two-digit hour below 24, minutes and seconds below 60 (no
// leap second), a valid day of the month, a fraction of one or more digits
// after '.' or ',' (digits past the ninth ignored) and an offset of at most
// 24:60. The result is the instant in UTC, so no *time.Location is
// allocated.
func parseRuntimeTime(b []byte) (time.Time, bool) {
	if len(b) < len("2006-01-02T1:04:05Z") || b[4] != '-' || b[7] != '-' || b[10] != 'T' {
		return time.Time{}, false
	}
	y, ok1 := num(b, 0, 4)
	mo, ok2 := num(b, 5, 2)
	d, ok3 := num(b, 8, 2)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return time.Time{}, false
	}
	i := 12
	if b[i] >= '0' && b[i] <= '9' {
		i++ // two-digit hour
	}
	hh, ok1 := num(b, 11, i-11)
	mi, ok2 := num(b, i+1, 2)
	ss, ok3 := num(b, i+4, 2)
	if !ok1 || !ok2 || !ok3 || b[i] != ':' || b[i+3] != ':' || hh > 23 || mi > 59 || ss > 59 {
		return time.Time{}, false
	}
	i += 6
	ns := 0
	if i+1 < len(b) && (b[i] == '.' || b[i] == ',') && b[i+1] >= '0' && b[i+1] <= '9' {
		j := skipDigits(b, i+1)
		ns, i = fracNanos(b[i+1:j]), j
	}
	off, ok := runtimeZone(b[i:])
	if !ok {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, hh, mi, ss, ns, time.UTC)
	return t.Add(-time.Duration(off) * time.Second), true
}

// runtimeZone parses the zone of parseRuntimeTime, "Z" or "±hh:mm" with
// hh <= 24 and mm <= 60 (time.Parse's bounds), filling all of b, and
// returns seconds east of UTC.
func runtimeZone(b []byte) (int, bool) {
	if len(b) == 1 && b[0] == 'Z' {
		return 0, true
	}
	if len(b) != 6 || b[3] != ':' || (b[0] != '+' && b[0] != '-') {
		return 0, false
	}
	h, ok1 := num(b, 1, 2)
	m, ok2 := num(b, 4, 2)
	if !ok1 || !ok2 || h > 24 || m > 60 {
		return 0, false
	}
	if b[0] == '-' {
		return -(h*3600 + m*60), true
	}
	return h*3600 + m*60, true
}

// parseCRI parses r.Line as a CRI record and its message as Auto does.
// Spans are shifted to index the whole line and the message's bounds are
// recorded, so Rewrite copies the CRI prefix and a trailing newline
// verbatim. It returns false only for a
// malformed CRI prefix; a message no parser accepts leaves rec.Format Text.
func (r *Record) parseCRI(timeKeys [][]byte) bool {
	line := r.Line
	var c Container
	start, ok := splitCRI(line, &c)
	if !ok {
		return false
	}
	r.reset(c.Message)
	r.parseAuto(timeKeys)
	r.Line, r.Written = line, c.Time
	r.shiftSpans(start)
	r.msgStart, r.msgEnd = start, start+len(c.Message)
	return true
}

// shiftSpans adds d to every key and value span.
func (r *Record) shiftSpans(d int) {
	for i := range r.Fields {
		f := &r.Fields[i]
		f.Value.Start += d
		f.Value.End += d
		if f.Key != (Span{}) {
			f.Key.Start += d
			f.Key.End += d
		}
	}
}

// DefaultJoinMax is the message limit of a Joiner whose Max is 0.
const DefaultJoinMax = 1 << 20

// Joiner reassembles the lines container runtimes split into partial
// records (CRI tag "P", docker "log" without a final newline), keeping
// stdout and stderr apart. It is bounded: a message longer than Max is cut
// to at most Max bytes, where no identifier is cut in half
// (detect.CutEnd), the rest of it is discarded and Add reports the cut, so a line that never ends cannot grow memory without limit (a
// Joiner holds at most Max bytes per stream). The zero value is ready to
// use. A Joiner serves one source (one log file) and is not safe for
// concurrent use.
type Joiner struct {
	// Max is the longest message in bytes that Add and Flush return;
	// 0 means DefaultJoinMax.
	Max int

	pend [2]pendingLine
}

// pendingLine is the part of a line received so far on one stream.
type pendingLine struct {
	buf    []byte
	active bool // a partial record was added since the last complete line
	cut    bool // bytes were discarded to stay within Max
}

// Add adds the record c. When c ends a line it returns the whole line's
// message, whether it was cut to Max bytes, and true; while the line
// continues (c.Partial) it returns nil, false, false. A full record with no
// partial before it is returned without copying (it aliases c.Message);
// a joined message aliases the Joiner's buffer for c's stream. Either is
// valid until the next Add or Flush of that stream. Streams other than
// Stdout and Stderr share Stdout's buffer.
func (j *Joiner) Add(c *Container) (msg []byte, cut, ok bool) {
	p := &j.pend[c.Stream.index()]
	limit := j.limit()
	if !c.Partial && !p.active {
		if len(c.Message) > limit {
			n := detect.CutEnd(c.Message[:limit], c.Message[limit])
			return c.Message[:n:n], true, true
		}
		return c.Message, false, true
	}
	p.add(c.Message, limit)
	if c.Partial {
		return nil, false, false
	}
	return p.take()
}

// Flush returns the pending partial line of stream s as a message, as Add
// would if a full empty record followed, and true; false if none is
// pending. The reader calls it when the source ends (the container exited
// or its log file was rotated away) so the last partial line is not lost.
func (j *Joiner) Flush(s Stream) (msg []byte, cut, ok bool) {
	p := &j.pend[s.index()]
	if !p.active {
		return nil, false, false
	}
	return p.take()
}

// Pending reports whether a partial line of stream s awaits its end.
func (j *Joiner) Pending(s Stream) bool { return j.pend[s.index()].active }

// Reset drops any pending partial lines and releases the buffers.
func (j *Joiner) Reset() { j.pend = [2]pendingLine{} }

// limit returns the effective Max.
func (j *Joiner) limit() int {
	if j.Max <= 0 {
		return DefaultJoinMax
	}
	return j.Max
}

// index maps s to its Joiner buffer.
func (s Stream) index() int {
	if s == Stderr {
		return 1
	}
	return 0
}

// add appends b, cut so that the line stays within limit bytes and no
// identifier is cut in half (detect.CutEnd); after a cut the rest of the
// line is discarded. The buffer never grows beyond limit bytes of capacity.
func (p *pendingLine) add(b []byte, limit int) {
	p.active = true
	if p.cut {
		return
	}
	next, over := byte(0), false
	if room := max(limit-len(p.buf), 0); len(b) > room {
		b, next, over = b[:room], b[room], true
	}
	if need := len(p.buf) + len(b); need > cap(p.buf) {
		grown := make([]byte, len(p.buf), min(max(need, 2*cap(p.buf), 512), max(limit, need)))
		copy(grown, p.buf)
		p.buf = grown
	}
	p.buf = append(p.buf, b...)
	if over {
		p.buf, p.cut = p.buf[:detect.CutEnd(p.buf, next)], true
	}
}

// take returns the joined line and starts a new one.
func (p *pendingLine) take() ([]byte, bool, bool) {
	msg, cut := p.buf[:len(p.buf):len(p.buf)], p.cut
	p.buf, p.active, p.cut = p.buf[:0], false, false
	return msg, cut, true
}
