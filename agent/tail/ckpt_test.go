package tail

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tarn-project/tarn/agent/positions"
)

// ckpt is a positions store used as the agent uses it: every chunk a
// tailer sends is committed (Done chunks forget their file) and offered
// back through Lookup, so several tailers run one after the other behave
// like one agent restarted.
type ckpt struct {
	mu     sync.Mutex
	store  *positions.Store
	chunks []*Chunk // every committed chunk, of every run, in order
}

// newCkpt returns an empty store in a temporary directory.
func newCkpt(t *testing.T) *ckpt {
	t.Helper()
	s, err := positions.Load(filepath.Join(t.TempDir(), "positions.json"))
	if err != nil {
		t.Fatal(err)
	}
	return &ckpt{store: s}
}

// lookup is the tailers' Lookup.
func (c *ckpt) lookup(id positions.ID, f *os.File) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.store.Find(id, f)
	return p.Offset, ok
}

// commit records a chunk as the agent's ingest does once it is durable.
func (c *ckpt) commit(ch *Chunk) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.chunks = append(c.chunks, ch)
	if ch.Done {
		c.store.Delete(ch.ID)
		return
	}
	c.store.Set(positions.Position{Path: ch.Path, Name: ch.Name, ID: ch.ID, Offset: ch.End})
}

// all returns the committed chunks.
func (c *ckpt) all() []*Chunk {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Chunk(nil), c.chunks...)
}

// seen reports whether numbered line i was committed.
func (c *ckpt) seen(i int) bool {
	want := numbered(i)
	want = want[:len(want)-1]
	for _, ch := range c.all() {
		for _, l := range ch.Lines {
			if string(l) == want {
				return true
			}
		}
	}
	return false
}

// ckptRun is one tailer running over a ckpt.
type ckptRun struct {
	bgRun
	tl *Tailer
	// hold, while locked, keeps the collector from taking more chunks,
	// so the tailer blocks in its send (it takes at most one more).
	hold sync.Mutex
}

// run starts a Tailer for o over c (short Poll and RotateWait unless set)
// that commits what it sends. A chunk for which stop returns true is the
// last one committed: the run is cancelled, and what it still sends is
// dropped, as the agent's ingest does after a shutdown began.
func (c *ckpt) run(t *testing.T, o Options, stop func(*Chunk) bool, setup ...func(*Tailer)) *ckptRun {
	t.Helper()
	o.Lookup = c.lookup
	tl := newTailer(t, o, setup...)
	ctx, cancel := context.WithCancel(context.Background())
	r := &ckptRun{tl: tl, bgRun: bgRun{cancel: cancel, done: make(chan struct{})}}
	out := make(chan *Chunk)
	go func() {
		r.err = tl.Run(ctx, out)
		close(out)
	}()
	go func() {
		defer close(r.done)
		stopped := false
		for {
			r.hold.Lock()
			r.hold.Unlock()
			ch, ok := <-out
			if !ok {
				return
			}
			if stopped {
				continue
			}
			c.commit(ch)
			if stop != nil && stop(ch) {
				stopped = true
				cancel()
			}
		}
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// writeNumberedRange appends numbered lines from..to-1 to path.
func writeNumberedRange(t *testing.T, path string, from, to int) {
	t.Helper()
	var b []byte
	for i := from; i < to; i++ {
		b = append(b, numbered(i)...)
	}
	appendFile(t, path, string(b))
}

// copyTruncate copies path to cp and truncates path, as logrotate's
// copytruncate does.
func copyTruncate(t *testing.T, path, cp string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cp, string(data))
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
}
