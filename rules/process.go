package rules

import (
	"bytes"
	"cmp"
	"time"

	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/pseudo"
)

// Reason says why a record was dropped.
type Reason uint8

// Outcomes of processing one line.
const (
	Kept         Reason = iota // the record is kept
	DropTooOld                 // older than retention.max_age
	DropRule                   // matched drop_records
	DropUnparsed               // no parser understood it and on_unparsed is drop
	NumReasons
)

var reasonNames = [NumReasons]string{"kept", "too_old", "rule", "unparsed"}

// String returns the reason's counter label.
func (r Reason) String() string { return reasonNames[r] }

// Stats counts what a Processor did. Every drop, redaction and cut is
// counted here; the agent exports these as Prometheus counters.
type Stats struct {
	// Lines and Bytes read.
	Lines, Bytes uint64
	// Records by outcome.
	Records [NumReasons]uint64
	// Cut counts lines cut at max_line_bytes.
	Cut uint64
	// Unparsed counts lines no parser understood that were scrubbed.
	Unparsed uint64
	// Actions counts applied actions, indexed like Engine.Rules().
	Actions []uint64
	// Detections counts detector matches by kind.
	Detections [detect.NumKinds]uint64
}

// Result describes one processed line.
type Result struct {
	// Time is the record's own time, or now if it has none.
	Time time.Time
	// Reason is Kept, or why the record was dropped.
	Reason Reason
	// Format is the format the line was parsed as.
	Format format.Format
}

// Processor runs an Engine over lines, one at a time, reusing its buffers.
// It is not safe for concurrent use: give each goroutine its own.
type Processor struct {
	e       *Engine
	rec     format.Record
	edits   []format.Edit
	vals    []byte
	matches []detect.Match
	decoded []byte
	offs    []int32
	scratch []byte
	norm    []byte
	lower   []byte
	docker  []byte    // a docker record's unescaped message
	dmsg    []byte    // its anonymized message
	written time.Time // AppendAt's t; zero otherwise
	ps      *pseudo.Pseudonymizer
	clean   *cleanCache // texts the detectors found clean
	paths   *pathMemo   // actions of the field paths seen last
	t       time.Time
	badTime bool // the record's time field holds no time: scrub it
	// Nested JSON documents in string values (nested.go): the processor
	// of the next level, made on first use, this one's level (0 for a
	// record) and, in a nested processor, the unescaped document.
	nested *Processor
	depth  int
	doc    []byte
	// Buffers of Observe and the daily pseudonymizer of visitors.
	obsHost, obsMethod, obsURI, obsAgent, obsClient []byte
	visitors                                        *pseudo.DayHash
	roleCache                                       [4]roleCache
	obsGroups                                       [][]byte
	obsBuf, obsKey                                  []byte
	layouts                                         map[uint64][numRoles]int
	interned                                        map[string]string
	botCache                                        map[uint64]bool
	// Stats accumulates counters; the owner reads and resets it.
	Stats Stats
}

// NewProcessor returns a Processor for e.
func (e *Engine) NewProcessor() *Processor {
	return &Processor{
		e:     e,
		ps:    pseudo.New(e.key, e.rotation, 0),
		Stats: Stats{Actions: make([]uint64, len(e.actions))},
	}
}

// Append anonymizes line (without its newline) as the engine's format and
// appends the result to dst. A dropped record appends nothing; the Result
// says why. now decides the age of the record.
func (p *Processor) Append(dst, line []byte, now time.Time) ([]byte, Result) {
	return p.AppendAs(dst, line, p.e.format, now)
}

// AppendAt is AppendAs for a line written at t, by a container runtime's
// or a Loki sender's clock: a record without a time of its own takes t —
// for its Result, its pseudonyms and its aggregates — and the line is
// dropped when t is past retention. A zero t is AppendAs.
func (p *Processor) AppendAt(dst, line []byte, f format.Format, t, now time.Time) ([]byte, Result) {
	p.written = t
	out, res := p.AppendAs(dst, line, f, now)
	p.written = time.Time{}
	return out, res
}

// AppendAs is Append with the input format given by the caller. A line
// longer than max_line_bytes is cut, and counted, where no identifier is
// cut in half (detect.CutEnd).
func (p *Processor) AppendAs(dst, line []byte, f format.Format, now time.Time) ([]byte, Result) {
	p.Stats.Lines++
	p.Stats.Bytes += uint64(len(line))
	if len(line) > p.e.maxLine {
		line = line[:detect.CutEnd(line[:p.e.maxLine], line[p.e.maxLine])]
		p.Stats.Cut++
	}
	if f == format.Docker || f == format.Auto && format.MayBeDocker(line) {
		if out, res, ok := p.appendDocker(dst, line, now); ok {
			return out, res
		}
		if f == format.Docker { // no docker record: scrubbed as text
			return p.unparsed(dst, line, Result{Time: cmp.Or(p.written, now), Format: format.Text})
		}
	}
	return p.appendRecord(dst, line, f, now)
}

// appendRecord is AppendAs after the line was counted and cut.
func (p *Processor) appendRecord(dst, line []byte, f format.Format, now time.Time) ([]byte, Result) {
	p.rec.Now = now // completes a syslog time without a year
	ok := format.Parse(f, line, p.e.timeKeys, &p.rec)
	res := Result{Time: now, Format: p.rec.Format}
	if w := cmp.Or(p.written, p.rec.Written); !w.IsZero() {
		res.Time = w
		if now.Sub(w) > p.e.maxAge {
			return p.drop(dst, res, DropTooOld)
		}
	}
	if !ok || p.rec.Format == format.Text {
		return p.unparsed(dst, line, res)
	}
	t, ok := p.rec.RecordTime()
	p.badTime = !ok && p.rec.Time >= 0
	if ok {
		res.Time = t
		if now.Sub(t) > p.e.maxAge {
			return p.drop(dst, res, DropTooOld)
		}
	}
	if p.matchDrop() {
		return p.drop(dst, res, DropRule)
	}
	p.t = res.Time
	p.edits, p.vals = p.edits[:0], p.vals[:0]
	p.fields()
	p.Stats.Records[Kept]++
	return format.Rewrite(dst, &p.rec, p.edits), res
}

func (p *Processor) drop(dst []byte, res Result, r Reason) ([]byte, Result) {
	p.Stats.Records[r]++
	res.Reason = r
	return dst, res
}

// unparsed scrubs (or drops) a line no parser understood: fail closed.
func (p *Processor) unparsed(dst, line []byte, res Result) ([]byte, Result) {
	res.Format = format.Text
	if p.e.dropUnparsed {
		return p.drop(dst, res, DropUnparsed)
	}
	p.Stats.Unparsed++
	p.Stats.Records[Kept]++
	p.t = res.Time
	dst, _ = p.appendScrubbed(dst, line)
	return dst, res
}

// matchDrop reports whether a drop_records rule matches the record and
// counts the rule that did.
func (p *Processor) matchDrop() bool {
	for i := range p.e.drops {
		d := &p.e.drops[i]
		for j := range p.rec.Fields {
			if string(p.rec.Fields[j].Path) != d.field {
				continue
			}
			p.scratch = p.rec.AppendValue(p.scratch[:0], j)
			if d.matches(p.scratch) {
				p.Stats.Actions[d.slot]++
				return true
			}
		}
	}
	return false
}

func (d *dropRule) matches(v []byte) bool {
	for _, s := range d.equals {
		if bytes.Equal(v, s) {
			return true
		}
	}
	for _, s := range d.prefix {
		if bytes.HasPrefix(v, s) {
			return true
		}
	}
	for _, s := range d.contains {
		if bytes.Contains(v, s) {
			return true
		}
	}
	return d.re != nil && d.re.Match(v)
}

// Add adds the counters of o to s; s.Actions must be as long as o.Actions.
func (s *Stats) Add(o *Stats) {
	s.Lines += o.Lines
	s.Bytes += o.Bytes
	s.Cut += o.Cut
	s.Unparsed += o.Unparsed
	for i := range s.Records {
		s.Records[i] += o.Records[i]
	}
	for i := range s.Detections {
		s.Detections[i] += o.Detections[i]
	}
	for i := range o.Actions {
		s.Actions[i] += o.Actions[i]
	}
}
