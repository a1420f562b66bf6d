package journald

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The journal export format (https://systemd.io/JOURNAL_EXPORT_FORMATS/),
// as `journalctl -o export` writes it: an entry is a run of fields ended
// by an empty line; a field is "NAME=value\n", or, when the value holds
// control characters or is not UTF-8 (a binary MESSAGE), "NAME\n", the
// value's size as a little-endian uint64, the value and "\n".

// errExport is wrapped by the errors of a stream that is not in the
// export format.
var errExport = errors.New("journald: not the journal export format")

// maxBinary bounds the size a binary field may claim: larger is taken
// for a broken stream rather than skipped (journald keeps no field of
// this size).
const maxBinary = 1 << 32

// The fields every entry is read for, by index into exportReader.vals.
const (
	fCursor = iota
	fRealtime
	fMessage
	fIdentifier
	fComm
	fPID
	fSyslogPID
	fHostname
	fPriority
	fTransport
	nFixed
)

var fixedFields = [nFixed]string{"__CURSOR", "__REALTIME_TIMESTAMP", "MESSAGE", "SYSLOG_IDENTIFIER", "_COMM", "_PID", "SYSLOG_PID", "_HOSTNAME", "PRIORITY", "_TRANSPORT"}

// exportReader reads the wanted fields of the entries of an export
// stream. The values are copies, valid until the next call of next; a
// field that occurs twice in an entry keeps its first value.
type exportReader struct {
	r *bufio.Reader
	// index maps the wanted field names to their index in vals.
	index map[string]int
	// limits bound the bytes kept of each value (MESSAGE: one more than
	// max_line_bytes, so the rules see that it is cut; others less).
	limits []int
	vals   [][]byte
	set    []bool
	// cut marks the values longer than their limit.
	cut  []bool
	long []byte // a text field line longer than the read buffer
}

// newExportReader returns a reader of the fixed fields and extra (more
// field names) from r; msgLimit bounds MESSAGE, fieldLimit the others.
func newExportReader(r *bufio.Reader, extra []string, msgLimit, fieldLimit int) *exportReader {
	x := &exportReader{r: r, index: map[string]int{}}
	for i, n := range fixedFields {
		x.index[n] = i
	}
	for _, n := range extra {
		if _, ok := x.index[n]; !ok {
			x.index[n] = len(x.index)
		}
	}
	n := len(x.index)
	x.limits, x.vals, x.set, x.cut = make([]int, n), make([][]byte, n), make([]bool, n), make([]bool, n)
	for i := range x.limits {
		x.limits[i] = fieldLimit
	}
	x.limits[fMessage] = msgLimit
	return x
}

// value returns field i of the entry read last, and whether it was set.
func (x *exportReader) value(i int) ([]byte, bool) { return x.vals[i], x.set[i] }

// next reads one entry. It returns io.EOF at the end of the stream
// between entries, an error wrapping io.ErrUnexpectedEOF inside one, and
// one wrapping errExport for a stream that is not the export format;
// after either, value(fCursor) is the cursor of the broken entry if its
// __CURSOR field (the first journalctl writes) was read.
func (x *exportReader) next() error {
	clear(x.set)
	fields := 0
	for {
		line, err := x.line()
		if err != nil {
			if errors.Is(err, io.EOF) && fields == 0 {
				return io.EOF
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("journald: entry cut short: %w", err)
		}
		if len(line) == 0 {
			if fields == 0 {
				continue // blank lines between entries
			}
			return nil
		}
		fields++
		if eq := bytes.IndexByte(line, '='); eq >= 0 {
			if i, ok := x.index[string(line[:eq])]; ok && !x.set[i] {
				x.keep(i, line[eq+1:])
			}
			continue
		}
		if err := x.binary(line); err != nil {
			return err
		}
	}
}

// line returns the next line without its '\n'. A line longer than the
// read buffer is gathered in x.long, of which at most the largest limit
// plus the name is kept.
func (x *exportReader) line() ([]byte, error) {
	b, err := x.r.ReadSlice('\n')
	if err == nil {
		return b[:len(b)-1], nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	keep := 128
	for _, l := range x.limits {
		keep = max(keep, l+128)
	}
	x.long = append(x.long[:0], b...)
	for {
		b, err = x.r.ReadSlice('\n')
		if len(x.long) < keep {
			x.long = append(x.long, b[:min(len(b), keep-len(x.long))]...)
		}
		switch {
		case err == nil:
			if l := len(x.long); l > 0 && x.long[l-1] == '\n' {
				x.long = x.long[:l-1]
			}
			return x.long, nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, err
		}
	}
}

// binary reads the size and value of the binary field name.
func (x *exportReader) binary(name []byte) error {
	var sz [8]byte
	if _, err := io.ReadFull(x.r, sz[:]); err != nil {
		return fmt.Errorf("journald: binary field cut short: %w", unexpected(err))
	}
	n := binary.LittleEndian.Uint64(sz[:])
	if n > maxBinary || !validName(name) {
		return fmt.Errorf("%w: a binary field of %d bytes", errExport, n)
	}
	i, ok := x.index[string(name)]
	size := int(n)
	if ok && !x.set[i] {
		k := min(size, x.limits[i])
		x.vals[i] = grow(x.vals[i], k)
		if _, err := io.ReadFull(x.r, x.vals[i]); err != nil {
			return fmt.Errorf("journald: binary field cut short: %w", unexpected(err))
		}
		x.set[i], x.cut[i] = true, size > k
		size -= k
	}
	if _, err := x.r.Discard(size); err != nil {
		return fmt.Errorf("journald: binary field cut short: %w", unexpected(err))
	}
	if c, err := x.r.ReadByte(); err != nil || c != '\n' {
		if err != nil {
			return fmt.Errorf("journald: binary field cut short: %w", unexpected(err))
		}
		return fmt.Errorf("%w: no newline after a binary field", errExport)
	}
	return nil
}

// keep copies the value of field i, cut at its limit.
func (x *exportReader) keep(i int, v []byte) {
	k := min(len(v), x.limits[i])
	x.vals[i] = append(x.vals[i][:0], v[:k]...)
	x.set[i], x.cut[i] = true, len(v) > k
}

// validName reports whether a binary field's name line is a field name
// (journald's rules, more lenient about case: anything printable up to
// the first control byte is accepted by journalctl's readers).
func validName(b []byte) bool {
	if len(b) == 0 || len(b) > 256 {
		return false
	}
	for _, c := range b {
		if c < ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
