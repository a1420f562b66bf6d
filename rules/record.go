package rules

import (
	"time"

	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/sinks"
)

// Out holds the buffers that Process appends to: the anonymized lines
// and metadata of a batch accumulate in them, so a batch costs no
// allocation per line. The caller resets Buf and Meta between batches
// (and must not before the records it got are spooled).
type Out struct {
	// Buf holds the anonymized lines.
	Buf []byte
	// Meta holds the records' structured metadata.
	Meta []sinks.Label
	// Obs receives a record's observation for the aggregates; it is
	// valid until the next Process.
	Obs aggregate.Obs
}

// Record is everything one Process call decided about a line.
type Record struct {
	// Result is the record's time, outcome and format.
	Result
	// Line is the anonymized line, in Out.Buf; nil when dropped.
	Line []byte
	// Metadata is the record's structured metadata (the pseudonyms the
	// rules route beside the line), in Out.Meta.
	Metadata []sinks.Label
	// Tenant is the tenant a rule chose, "" when none did.
	Tenant string
	// Observed says Out.Obs holds the record's observation.
	Observed bool
}

// Process anonymizes one line as AppendAt does (format f, written at t
// when t is not zero, aged against now) and returns everything the agent
// needs to spool it: the line, its metadata and tenant and, with observe,
// its observation for the aggregates. A dropped record has only Result.
func (p *Processor) Process(out *Out, line []byte, f format.Format, t, now time.Time, observe bool) Record {
	mark := len(out.Buf)
	var r Record
	out.Buf, r.Result = p.AppendAt(out.Buf, line, f, t, now)
	if r.Reason != Kept {
		out.Buf = out.Buf[:mark]
		return r
	}
	r.Line = out.Buf[mark:len(out.Buf):len(out.Buf)]
	r.Observed = observe && p.Observe(&out.Obs)
	if p.e.HasRoutes() {
		start := len(out.Meta)
		out.Meta = p.AppendMetadata(out.Meta)
		r.Metadata = out.Meta[start:len(out.Meta):len(out.Meta)]
		r.Tenant = p.Tenant()
	}
	return r
}
