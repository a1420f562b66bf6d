// Package stdout is the sink that writes anonymized lines to standard
// output (or any writer), one per line, or as NDJSON with time and labels.
package stdout

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/tarn-project/tarn/sinks"
)

// Options of a stdout sink.
type Options struct {
	// NDJSON writes {"time":…,"labels":{…},"line":…} objects instead of the
	// bare lines.
	NDJSON bool
	// Writer is where to write (default os.Stdout).
	Writer io.Writer
}

// Sink writes entries to a writer.
type Sink struct {
	w      *bufio.Writer
	buf    []byte
	ndjson bool
	closed bool
}

var _ sinks.Sink = (*Sink)(nil)

// New returns a stdout sink.
func New(o Options) *Sink {
	if o.Writer == nil {
		o.Writer = os.Stdout
	}
	return &Sink{w: bufio.NewWriterSize(o.Writer, 64<<10), ndjson: o.NDJSON}
}

// Send writes the entries and flushes; an error writing is retryable.
func (s *Sink) Send(_ context.Context, b *sinks.Batch) error {
	if s.closed {
		return sinks.Permanent(fmt.Errorf("stdout: send after close"))
	}
	for _, e := range b.Entries {
		s.buf = sinks.AppendEncoded(s.buf[:0], e, s.ndjson)
		s.w.Write(s.buf) // a write error sticks and is returned by Flush
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	return nil
}

// Close flushes; it is safe to call twice.
func (s *Sink) Close(context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	return s.w.Flush()
}
