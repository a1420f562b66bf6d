package journald

import (
	"strconv"
	"time"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/sinks"
)

// batch is one batch of records being filled from the export stream and
// then ingested; its lines live in arena.
type batch struct {
	b      inputs.Batch
	arena  []byte
	spans  [][2]int // the line of each record in arena
	cursor []byte   // of the batch's last entry, without x=
	// tooOld, noMessage and broken count the entries left out: past
	// max_age, without MESSAGE, not in the export format.
	tooOld, noMessage, broken int
}

// reset empties bt for reuse.
func (bt *batch) reset() {
	bt.b.Reset()
	bt.b.Wait = true
	bt.arena, bt.spans, bt.cursor = bt.arena[:0], bt.spans[:0], bt.cursor[:0]
	bt.tooOld, bt.noMessage, bt.broken = 0, 0, 0
}

// seal points the records' lines into the arena, which no longer grows.
func (bt *batch) seal() {
	for i, s := range bt.spans {
		bt.b.Records[i].Line = bt.arena[s[0]:s[1]:s[1]]
	}
}

// builder turns the entries of an export stream into records.
type builder struct {
	line   lineKind
	maxAge time.Duration
	now    func() time.Time
	// targets are the label and metadata fields, with their index in the
	// export reader's values.
	targets []target
	// labels caches the label slices by their values, so the entries of a
	// stream share one slice (the agent anonymizes a shared slice once).
	labels map[string][]sinks.Label
	key    []byte
}

// target is a label or metadata entry and the field it is taken from.
type target struct {
	fieldTarget
	index int
}

// newBuilder returns the builder of s's line and fields for x.
func newBuilder(s *Settings, x *exportReader, now func() time.Time) *builder {
	b := &builder{line: s.line, maxAge: time.Duration(s.MaxAge), now: now, labels: map[string][]sinks.Label{}}
	for _, t := range s.named {
		b.targets = append(b.targets, target{fieldTarget: t, index: x.index[t.field]})
	}
	return b
}

// add appends the record of the entry x read last to bt (or counts why
// it is left out) and makes its cursor the batch's.
func (b *builder) add(bt *batch, x *exportReader) {
	if c, ok := x.value(fCursor); ok {
		bt.cursor = stripCursor(bt.cursor, c)
	}
	var t time.Time
	if v, ok := x.value(fRealtime); ok {
		if us, err := strconv.ParseInt(string(v), 10, 64); err == nil && us > 0 {
			t = time.UnixMicro(us).UTC()
		}
	}
	if b.maxAge > 0 && !t.IsZero() && b.now().Sub(t) > b.maxAge {
		bt.tooOld++
		return
	}
	msg, ok := x.value(fMessage)
	if !ok {
		bt.noMessage++
		return
	}
	start := len(bt.arena)
	if b.line == lineSyslog {
		bt.arena = b.header(bt.arena, x, t)
	}
	bt.arena = append(bt.arena, msg...)
	bt.spans = append(bt.spans, [2]int{start, len(bt.arena)})
	bt.b.Records = append(bt.b.Records, inputs.Record{Time: t, Labels: b.labelsOf(x), Metadata: b.metadataOf(x)})
}

// header appends "TIME HOST IDENTIFIER[PID]: " (the syslog line of
// journalctl -o short-iso-precise, in UTC): the time of a zero t is left
// out (the rules take now), as are a missing host and PID.
func (b *builder) header(dst []byte, x *exportReader, t time.Time) []byte {
	if !t.IsZero() {
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05.000000Z")
		dst = append(dst, ' ')
	}
	if h, ok := x.value(fHostname); ok && len(h) > 0 {
		dst = appendToken(dst, h)
		dst = append(dst, ' ')
	}
	id, ok := x.value(fIdentifier)
	if !ok || len(id) == 0 {
		id, ok = x.value(fComm)
	}
	if !ok || len(id) == 0 {
		if tr, _ := x.value(fTransport); string(tr) == "kernel" {
			id = []byte("kernel")
		} else {
			id = []byte("unknown")
		}
	}
	dst = appendToken(dst, id)
	pid, ok := x.value(fSyslogPID)
	if !ok || !digits(pid) {
		pid, ok = x.value(fPID)
	}
	if ok && digits(pid) {
		dst = append(dst, '[')
		dst = append(dst, pid...)
		dst = append(dst, ']')
	}
	return append(dst, ':', ' ')
}

// appendToken appends v with the bytes that would end a syslog header
// token (space, control bytes, '[', ']', ':') replaced by '_'.
func appendToken(dst, v []byte) []byte {
	for _, c := range v {
		if c <= ' ' || c == 0x7f || c == '[' || c == ']' || c == ':' {
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}

func digits(b []byte) bool {
	if len(b) == 0 || len(b) > 10 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// labelsOf returns the stream labels of the entry x read last (nil with
// none): the label fields it has, PRIORITY as its keyword.
func (b *builder) labelsOf(x *exportReader) []sinks.Label {
	b.key = b.key[:0]
	n := 0
	for _, t := range b.targets {
		if !t.label {
			continue
		}
		v, ok := b.fieldValue(x, t)
		if ok {
			n++
			b.key = append(b.key, v...)
		}
		b.key = append(b.key, 0)
	}
	if n == 0 {
		return nil
	}
	if ls, ok := b.labels[string(b.key)]; ok {
		return ls
	}
	ls := make([]sinks.Label, 0, n)
	for _, t := range b.targets {
		if v, ok := b.fieldValue(x, t); ok && t.label {
			ls = append(ls, sinks.Label{Name: t.name, Value: string(v)})
		}
	}
	if len(b.labels) >= 4096 {
		clear(b.labels)
	}
	b.labels[string(b.key)] = ls
	return ls
}

// metadataOf returns the structured metadata of the entry x read last.
func (b *builder) metadataOf(x *exportReader) []sinks.Label {
	var md []sinks.Label
	for _, t := range b.targets {
		if t.label {
			continue
		}
		if v, ok := b.fieldValue(x, t); ok {
			md = append(md, sinks.Label{Name: t.name, Value: string(v)})
		}
	}
	return md
}

// fieldValue returns the value of t's field for a label or metadata
// entry: not empty, PRIORITY as its keyword (a PRIORITY that is not 0..7
// is left out).
func (b *builder) fieldValue(x *exportReader, t target) ([]byte, bool) {
	v, ok := x.value(t.index)
	if !ok || len(v) == 0 {
		return nil, false
	}
	if t.field == "PRIORITY" {
		if len(v) != 1 || v[0] < '0' || v[0] > '7' {
			return nil, false
		}
		return levelBytes[v[0]-'0'], true
	}
	return v, true
}

// levelBytes are levels as byte slices, shared and never modified.
var levelBytes = func() (b [8][]byte) {
	for i, l := range levels {
		b[i] = []byte(l)
	}
	return b
}()
