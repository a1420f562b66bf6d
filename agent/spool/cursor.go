package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tarn-project/tarn/agent/durable"
)

const cursorPrefix = "cursor-"

// cursor is a position in the spool: the record at byte offset off of
// segment seg, entry idx inside that record.
type cursor struct {
	seg uint64
	off int64
	idx int
}

func (c cursor) less(d cursor) bool {
	if c.seg != d.seg {
		return c.seg < d.seg
	}
	if c.off != d.off {
		return c.off < d.off
	}
	return c.idx < d.idx
}

// validSinkName reports whether name can be used in a cursor file name.
func validSinkName(name string) bool {
	if name == "" || len(name) > 128 || name[0] == '.' {
		return false
	}
	for _, r := range name {
		ok := r == '-' || r == '_' || r == '.' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

func cursorPath(dir, sink string) string { return filepath.Join(dir, cursorPrefix+sink) }

// loadCursor reads the cursor of sink; found is false when it has none yet.
func loadCursor(dir, sink string) (c cursor, found bool, err error) {
	b, err := os.ReadFile(cursorPath(dir, sink))
	if errors.Is(err, os.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("spool: read cursor of sink %q: %w", sink, err)
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "v1 %d %d %d", &c.seg, &c.off, &c.idx); err != nil ||
		c.off < 0 || c.idx < 0 {
		return c, false, fmt.Errorf("spool: malformed cursor of sink %q: %w", sink, errCorrupt)
	}
	return c, true, nil
}

// saveCursor writes the cursor of sink durably (temp → fsync → rename →
// fsync dir).
func saveCursor(dir, sink string, c cursor) error {
	data := fmt.Appendf(nil, "v1 %d %d %d\n", c.seg, c.off, c.idx)
	if err := durable.WriteFile(cursorPath(dir, sink), data, 0o600); err != nil {
		return fmt.Errorf("spool: save cursor of sink %q: %w", sink, err)
	}
	return nil
}

// maxCursorSegment returns the highest segment id named by any cursor file
// in dir, including those of sinks no longer configured, so that a new
// segment is never numbered below a position some cursor has passed.
func maxCursorSegment(dir string) (uint64, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("spool: list %s: %w", dir, err)
	}
	var max uint64
	for _, de := range des {
		name, ok := strings.CutPrefix(de.Name(), cursorPrefix)
		if !ok || !validSinkName(name) {
			continue
		}
		c, found, err := loadCursor(dir, name)
		if err != nil || !found {
			continue
		}
		if c.seg > max {
			max = c.seg
		}
	}
	return max, nil
}

// id renders c as a batch ID: segment (20 digits), record offset and
// index in the record.
func (c cursor) id() string { return fmt.Sprintf("%020d-%d-%d", c.seg, c.off, c.idx) }
