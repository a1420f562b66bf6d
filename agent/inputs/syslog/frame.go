package syslog

import "bytes"

// Framing is how messages are delimited on a TCP or TLS stream (RFC 6587).
type Framing uint8

// The framings of a stream.
const (
	// Auto decides per message, as rsyslog's imtcp does: a message that
	// starts with a digit is octet-counted ("<len> <msg>"), any other is
	// non-transparent (terminated by LF). A digit run not followed by a
	// space is read as a non-transparent message.
	Auto Framing = iota
	// OctetCounting is "<len> <msg>" only (RFC 5425, RFC 6587 3.4.1).
	OctetCounting
	// NonTransparent is messages terminated by LF (RFC 6587 3.4.2).
	NonTransparent
)

// Event is what the framer found besides a message.
type Event uint8

// Events of the framer.
const (
	// None is a message (or bytes skipped) without a problem.
	None Event = iota
	// Truncated is a message longer than the maximum, cut there; the rest
	// of it is skipped.
	Truncated
	// BadFrame is an octet count that is not one (strict octet counting):
	// the stream cannot be framed any more and must be closed.
	BadFrame
)

// maxCountDigits is the most digits of an octet count: 16MiB has 8.
const maxCountDigits = 9

// Framer splits a TCP stream into syslog messages without copying: Split
// returns slices of the buffer it is given. It keeps state between calls
// (the rest of a cut message to skip). The zero value is not ready; set
// Mode and Max.
type Framer struct {
	// Mode is the framing.
	Mode Framing
	// Max is the longest message; longer ones are cut.
	Max int

	skip     int  // octet-counted bytes of a cut message still to skip
	skipLine bool // skip to the next LF (a cut non-transparent message)
}

// Buffer is the buffer size Split needs to make progress: the longest
// message with its octet count.
func (f *Framer) Buffer() int { return f.Max + maxCountDigits + 1 }

// Split finds the next message at the start of b; eof says no more bytes
// follow b. It returns how many bytes of b it consumed and the message,
// which is nil when none is complete yet (n == 0: more bytes are needed
// unless eof; n > 0: bytes were skipped, call again). A buffer of at
// least Buffer() bytes always makes progress. The message has no
// terminating LF (nor CR before it), and may be empty.
func (f *Framer) Split(b []byte, eof bool) (n int, msg []byte, ev Event) {
	if len(b) == 0 {
		return 0, nil, None
	}
	if f.skip > 0 {
		k := min(f.skip, len(b))
		f.skip -= k
		return k, nil, None
	}
	if f.skipLine {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return len(b), nil, None
		}
		f.skipLine = false
		return i + 1, nil, None
	}
	// Whitespace between frames (a trailer LF after an octet-counted
	// frame, an empty line, NULs some senders add) is skipped.
	i := 0
	for i < len(b) && (b[i] == '\n' || b[i] == '\r' || b[i] == 0 || b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i > 0 {
		return i, nil, None
	}
	if f.Mode == OctetCounting || f.Mode == Auto && '0' <= b[0] && b[0] <= '9' {
		n, msg, ev, ok := f.octet(b, eof)
		if ok || f.Mode == OctetCounting {
			return n, msg, ev
		}
	}
	return f.line(b, eof)
}

// octet splits an octet-counted frame. ok is false when b does not start
// with one (in auto mode, the bytes are then a non-transparent message).
func (f *Framer) octet(b []byte, eof bool) (n int, msg []byte, ev Event, ok bool) {
	j, v := 0, 0
	for j < len(b) && j < maxCountDigits && '0' <= b[j] && b[j] <= '9' {
		v = v*10 + int(b[j]-'0')
		j++
	}
	if j == len(b) && !eof {
		return 0, nil, None, true // more digits may come
	}
	if j == 0 || j == len(b) || b[j] != ' ' || b[0] == '0' {
		return len(b), nil, BadFrame, false
	}
	s := j + 1
	if v > f.Max {
		if len(b)-s < f.Max && !eof {
			return 0, nil, None, true
		}
		k := min(f.Max, len(b)-s)
		f.skip = v - k
		return s + k, b[s : s+k], Truncated, true
	}
	if len(b)-s < v {
		if eof {
			return len(b), b[s:], Truncated, true // the sender closed mid-frame
		}
		return 0, nil, None, true
	}
	return s + v, trimLF(b[s : s+v]), None, true
}

// line splits a non-transparent message (terminated by LF).
func (f *Framer) line(b []byte, eof bool) (n int, msg []byte, ev Event) {
	w := b[:min(len(b), f.Max+1)]
	if i := bytes.IndexByte(w, '\n'); i >= 0 {
		return i + 1, trimLF(b[:i]), None
	}
	if len(b) > f.Max {
		f.skipLine = true
		return f.Max, b[:f.Max], Truncated
	}
	if eof {
		return len(b), trimLF(b), None
	}
	return 0, nil, None
}

// trimLF removes the trailing LF, CR and NUL bytes of a message.
func trimLF(m []byte) []byte {
	for len(m) > 0 && (m[len(m)-1] == '\n' || m[len(m)-1] == '\r' || m[len(m)-1] == 0) {
		m = m[:len(m)-1]
	}
	return m
}
