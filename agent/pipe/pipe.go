// Package pipe runs a line filter over a stream in parallel batches: a
// reader cuts the input into chunks of whole lines, workers transform the
// chunks, and a writer emits the results in input order.
//
// This is how `tarn filter` scales across cores without a goroutine or
// channel hop per line (DESIGN.md, convention 3).
package pipe

import (
	"bytes"
	"errors"
	"io"
	"runtime"
)

// Func transforms a chunk of whole lines (each ending in '\n', except
// perhaps the last one of the stream) and appends the result to dst. Each
// worker gets its own Func, so it may keep state without locking.
type Func func(dst, chunk []byte) []byte

// Options tune Run.
type Options struct {
	// Workers is the number of parallel workers (default GOMAXPROCS).
	Workers int
	// ChunkBytes is the size of one read and so the largest batch
	// (default 256 KiB); a read that brings less is passed on at once.
	ChunkBytes int
	// MaxLineBytes cuts longer lines: the first MaxLineBytes+1 bytes are
	// passed on (so the filter can tell, cut and count) and the rest of the
	// line is skipped without buffering it. Default 256 KiB.
	MaxLineBytes int
	// Universal makes a lone "\r" end a line too, as "\n" and "\r\n" do
	// (universal newlines): chunks and cuts then respect such lines, and a
	// chunk never ends between the "\r" and "\n" of a "\r\n".
	Universal bool
	// Stage, if set, runs in the reader on each chunk, in input order,
	// before a worker gets the chunk: what it appends to dst replaces the
	// chunk, or it returns chunk itself to pass it on unchanged. It is
	// called once more with a nil chunk at the end of the stream, and what
	// it appends then is the last chunk. It must return whole lines (as
	// Func gets them); it may keep state across chunks.
	Stage Func
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = 256 << 10
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = 256 << 10
	}
}

type job struct {
	raw    []byte // the chunk as read
	staged []byte // Stage's output
	in     []byte // what the worker transforms: raw or staged
	out    []byte
	done   chan struct{}
}

// Run reads r to its end, transforms it with the Funcs that newFunc makes
// (one per worker) and writes the results to w in input order. It returns
// the first read or write error.
func Run(r io.Reader, w io.Writer, o Options, newFunc func() Func) error {
	o.defaults()
	jobs := make(chan *job, o.Workers)
	order := make(chan *job, 2*o.Workers)
	free := make(chan *job, 3*o.Workers)
	for range 3 * o.Workers {
		free <- &job{done: make(chan struct{}, 1)}
	}
	for range o.Workers {
		go func(f Func) {
			for j := range jobs {
				j.out = f(j.out[:0], j.in)
				j.done <- struct{}{}
			}
		}(newFunc())
	}
	werr := make(chan error, 1)
	go func() {
		var err error
		for j := range order {
			<-j.done
			if err == nil {
				_, err = w.Write(j.out)
			}
			free <- j
		}
		werr <- err
	}()
	rerr := readChunks(r, o, free, jobs, order)
	close(jobs)
	close(order)
	if err := <-werr; err != nil {
		return err
	}
	return rerr
}

// readChunks fills jobs with whole lines from r and queues them in order.
func readChunks(r io.Reader, o Options, free chan *job, jobs, order chan *job) error {
	c := &chunker{r: r, max: o.MaxLineBytes, size: o.ChunkBytes, universal: o.Universal}
	for {
		j := <-free
		var err error
		j.raw, err = c.next(j.raw[:0])
		j.in = j.raw
		if o.Stage != nil && len(j.raw) > 0 {
			if out := o.Stage(j.staged[:0], j.raw); len(out) == 0 || &out[0] != &j.raw[0] {
				j.staged, j.in = out, out
			}
		}
		queue(j, free, jobs, order)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return err
			}
			if o.Stage != nil {
				j = <-free
				j.staged = o.Stage(j.staged[:0], nil)
				j.in = j.staged
				queue(j, free, jobs, order)
			}
			return nil
		}
	}
}

// queue hands j to a worker and the writer, or back to free if its chunk
// is empty.
func queue(j *job, free chan *job, jobs, order chan *job) {
	if len(j.in) == 0 {
		free <- j
		return
	}
	order <- j
	jobs <- j
}

// chunker cuts a stream into chunks of whole lines and cuts overlong lines.
type chunker struct {
	r         io.Reader
	max       int
	size      int
	universal bool   // a lone "\r" ends a line too
	carry     []byte // bytes read after the last newline of the previous chunk
	skipping  bool   // inside the rest of an overlong line
	err       error
}

// next appends the next chunk of whole lines to dst. At the end of the
// stream it returns the remaining bytes and io.EOF.
func (c *chunker) next(dst []byte) ([]byte, error) {
	dst = append(dst, c.carry...)
	c.carry = c.carry[:0]
	for c.err == nil {
		// Reads stay large also while the kept start of a cut line fills
		// most of the buffer (else each read would bring a few KiB and
		// every read would search that start for a newline again).
		if cap(dst)-len(dst) < max(4096, c.size/2) {
			dst = append(dst, make([]byte, c.size)...)[:len(dst)]
		}
		n, err := c.r.Read(dst[len(dst):cap(dst)])
		start := len(dst)
		dst = dst[:start+n]
		c.err = err
		dst = c.cutLong(dst, start)
		// Pass on what a read brought as soon as it holds a whole line, so
		// a live pipe (Apache's CustomLog) is not held back.
		if nl := c.lastEnd(dst); nl >= 0 {
			c.carry = append(c.carry, dst[nl+1:]...)
			return dst[:nl+1], nil
		}
	}
	return dst, c.err
}

// cutLong drops from dst[from:] the bytes of lines beyond max bytes.
func (c *chunker) cutLong(dst []byte, from int) []byte {
	lineStart := c.lastIndex(dst[:from]) + 1
	if !c.skipping && !c.hasLongLine(dst, lineStart) {
		return dst // the common case: nothing to cut, nothing to copy
	}
	out := from
	for i := from; i < len(dst); {
		if c.skipping { // jump to the end of the cut line
			e := c.index(dst[i:])
			if e < 0 {
				break
			}
			i, c.skipping = i+e, false
		}
		e := c.index(dst[i:])
		n := len(dst) - i // bytes of this line in dst, without its end
		if e >= 0 {
			n = e
		}
		if keep := c.max + 1 - (out - lineStart); n > keep {
			out += copy(dst[out:], dst[i:i+keep])
			i, c.skipping = i+keep, true
			continue
		}
		if e >= 0 {
			n++ // and its end
		}
		out += copy(dst[out:], dst[i:i+n])
		i += n
		if e >= 0 {
			lineStart = out
		}
	}
	return dst[:out]
}

// hasLongLine reports whether a line in b[start:] is longer than c.max.
func (c *chunker) hasLongLine(b []byte, start int) bool {
	max := c.max
	for start < len(b) {
		nl := c.index(b[start:])
		if nl < 0 {
			return len(b)-start > max
		}
		if nl > max {
			return true
		}
		start += nl + 1
	}
	return false
}

// lastEnd returns the index of the last byte of b that surely ends a line,
// or -1. With universal newlines a "\r" at the end of b does not while
// more may be read: a "\n" may follow it.
func (c *chunker) lastEnd(b []byte) int {
	i := c.lastIndex(b)
	if i == len(b)-1 && i >= 0 && b[i] == '\r' && c.err == nil {
		i = c.lastIndex(b[:i])
	}
	return i
}

// index returns the index of the first line end in b, or -1.
func (c *chunker) index(b []byte) int {
	if c.universal {
		return bytes.IndexAny(b, "\r\n")
	}
	return bytes.IndexByte(b, '\n')
}

// lastIndex returns the index of the last line end in b, or -1.
func (c *chunker) lastIndex(b []byte) int {
	if c.universal {
		return bytes.LastIndexAny(b, "\r\n")
	}
	return bytes.LastIndexByte(b, '\n')
}
