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
// message is written. For a line that is no docker record it does nothing
// and returns false.
func (p *Processor) appendDocker(dst, line []byte, now time.Time) ([]byte, Result, bool) {
	var c format.Container
	var ok bool
	if p.docker, ok = format.ParseDocker(line, p.docker, &c); !ok {
		return dst, Result{}, false
	}
	written := p.written
	p.written = cmp.Or(written, c.Time)
	var res Result
	p.dmsg, res = p.appendRecord(p.dmsg[:0], c.Message, format.Auto, now)
	p.written = written
	if res.Reason != Kept {
		return dst, res, true
	}
	return format.AppendDocker(dst, &c, p.dmsg), res, true
}
