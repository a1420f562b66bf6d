package reader

import (
	"time"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/tail"
	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
)

// Container inputs (format cri or docker) unwrap each runtime record: the
// message goes through the rules as the input's message format, the entry
// gets the runtime's time and a stream label, and partial records are
// joined into the line the application wrote.
//
// A partial line makes checkpoints subtle: its first records are read but
// not yet spooled, so the committed offset must stay where the line began
// while the other stream's complete lines after that point are spooled.
// The checkpoint therefore stores both: Offset, where reading resumes (the
// start of the oldest pending line), and Skip, the end of what was read.
// After a restart the records up to Skip only rebuild the pending lines
// (a line completed before Skip was spooled and is not sent again), so
// every line reaches the spool exactly once.
//
// Where a line cannot be joined whole it is cut fail-closed, as `tarn
// filter` does (cmd/tarn/filter_cri.go): a record the tailer cut at
// max_line_bytes (tail.Chunk.Cuts) ends its line there, its kept part
// already cut where no identifier is cut in half (detect.CutEnd), and the
// line's further records up to its last one are discarded; a line still
// pending when its file is gone loses the word at its end (its
// continuation never came); and a docker record cut beyond parsing, of
// unknown stream, ends the pending lines of both streams, cut, and the
// next record of each stream loses the word at its start (detect.CutStart). The
// discarding and the cut start are state a restart must rebuild too, so
// while either is in force the stream's line counts as pending for the
// checkpoint. Each line that is cut is counted once.

// inode identifies a file across the growth of its fingerprint.
type inode struct{ dev, ino uint64 }

// container is the state of one container log file.
type container struct {
	join format.Joiner
	// By stream: the offset re-reading must start at to rebuild the
	// stream's state (its pending line's first record, or the cut record
	// that made it drop or orphan), the runtime time of the pending
	// line's first record, and whether the line was cut already.
	from  [2]int64
	first [2]time.Time
	cut   [2]bool
	// drop marks a stream discarding the rest of a line cut before;
	// orphan one whose next record may continue a line of which a piece
	// was lost.
	drop   [2]bool
	orphan [2]bool
	skip   int64  // records ending at or before skip were spooled before a restart
	next   int64  // where the next chunk starts
	dbuf   []byte // docker's unescaped message
	rev    []byte // detect.CutStart's scratch
	text   []byte // an unparsed record with its start cut
}

// span is where a record lies in its file, and whether the tailer cut it.
type span struct {
	start, end int64
	cut        bool
}

// streams are the streams whose lines a container joins.
var streams = [2]format.Stream{format.Stdout, format.Stderr}

// containerChunk unwraps the records of c and returns the checkpoint: the
// offset to resume from and the skip offset (0 when no line is pending).
func (rd *Reader) containerChunk(c *tail.Chunk) (resume, skip int64) {
	st := rd.container(c)
	cuts := c.Cuts
	for i, line := range c.Lines {
		r := span{start: c.Start, end: c.Ends[i]}
		if i > 0 {
			r.start = c.Ends[i-1]
		}
		if len(cuts) > 0 && cuts[0] == i {
			r.cut, cuts = true, cuts[1:]
		}
		rd.record(st, line, r)
	}
	st.next = c.End
	if c.Done { // the file is gone: its pending lines end here
		rd.endLines(st, true)
		delete(rd.conts, inode{c.ID.Dev, c.ID.Ino})
		return c.End, 0
	}
	resume = c.End
	for _, s := range streams {
		if st.held(s) {
			resume = min(resume, st.from[s&1])
		}
	}
	if resume == c.End {
		return c.End, 0
	}
	return resume, max(c.End, st.skip)
}

// held reports whether the state of stream s must be rebuilt after a
// restart: a line is pending, or the stream drops or orphans records.
func (st *container) held(s format.Stream) bool {
	i := s & 1
	return st.join.Pending(s) || st.drop[i] || st.orphan[i]
}

// container returns the state of c's file, new (with the skip offset of
// its checkpoint) when c does not continue what was read before.
func (rd *Reader) container(c *tail.Chunk) *container {
	key := inode{c.ID.Dev, c.ID.Ino}
	if st, ok := rd.conts[key]; ok && st.next == c.Start {
		return st
	}
	st := &container{next: c.Start}
	st.join.Max = rd.env.MaxLineBytes
	if rd.env.Positions != nil {
		if p, ok := rd.env.Positions.Get(c.ID); ok && p.Offset == c.Start {
			st.skip = p.Skip
		}
	}
	rd.conts[key] = st
	return st
}

// record handles one runtime record at r.
func (rd *Reader) record(st *container, line []byte, r span) {
	var rec format.Container
	ok := false
	if rd.env.Container == format.CRI {
		ok = format.ParseCRI(line, &rec)
	} else {
		st.dbuf, ok = format.ParseDocker(line, st.dbuf, &rec)
	}
	if !ok {
		rd.unparsed(st, line, r)
		return
	}
	rd.join(st, &rec, r)
}

// join adds the parsed record rec at r to its stream's line, and emits
// the line when it ends.
func (rd *Reader) join(st *container, rec *format.Container, r span) {
	i := rec.Stream & 1
	if st.drop[i] { // the rest of a line cut before
		st.drop[i] = rec.Partial
		return
	}
	if !st.join.Pending(rec.Stream) {
		if !st.orphan[i] { // an orphan's state is rebuilt from its cause
			st.from[i] = r.start
		}
		st.first[i], st.cut[i] = rec.Time, false
	}
	if st.orphan[i] {
		st.orphan[i] = false
		rec.Message = rec.Message[detect.CutStart(rec.Message, '0', &st.rev):]
		st.cut[i] = true
	}
	st.cut[i] = st.cut[i] || r.cut
	msg, cut, done := st.join.Add(rec)
	if r.cut && rec.Partial { // the record lost its end: so does the line
		msg, cut, done = st.join.Flush(rec.Stream)
		st.drop[i] = true
	}
	// Up to skip, lines were spooled before a restart: the records only
	// rebuild the lines still pending then.
	if done && r.end > st.skip {
		rd.emit(rec.Stream, msg, cut || st.cut[i], st.first[i])
	}
}

// unparsed handles a line at r that is not a runtime record: the rules
// scrub it as a plain line. A docker record the tailer cut cannot be
// parsed any more, and its stream is unknown: it may have held a piece of
// a pending line (the line then ends before it, cut, and the record loses
// the word at the start of its message) or the start of the next record's
// line (whose first word is then cut).
func (rd *Reader) unparsed(st *container, line []byte, r span) {
	send := r.end > st.skip
	if r.cut && rd.env.Container == format.Docker {
		if st.held(format.Stdout) || st.held(format.Stderr) {
			line = st.cutLog(line)
		}
		rd.endLines(st, send)
		st.orphan, st.from = [2]bool{true, true}, [2]int64{r.start, r.start}
		st.drop = [2]bool{}
	}
	if send {
		rd.emit(format.Stdout, line, r.cut, time.Time{})
	}
}

// cutLog returns the docker record line with the word at the start of its
// "log" value cut (format.CutDockerLog), in st.text.
func (st *container) cutLog(line []byte) []byte {
	st.text = format.CutDockerLog(st.text[:0], line, &st.rev)
	return st.text
}

// endLines ends the pending lines of st, sending them when send is set:
// their continuation is lost, so the word at their end is cut
// (detect.CutEnd) unless the Joiner cut them already.
func (rd *Reader) endLines(st *container, send bool) {
	for _, s := range streams {
		msg, cut, ok := st.join.Flush(s)
		if !ok {
			continue
		}
		if !cut {
			msg = msg[:detect.CutEnd(msg, '0')]
		}
		if send {
			rd.emit(s, msg, true, st.first[s&1])
		}
	}
}

// emit adds one whole message written at t to the batch, copied (the
// joiner reuses its buffers); cut reports that it was cut, which is
// counted.
func (rd *Reader) emit(s format.Stream, msg []byte, cut bool, t time.Time) {
	if cut {
		rd.b.Cut++
	}
	start := len(rd.arena)
	rd.arena = append(rd.arena, msg...)
	rd.b.Records = append(rd.b.Records, inputs.Record{Line: rd.arena[start:len(rd.arena):len(rd.arena)], Time: t, Stream: s})
}
