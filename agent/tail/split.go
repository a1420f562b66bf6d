package tail

import (
	"bytes"

	"github.com/tarn-project/tarn/rules/detect"
)

// splitter cuts a byte stream into lines. It holds the start of the
// unfinished last line (at most max+1 bytes; the rest of an overlong line
// is dropped as it arrives, so memory stays bounded) and tracks the offset
// just after the last complete line.
type splitter struct {
	max   int
	carry []byte // held start of the unfinished line, at most max+1 bytes
	over  bool   // bytes of the unfinished line were dropped
	held  int64  // bytes consumed since end: carry plus dropped bytes
	end   int64  // offset just after the last complete line
}

// maxIdleCarry is the capacity above which an emptied carry buffer is
// released instead of kept for the next partial line.
const maxIdleCarry = 64 << 10

// reset forgets any held bytes and continues at off.
func (s *splitter) reset(off int64) {
	s.carry, s.over, s.held, s.end = s.carry[:0], false, 0, off
}

// feed consumes data and returns its complete lines (the first one
// completing the held line) as a chunk, or nil when data holds no newline.
// The chunk gets one new buffer; data is not retained.
func (s *splitter) feed(data []byte) *Chunk {
	last := bytes.LastIndexByte(data, '\n')
	if last < 0 {
		s.hold(data)
		return nil
	}
	first := bytes.IndexByte(data, '\n')
	head, over := data[:first], s.over
	if over {
		head = nil
	} else if room := s.max + 1 - len(s.carry); len(head) > room {
		head, over = head[:room], true
	}
	rest := data[first+1 : last+1]
	n0 := len(s.carry) + len(head)
	buf := make([]byte, n0+len(rest))
	copy(buf, s.carry)
	copy(buf[len(s.carry):], head)
	copy(buf[n0:], rest)
	n := 1 + bytes.Count(rest, newline)
	c := &Chunk{Lines: make([][]byte, 0, n), Ends: make([]int64, 0, n), Start: s.end}
	base := s.end + s.held + int64(first+1) // offset just after the first line
	c.add(buf[:n0], over, s.max, base)
	for i := n0; i < len(buf); {
		j := bytes.IndexByte(buf[i:], '\n')
		c.add(buf[i:i+j], false, s.max, base+int64(i+j+1-n0))
		i += j + 1
	}
	s.end += s.held + int64(last+1)
	s.carry, s.over, s.held = s.carry[:0], false, 0
	if cap(s.carry) > maxIdleCarry {
		s.carry = nil
	}
	s.hold(data[last+1:])
	c.End = s.end
	return c
}

var newline = []byte{'\n'}

// hold keeps p as part of the unfinished line, dropping what goes beyond
// max+1 bytes.
func (s *splitter) hold(p []byte) {
	s.held += int64(len(p))
	if s.over || len(p) == 0 {
		return
	}
	if room := s.max + 1 - len(s.carry); len(p) > room {
		p, s.over = p[:room], true
	}
	s.carry = append(s.carry, p...)
}

// flush returns the held unfinished line as a final line, or nil when
// nothing is held.
func (s *splitter) flush() *Chunk {
	if s.held == 0 {
		return nil
	}
	c := &Chunk{Lines: make([][]byte, 0, 1), Start: s.end}
	c.add(append([]byte(nil), s.carry...), s.over, s.max, s.end+s.held)
	s.end += s.held
	s.carry, s.over, s.held = s.carry[:0], false, 0
	c.End = s.end
	return c
}

// add appends line l (without its newline) to c, removing a trailing "\r"
// and cutting it at max bytes where no identifier is cut in half
// (detect.CutEnd), which is counted in c.Cut and c.Cuts. over marks a line
// whose end was already dropped (l then holds max+1 bytes). end is the
// offset just after the line.
func (c *Chunk) add(l []byte, over bool, max int, end int64) {
	if !over && len(l) > 0 && l[len(l)-1] == '\r' {
		l = l[:len(l)-1]
	}
	if over || len(l) > max {
		if n := min(max, len(l)-1); n >= 0 {
			l = l[:detect.CutEnd(l[:n], l[n])]
		}
		c.Cuts = append(c.Cuts, len(c.Lines))
		c.Cut++
	}
	c.Lines = append(c.Lines, l[:len(l):len(l)])
	c.Ends = append(c.Ends, end)
}
