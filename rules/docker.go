package rules

import (
	"time"

	"github.com/tarn-project/tarn/rules/format"
)

// appendDocker anonymizes one record of docker's json-file driver on its
// own (a pipe has no state to join partial records; the agent's docker
// input joins them): the message is unescaped and processed as auto, and
// a new record with the anonymized message is written. The record is
// dropped when the runtime's time is past retention, and takes that time
// when the message has none. A line that is no docker record is unparsed.
func (p *Processor) appendDocker(dst, line []byte, now time.Time) ([]byte, Result) {
	var c format.Container
	var ok bool
	if p.docker, ok = format.ParseDocker(line, p.docker, &c); !ok {
		return p.unparsed(dst, line, Result{Time: now, Format: format.Text})
	}
	if now.Sub(c.Time) > p.e.maxAge {
		return p.drop(dst, Result{Time: c.Time, Format: format.Docker}, DropTooOld)
	}
	var res Result
	p.dmsg, res = p.appendRecord(p.dmsg[:0], c.Message, format.Auto, now)
	if res.Reason != Kept {
		return dst, res
	}
	if res.Time.Equal(now) {
		res.Time = c.Time
	}
	return format.AppendDocker(dst, &c, p.dmsg), res
}
