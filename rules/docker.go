package rules

import (
	"cmp"
	"time"

	"github.com/tarn-project/tarn/rules/format"
)

// appendDocker anonymizes one record of docker's json-file driver on its
// own (a pipe has no state to join partial records; the agent's docker
// input joins them): the message is unescaped and processed as auto at
// the runtime's time (see AppendAt), and a new record with the anonymized
// message is written. A line that is no docker record is unparsed.
func (p *Processor) appendDocker(dst, line []byte, now time.Time) ([]byte, Result) {
	var c format.Container
	var ok bool
	if p.docker, ok = format.ParseDocker(line, p.docker, &c); !ok {
		return p.unparsed(dst, line, Result{Time: cmp.Or(p.written, now), Format: format.Text})
	}
	written := p.written
	p.written = cmp.Or(written, c.Time)
	var res Result
	p.dmsg, res = p.appendRecord(p.dmsg[:0], c.Message, format.Auto, now)
	p.written = written
	if res.Reason != Kept {
		return dst, res
	}
	return format.AppendDocker(dst, &c, p.dmsg), res
}
