package agent

import (
	"os"
	"sync"

	"github.com/tarn-project/tarn/agent/positions"
	"github.com/tarn-project/tarn/agent/tail"
)

// checkpoints guards the positions store shared by the inputs of one
// generation. Commit is called only after the entries read up to the
// offset are durable in the spool; Save writes the store durably.
type checkpoints struct {
	mu    sync.Mutex
	store *positions.Store
	// names are the label names of the files read in this generation, by
	// inode, as name decided them (nil until the first).
	names map[inode]string
	dirty bool
	// changed wakes the checkpoint goroutine after a commit (capacity 1,
	// so commits coalesce while a save is running).
	changed chan struct{}
}

// Lookup is the tailer's Lookup: the committed offset of a file.
func (c *checkpoints) Lookup(id positions.ID, f *os.File) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.store.Find(id, f)
	return p.Offset, ok
}

// Name returns the name for the labels of ch's lines: the name its file
// was first tailed under, stored with its position, so that lines read
// again after a restart that straddled a rename get the labels of their
// first reading, byte-identical; for a file without a position the
// tailer's ch.Name, which the file's commits store from then on. Streams
// (and inputs without checkpoints, c nil) are named by their path. The
// ingest of a chunk calls name before commit.
func (c *checkpoints) Name(ch *tail.Chunk) string {
	if c == nil || ch.Path == "-" {
		return ch.Path
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := inode{ch.ID.Dev, ch.ID.Ino}
	if n, ok := c.names[k]; ok {
		return n
	}
	n := ch.Name
	if p, ok := c.stored(ch.ID); ok {
		n = p.Label()
	}
	if n == "" {
		n = ch.Path
	}
	if c.names == nil {
		c.names = map[inode]string{}
	}
	c.names[k] = n
	return n
}

// stored returns the position stored for the content id: of the same ID,
// or of the same inode with a shorter fingerprint (a short file that
// grew). A position of the inode with another full fingerprint belongs to
// content the inode no longer holds. The caller holds c.mu.
func (c *checkpoints) stored(id positions.ID) (positions.Position, bool) {
	if p, ok := c.store.Get(id); ok {
		return p, true
	}
	p, ok := c.store.Inode(id.Dev, id.Ino)
	return p, ok && p.ID.FPLen < id.FPLen
}

// Commit records that everything before end in the file is durable (with
// skip, what positions.Position says of it), under the name name gave its
// chunk; a file that is done (rotated away or deleted and read to its
// end, or content its copy took over) is forgotten.
func (c *checkpoints) Commit(path string, id positions.ID, end, skip int64, done bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := inode{id.Dev, id.Ino}
	if done {
		c.store.Delete(id)
		delete(c.names, k)
	} else {
		name, ok := c.names[k]
		if !ok {
			name = path
			if p, ok := c.stored(id); ok {
				name = p.Label()
			}
		}
		c.store.Set(positions.Position{Path: path, Name: name, ID: id, Offset: end, Skip: skip})
	}
	c.dirty = true
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// Get returns the stored position of the file id (or of its inode with a
// shorter fingerprint).
func (c *checkpoints) Get(id positions.ID) (positions.Position, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.store.Inode(id.Dev, id.Ino)
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

// inode identifies a file across the growth of its fingerprint.
type inode struct{ dev, ino uint64 }
