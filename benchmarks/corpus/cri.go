package corpus

import (
	"bytes"
	"time"
)

// WrapCRI wraps each line of data in the CRI
// records a container runtime writes at t, on stdout; when every is above
// zero, every every-th line is split in half into a partial ("P") and a
// final ("F") record, as runtimes split long lines.
func WrapCRI(data []byte, t time.Time, every int) []byte {
	prefix := t.UTC().Format(time.RFC3339Nano) + " stdout "
	var out []byte
	for i := 0; len(data) > 0; i++ {
		line := data
		if n := bytes.IndexByte(data, '\n'); n >= 0 {
			line, data = data[:n], data[n+1:]
		} else {
			data = nil
		}
		n := len(line)
		if every > 0 && i%every == every-1 {
			out = append(append(append(out, prefix...), "P "...), line[:n/2]...)
			out = append(out, '\n')
			line = line[n/2:]
		}
		out = append(append(append(out, prefix...), "F "...), line...)
		out = append(out, '\n')
	}
	return out
}
