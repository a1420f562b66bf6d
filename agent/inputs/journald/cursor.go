package journald

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/durable"
)

// cursorStore keeps an input's journal cursor in its own file under the
// agent's data directory, data_dir/journald/<input>.cursor, written
// durably (temp file, fsync, rename, fsync of the directory). The input
// sets a cursor only after the entries up to it are durable in the
// spool; a goroutine saves the latest one, so a save runs beside the
// next batch and saves coalesce. After a crash the saved cursor is at
// most the batches of one save behind: their entries are read again
// (at least once), none is lost.
type cursorStore struct {
	path string
	log  *zap.Logger

	mu      sync.Mutex
	pending string // the latest cursor set
	saved   string // the cursor in the file
	err     error  // the last save's error
	wake    chan struct{}
}

// newCursorStore returns the store of input name under dataDir.
func newCursorStore(dataDir, name string, log *zap.Logger) *cursorStore {
	return &cursorStore{path: filepath.Join(dataDir, "journald", name+".cursor"), log: log, wake: make(chan struct{}, 1)}
}

// load returns the saved cursor ("" when there is none).
func (c *cursorStore) load() (string, error) {
	b, err := os.ReadFile(c.path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("journald: cursor: %w", err)
	}
	cur := string(bytes.TrimSpace(b))
	if cur != "" && !validCursor(cur) {
		return "", fmt.Errorf("journald: cursor file %s is damaged (delete it to start over at start_at)", c.path)
	}
	c.mu.Lock()
	c.pending, c.saved = cur, cur
	c.mu.Unlock()
	return cur, nil
}

// set records that everything up to cur is durable and wakes the saver.
func (c *cursorStore) set(cur string) {
	c.mu.Lock()
	c.pending = cur
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// run saves the latest cursor whenever one was set, until ctx ends.
func (c *cursorStore) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
			if err := c.save(); err != nil {
				c.log.Error("journald: saving the cursor failed", zap.Error(err))
			}
		}
	}
}

// save writes the latest cursor if it is not the saved one.
func (c *cursorStore) save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == c.saved {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		c.err = fmt.Errorf("journald: cursor: %w", err)
		return c.err
	}
	if err := durable.WriteFile(c.path, []byte(c.pending+"\n"), 0o600); err != nil {
		c.err = fmt.Errorf("journald: cursor: %w", err)
		return c.err
	}
	c.saved, c.err = c.pending, nil
	return nil
}

// current returns the latest cursor set.
func (c *cursorStore) current() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending
}

// validCursor reports whether s looks like a journal cursor:
// semicolon-separated key=value pairs of printable ASCII, keys of one
// letter (s, i, b, m, t, x).
func validCursor(s string) bool {
	if len(s) > 512 {
		return false
	}
	for _, kv := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || len(k) != 1 || v == "" {
			return false
		}
		for i := 0; i < len(v); i++ {
			if v[i] <= ' ' || v[i] > '~' {
				return false
			}
		}
	}
	return true
}

// stripCursor returns the cursor without its x= part, the XOR of the
// hashes of the entry's fields (MESSAGE included): journalctl seeks as
// well without it, and the data directory keeps nothing derived from
// the content of an entry.
func stripCursor(dst, cur []byte) []byte {
	dst = dst[:0]
	for len(cur) > 0 {
		part := cur
		if i := bytes.IndexByte(cur, ';'); i >= 0 {
			part, cur = cur[:i], cur[i+1:]
		} else {
			cur = nil
		}
		if bytes.HasPrefix(part, []byte("x=")) || len(part) == 0 {
			continue
		}
		if len(dst) > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, part...)
	}
	return dst
}
