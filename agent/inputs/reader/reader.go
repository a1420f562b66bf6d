// Package reader hands what a tailer or a stream reader read (tail.Chunk
// values) to the agent's ingest, as the file and stdin inputs do: plain
// lines as they are, a container runtime's records (format cri or
// docker) unwrapped and joined into the lines the application wrote; and
// after each batch is durable, it commits the chunk's position.
package reader

import (
	"context"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/tail"
	"github.com/tarn-project/tarn/rules/format"
)

// Reader turns chunks into batches. One goroutine owns it.
type Reader struct {
	env   inputs.Env
	conts map[inode]*container
	b     inputs.Batch
	arena []byte // the joined messages of the batch
}

// New returns a Reader for an input's environment; with env.Positions
// it commits positions, without (a stream) it does not.
func New(env inputs.Env) *Reader {
	return &Reader{env: env, conts: map[inode]*container{}}
}

// Read runs read (a tailer's or a stream's) on its own goroutine and
// hands the chunks it sends to h with a new Reader; it returns when read
// returned and its chunks are handled: the reader's error, else read's
// unless ctx ended.
func Read(ctx context.Context, h inputs.Host, env inputs.Env, read func(context.Context, chan<- *tail.Chunk) error) error {
	chunks := make(chan *tail.Chunk, 4)
	errc := make(chan error, 1)
	go func() {
		defer close(chunks)
		errc <- read(ctx, chunks)
	}()
	err := New(env).Run(ctx, h, chunks)
	if rerr := <-errc; err == nil && ctx.Err() == nil {
		err = rerr
	}
	return err
}

// Run hands every chunk to h until the channel closes. A chunk is
// committed only after its batch is durable; when ctx ends while the
// spool is full, the chunk is left uncommitted (read again after a
// restart), the channel is drained and Run returns nil.
func (rd *Reader) Run(ctx context.Context, h inputs.Host, chunks <-chan *tail.Chunk) error {
	for c := range chunks {
		if err := rd.chunk(ctx, h, c); err != nil {
			if ctx.Err() != nil {
				for range chunks { // let the reader finish; nothing more is committed
				}
				return nil
			}
			return err
		}
	}
	return nil
}

// chunk ingests one chunk and commits it.
func (rd *Reader) chunk(ctx context.Context, h inputs.Host, c *tail.Chunk) error {
	rd.b.Reset()
	rd.arena = rd.arena[:0]
	files := rd.env.Positions != nil && c.Path != "-"
	rd.b.Source, rd.b.Wait = c.Path, true
	if files {
		rd.b.Source = rd.env.Positions.Name(c)
	}
	end, skip := c.End, int64(0)
	if rd.env.Container != format.Text {
		end, skip = rd.containerChunk(c) // counts the lines it cuts
	} else {
		rd.b.Lines, rd.b.Cut = c.Lines, c.Cut
	}
	if err := h.Ingest(ctx, &rd.b); err != nil {
		return err
	}
	if files {
		rd.env.Positions.Commit(c.Path, c.ID, end, skip, c.Done)
	}
	return nil
}
