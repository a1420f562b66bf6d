package agent

import (
	"time"

	"github.com/tarn-project/tarn/agent/positions"
	"github.com/tarn-project/tarn/agent/tail"
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

// inode identifies a file across the growth of its fingerprint.
type inode struct{ dev, ino uint64 }

// container is the state of one container log file.
type container struct {
	join  format.Joiner
	from  [2]int64     // by stream: offset of the pending line's first record
	first [2]time.Time // by stream: the runtime time of that record
	skip  int64        // records ending at or before skip were spooled before a restart
	next  int64        // where the next chunk starts
	dbuf  []byte       // docker's unescaped message
}

// containerChunk unwraps the records of c and returns the checkpoint: the
// offset to resume from and the skip offset (0 when no line is pending).
func (in *ingest) containerChunk(c *tail.Chunk, src *source, now time.Time) (resume, skip int64) {
	st := in.container(c)
	for i, line := range c.Lines {
		start := c.Start
		if i > 0 {
			start = c.Ends[i-1]
		}
		in.record(st, src, line, start, c.Ends[i], now)
	}
	st.next = c.End
	if c.Done { // the file is gone: its pending lines end here
		for _, s := range []format.Stream{format.Stdout, format.Stderr} {
			if msg, cut, ok := st.join.Flush(s); ok {
				in.emit(src, s, msg, cut, st.first[s&1], now)
			}
		}
		delete(in.conts, inode{c.ID.Dev, c.ID.Ino})
		return c.End, 0
	}
	resume = c.End
	for _, s := range []format.Stream{format.Stdout, format.Stderr} {
		if st.join.Pending(s) {
			resume = min(resume, st.from[s&1])
		}
	}
	if resume == c.End {
		return c.End, 0
	}
	return resume, max(c.End, st.skip)
}

// container returns the state of c's file, new (with the skip offset of
// its checkpoint) when c does not continue what was read before.
func (in *ingest) container(c *tail.Chunk) *container {
	key := inode{c.ID.Dev, c.ID.Ino}
	if st, ok := in.conts[key]; ok && st.next == c.Start {
		return st
	}
	st := &container{next: c.Start}
	st.join.Max = in.main.eng.MaxLineBytes()
	if in.cp != nil {
		if p, ok := in.cp.get(c.ID); ok && p.Offset == c.Start {
			st.skip = p.Skip
		}
	}
	in.conts[key] = st
	return st
}

// record handles one runtime record spanning [start, end) of the file.
func (in *ingest) record(st *container, src *source, line []byte, start, end int64, now time.Time) {
	var rec format.Container
	ok := false
	if in.wrapper == format.CRI {
		ok = format.ParseCRI(line, &rec)
	} else {
		st.dbuf, ok = format.ParseDocker(line, st.dbuf, &rec)
	}
	if !ok { // not a runtime record: the rules scrub it as a plain line
		if end > st.skip {
			in.add(src, format.Stdout, line, time.Time{}, now)
		}
		return
	}
	i := rec.Stream & 1
	if !st.join.Pending(rec.Stream) {
		st.from[i], st.first[i] = start, rec.Time
	}
	// Up to skip, lines were spooled before a restart: the records only
	// rebuild the lines still pending then.
	if msg, cut, done := st.join.Add(&rec); done && end > st.skip {
		in.emit(src, rec.Stream, msg, cut, st.first[i], now)
	}
}

// emit processes one whole message written at t.
func (in *ingest) emit(src *source, s format.Stream, msg []byte, cut bool, t, now time.Time) {
	if cut {
		in.cut++
	}
	in.add(src, s, msg, t, now)
}

// get returns the stored position of the file id (or of its inode with a
// shorter fingerprint).
func (c *checkpoints) get(id positions.ID) (positions.Position, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.store.Inode(id.Dev, id.Ino)
}
