// Package stdout is the sink that writes anonymized lines to standard
// output (or any writer), one per line, or as NDJSON with time and labels.
package stdout

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

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
	ndjson bool
	closed bool
}

var _ sinks.Sink = (*Sink)(nil)

func init() {
	sinks.Register("stdout", func(c sinks.Config) (sinks.Sink, error) {
		o, _ := c.Options.(Options)
		return New(o), nil
	})
}

// New returns a stdout sink.
func New(o Options) *Sink {
	if o.Writer == nil {
		o.Writer = os.Stdout
	}
	return &Sink{w: bufio.NewWriterSize(o.Writer, 64<<10), ndjson: o.NDJSON}
}

// ndjsonEntry is the NDJSON form of an entry.
type ndjsonEntry struct {
	Time   string            `json:"time"`
	Labels map[string]string `json:"labels,omitempty"`
	Line   string            `json:"line"`
}

// Send writes the entries and flushes; an error writing is retryable.
func (s *Sink) Send(_ context.Context, entries []sinks.Entry) error {
	if s.closed {
		return sinks.Permanent(fmt.Errorf("stdout: send after close"))
	}
	for _, e := range entries {
		if err := s.write(e); err != nil {
			return fmt.Errorf("stdout: %w", err)
		}
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	return nil
}

func (s *Sink) write(e sinks.Entry) error {
	if !s.ndjson {
		s.w.Write(e.Line)
		return s.w.WriteByte('\n')
	}
	labels := make(map[string]string, len(e.Labels))
	for _, l := range e.Labels {
		labels[l.Name] = l.Value
	}
	b, err := json.Marshal(ndjsonEntry{Time: e.Time.UTC().Format(time.RFC3339Nano), Labels: labels, Line: string(e.Line)})
	if err != nil {
		return err
	}
	s.w.Write(b)
	return s.w.WriteByte('\n')
}

// Close flushes; it is safe to call twice.
func (s *Sink) Close(context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	return s.w.Flush()
}
