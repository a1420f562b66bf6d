package agent

import (
	"os"
	"sync"

	"github.com/tarn-project/tarn/agent/positions"
)

// checkpoints guards the positions store shared by the inputs of one
// generation. Commit is called only after the entries read up to the
// offset are durable in the spool; Save writes the store durably.
type checkpoints struct {
	mu    sync.Mutex
	store *positions.Store
	dirty bool
	// changed wakes the checkpoint goroutine after a commit (capacity 1,
	// so commits coalesce while a save is running).
	changed chan struct{}
}

// lookup is the tailer's Lookup: the committed offset of a file.
func (c *checkpoints) lookup(id positions.ID, f *os.File) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.store.Find(id, f)
	return p.Offset, ok
}

// commit records that everything before end in the file is durable (with
// skip, what positions.Position says of it); a file that is done (rotated
// away or deleted and read to its end) is forgotten.
func (c *checkpoints) commit(path string, id positions.ID, end, skip int64, done bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if done {
		c.store.Delete(id)
	} else {
		c.store.Set(positions.Position{Path: path, ID: id, Offset: end, Skip: skip})
	}
	c.dirty = true
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// save writes the store if something changed since the last save.
func (c *checkpoints) save() (saved bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return false, nil
	}
	if err := c.store.Save(); err != nil {
		return false, err
	}
	c.dirty = false
	return true, nil
}
