package main

import (
	"bytes"
	"io"
	"time"

	"github.com/tarn-project/tarn/agent/pipe"
	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
)

// Container runtimes split long lines into partial records (CRI tag "P",
// a docker "log" value without a final newline). Rules run on one record
// at a time, so an identifier cut in two by the runtime would pass in two
// unrecognizable halves. `tarn filter` therefore joins the partial records
// of each stream before the rules run, as the agent's container inputs
// do: one sequential stage (containerJoin, the pipe's Stage, run by its
// reader in input order) joins every line the runtime split with a
// format.Joiner and passes on one record per line the application wrote;
// the parallel workers then anonymize those records as before.
//
// A joined CRI line is written as "<time of its first record> <stream> F
// <message>" (the agent also gives a joined line the time of its first
// record); a joined docker record is written anew with AppendDocker.
// Records that need no joining pass through verbatim.
//
// Where a line cannot be joined whole, its pieces are cut fail-closed, as
// lines longer than max_line_bytes are (detect.CutEnd): a joined line
// longer than the limit keeps its start, cut where no identifier is cut
// in half, and the rest of it is discarded; a partial line still pending
// at the end of the input loses the word at its end (its continuation
// never came); and where a record that cannot be parsed (an overlong
// docker record) may have held a piece of a line, the pending lines end
// there, cut, and the next record of each stream loses the word at its
// start (detect.CutStart).

// joinWrapper says which runtime records a format joins.
type joinWrapper struct{ cri, docker bool }

// joinFor returns the records filter joins for the input format f: the
// container formats', and both in auto mode (which handles each line
// alone otherwise).
func joinFor(f format.Format) (joinWrapper, bool) {
	switch f {
	case format.CRI:
		return joinWrapper{cri: true}, true
	case format.Docker:
		return joinWrapper{docker: true}, true
	case format.Auto:
		return joinWrapper{cri: true, docker: true}, true
	}
	return joinWrapper{}, false
}

// The wrappers, indexing containerJoin's per-wrapper state.
const (
	wrapCRI = iota
	wrapDocker
)

// maxVerbatimTime is the longest CRI time copied verbatim into a joined
// line; a longer one (many fraction digits) is written anew.
const maxVerbatimTime = 40

// containerJoin is the joining stage. It is used by one goroutine.
type containerJoin struct {
	wrap joinWrapper
	max  int // max_line_bytes: the longest record written
	join [2]format.Joiner
	// By wrapper and stream, for the pending line: the time of its first
	// record (CRI verbatim, docker parsed), whether the rest of an overlong
	// line is being discarded, and whether it was cut.
	ctime [2][]byte
	dtime [2]time.Time
	drop  [2][2]bool
	cut   [2][2]bool
	// orphan marks a stream whose next record may continue a line of
	// which a piece was lost.
	orphan  [2]bool
	rec     format.Container
	dbuf    []byte // docker's unescaped message
	rev     []byte // detect.CutStart's scratch
	enc     []byte // an encoded docker record
	open    bool   // what was written so far ends without a newline
	cutRecs uint64 // records cut or discarded here, for --stats
}

func newContainerJoin(w joinWrapper, max int) *containerJoin {
	j := &containerJoin{wrap: w, max: max}
	j.join[wrapCRI].Max, j.join[wrapDocker].Max = max, max
	return j
}

// runJoined runs the workers that newFunc makes over in, with j as the
// pipe's sequential stage.
func runJoined(in io.Reader, out io.Writer, j *containerJoin, o pipe.Options, newFunc func() pipe.Func) error {
	o.Stage = j.chunk
	return pipe.Run(in, out, o, newFunc)
}

// chunk is the pipe's Stage: it joins the records of chunk's lines, and
// ends the pending lines at the end of the input (a nil chunk).
func (j *containerJoin) chunk(dst, chunk []byte) []byte {
	if chunk == nil {
		return j.flush(dst)
	}
	n := j.plainLines(chunk)
	if n == len(chunk) {
		return chunk // the common case: no runtime record, nothing to join
	}
	dst, chunk = append(dst, chunk[:n]...), chunk[n:]
	for len(chunk) > 0 {
		line, nl := chunk, false
		if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
			line, chunk, nl = chunk[:i], chunk[i+1:], true
		} else {
			chunk = nil
		}
		dst = j.line(dst, line, nl)
	}
	return dst
}

// plainLines returns the length of the lines at the start of chunk that
// pass verbatim: no runtime record and not cut, so that line would write
// them as they are. It sets j.open as line would.
func (j *containerJoin) plainLines(chunk []byte) int {
	n := 0
	for n < len(chunk) {
		line, nl := chunk[n:], false
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, nl = line[:i], true
		}
		if len(line) > j.max || j.wrap.cri && format.MayBeCRI(line) && format.ParseCRI(line, &j.rec) || j.wrap.docker && format.MayBeDocker(line) {
			break
		}
		n += len(line)
		if nl {
			n++
		}
		j.open = !nl
	}
	return n
}

// line handles one input line; nl reports that it ended with a newline.
func (j *containerJoin) line(dst, line []byte, nl bool) []byte {
	over := len(line) > j.max // the pipe passes max+1 bytes of a longer line
	if over {
		line = line[:detect.CutEnd(line[:j.max], line[j.max])]
		j.cutRecs++
	}
	switch {
	case j.wrap.cri && format.ParseCRI(line, &j.rec):
		return j.record(dst, wrapCRI, line, nl, over)
	case j.wrap.docker && format.MayBeDocker(line):
		var ok bool
		if j.dbuf, ok = format.ParseDocker(line, j.dbuf, &j.rec); ok {
			return j.record(dst, wrapDocker, line, nl, over)
		}
	}
	if over && j.wrap.docker {
		// Maybe a docker record cut beyond parsing: it may have held a
		// piece of a pending line (at the start of its message), or the
		// start of the next record's line.
		dst = j.flush(dst)
		j.orphan = [2]bool{true, true}
		j.enc = format.CutDockerLog(j.enc[:0], line, &j.rev)
		line = j.enc
	}
	return j.verbatim(dst, line, nl)
}

// record handles a parsed runtime record (j.rec) of wrapper w; over
// reports that line was cut (and counted) at max bytes.
func (j *containerJoin) record(dst []byte, w int, line []byte, nl, over bool) []byte {
	c := &j.rec
	s := int(c.Stream & 1)
	jn := &j.join[w]
	if j.drop[w][s] { // the rest of a line cut before
		j.drop[w][s] = c.Partial
		return dst
	}
	if c.Partial && len(c.Message) > 0 && c.Message[len(c.Message)-1] == '\r' {
		c.Message = c.Message[:len(c.Message)-1] // as the agent's reader does
	}
	counted := over
	if j.orphan[s] {
		j.orphan[s] = false
		c.Message = c.Message[detect.CutStart(c.Message, '0', &j.rev):]
		if !over {
			j.cutRecs++
		}
		counted = true
	} else if !c.Partial && !jn.Pending(c.Stream) {
		return j.verbatim(dst, line, nl)
	}
	if !jn.Pending(c.Stream) {
		if w == wrapCRI { // ParseCRI found the space after the time
			j.ctime[s] = append(j.ctime[s][:0], line[:bytes.IndexByte(line, ' ')]...)
		}
		j.dtime[s] = c.Time
		j.cut[w][s] = false
	}
	j.cut[w][s] = j.cut[w][s] || counted
	msg, cut, ok := jn.Add(c)
	if over && c.Partial { // the piece lost its end: the line ends here
		msg, cut, ok = jn.Flush(c.Stream)
		j.drop[w][s] = true
	}
	if !ok {
		return dst
	}
	return j.emit(dst, w, c.Stream, msg, cut)
}

// verbatim writes line as it came.
func (j *containerJoin) verbatim(dst, line []byte, nl bool) []byte {
	dst = append(dst, line...)
	if nl {
		dst = append(dst, '\n')
	}
	j.open = !nl
	return dst
}

// emit writes the whole line msg of stream s as one record of wrapper w,
// cut fail-closed to max bytes; cut reports that msg was cut already.
func (j *containerJoin) emit(dst []byte, w int, s format.Stream, msg []byte, cut bool) []byte {
	i := int(s & 1)
	counted := j.cut[w][i]
	j.cut[w][i] = false
	if j.open {
		dst = append(dst, '\n')
	}
	j.open = false
	var fit bool
	if w == wrapCRI {
		dst, fit = j.appendCRI(dst, s, msg)
	} else {
		dst, fit = j.appendDocker(dst, s, msg)
	}
	if (cut || fit) && !counted {
		j.cutRecs++
	}
	return append(dst, '\n')
}

// appendCRI appends "<time> <stream> F <msg>", msg cut to fit max bytes,
// and reports whether it was cut.
func (j *containerJoin) appendCRI(dst []byte, s format.Stream, msg []byte) ([]byte, bool) {
	mark := len(dst)
	i := int(s & 1)
	if t := j.ctime[i]; len(t) <= maxVerbatimTime {
		dst = append(dst, t...)
	} else {
		dst = j.dtime[i].AppendFormat(dst, time.RFC3339Nano)
	}
	dst = append(append(append(dst, ' '), s.String()...), " F "...)
	room := j.max - (len(dst) - mark)
	if len(msg) <= room {
		return append(dst, msg...), false
	}
	return append(dst, msg[:detect.CutEnd(msg[:room], msg[room])]...), true
}

// appendDocker appends a docker record of msg, which is cut until the
// record (msg escaped) fits max bytes, and reports whether it was cut.
func (j *containerJoin) appendDocker(dst []byte, s format.Stream, msg []byte) ([]byte, bool) {
	c := format.Container{Time: j.dtime[int(s&1)], Stream: s}
	j.enc = format.AppendDocker(j.enc[:0], &c, msg)
	fit := len(j.enc) > j.max
	for len(j.enc) > j.max && len(msg) > 0 {
		n := max(len(msg)-(len(j.enc)-j.max), 0)
		if n > 0 {
			n = detect.CutEnd(msg[:n], msg[n])
		}
		msg = msg[:n]
		j.enc = format.AppendDocker(j.enc[:0], &c, msg)
	}
	return append(dst, j.enc...), fit
}

// flush ends every pending line: its continuation is lost, so the word
// at its end is cut (detect.CutEnd).
func (j *containerJoin) flush(dst []byte) []byte {
	for w := range j.join {
		for _, s := range []format.Stream{format.Stdout, format.Stderr} {
			msg, cut, ok := j.join[w].Flush(s)
			if !ok {
				continue
			}
			if !cut {
				msg = msg[:detect.CutEnd(msg, '0')]
				cut = true
			}
			dst = j.emit(dst, w, s, msg, cut)
		}
	}
	return dst
}
