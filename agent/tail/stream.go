package tail

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// readResult is what one Read of a stream brought.
type readResult struct {
	n   int
	err error
}

// ReadStream reads lines from r (stdin) until EOF or ctx ends, sending
// chunks with Path "-" and End the total number of bytes consumed. Lines
// are cut as by a Tailer; a final line without a newline is sent at EOF.
// st may be nil. It returns nil at EOF or when ctx ends, and the read
// error otherwise.
//
// Reads happen on a separate goroutine, so ReadStream returns as soon as
// ctx ends even while r blocks; that goroutine ends when its Read returns.
func ReadStream(ctx context.Context, r io.Reader, o Options, st *Stats, out chan<- *Chunk) error {
	o.defaults()
	if st == nil {
		st = new(Stats)
	}
	buf := make([]byte, o.ChunkBytes)
	res := make(chan readResult, 1)
	next := make(chan struct{}, 1)
	done := make(chan struct{})
	defer close(done)
	go readInto(r, buf, res, next, done)
	sp := splitter{max: o.MaxLineBytes}
	for {
		var rr readResult
		select {
		case <-ctx.Done():
			return nil
		case rr = <-res:
		}
		st.Bytes.Add(uint64(rr.n))
		if c := sp.feed(buf[:rr.n]); c != nil && !sendStream(ctx, out, st, c) {
			return nil
		}
		if errors.Is(rr.err, io.EOF) {
			if c := sp.flush(); c != nil {
				sendStream(ctx, out, st, c)
			}
			return nil
		}
		if rr.err != nil {
			return fmt.Errorf("tail: read stream: %w", rr.err)
		}
		next <- struct{}{} // buf is free again
	}
}

// readInto reads r into buf, handing each result over on res and waiting
// on next until buf may be reused, or on done to give up.
func readInto(r io.Reader, buf []byte, res chan<- readResult, next, done <-chan struct{}) {
	for {
		n, err := r.Read(buf)
		res <- readResult{n, err} // never blocks: res is emptied before next
		if err != nil {
			return
		}
		select {
		case <-next:
		case <-done:
			return
		}
	}
}

// sendStream sends a stream chunk; false means ctx ended.
func sendStream(ctx context.Context, out chan<- *Chunk, st *Stats, c *Chunk) bool {
	c.Path, c.Name = "-", "-"
	st.count(c)
	select {
	case out <- c:
		return true
	case <-ctx.Done():
		return false
	}
}
