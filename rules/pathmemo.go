package rules

import (
	"bytes"
	"encoding/binary"

	"github.com/tarn-project/tarn/rules/detect"
)

// pathMemo remembers the actions that recent field paths name
// (pathAction's result). Records of one input repeat their field names,
// and a lookup by exact path, by subtree and by key in two spellings costs
// several hashes and passes over the path. The memo keeps, for each field
// index, the path last seen there (the fields of a format come in the same
// order: one comparison), and behind that a table by the path's hash for
// the fields whose position varies (query parameters, JSON keys), two
// ways a bucket so that two frequent paths of one bucket do not evict each
// other. Both tables have a fixed size, so the memo allocates nothing;
// paths longer than a slot are not remembered.
type pathMemo struct {
	byIndex [pathIndexSlots]pathSlot
	byHash  [pathBuckets][2]pathSlot
}

const (
	pathIndexSlots = 64
	pathBuckets    = 128
	pathMaxSize    = 46
)

// pathSlot is one remembered path, its action and whether its key is a
// look-alike name (detect.LookAlikeName).
type pathSlot struct {
	a    *action
	n    uint8 // len(path)+1; 0 for an empty slot
	ok   bool
	look bool
	path [pathMaxSize]byte
}

// pathAction finds the action that the path of field i names: by exact
// path, then by a "path.*" rule for everything below a path, then by key
// name.
func (p *Processor) pathAction(i int) (*action, bool) {
	path := p.rec.Fields[i].Path
	if len(path) > pathMaxSize {
		return p.lookupPath(path)
	}
	if p.paths == nil {
		p.paths = new(pathMemo)
	}
	var at *pathSlot
	if i < pathIndexSlots {
		if at = &p.paths.byIndex[i]; at.holds(path) {
			return at.a, at.ok
		}
	}
	b := &p.paths.byHash[pathHash(path)%pathBuckets]
	s := &b[0]
	switch {
	case s.holds(path):
	case b[1].holds(path):
		s = &b[1]
	default: // the older way goes, the newer one moves there
		b[1] = b[0]
		a, ok := p.lookupPath(path)
		s.set(path, a, ok)
	}
	if at != nil {
		*at = *s
	}
	return s.a, s.ok
}

// heldSlot returns field i's index slot if it holds the field's path (as
// it does after pathAction(i)), else nil.
func (p *Processor) heldSlot(i int) *pathSlot {
	if p.paths == nil || i >= pathIndexSlots {
		return nil
	}
	if s := &p.paths.byIndex[i]; s.holds(p.rec.Fields[i].Path) {
		return s
	}
	return nil
}

// pathHash mixes the length and the first and last eight bytes of path:
// paths that differ only in between share a bucket, which has two ways.
// It is cheaper than a hash of every byte for the short paths of a record.
func pathHash(path []byte) uint64 {
	var a, b uint64
	if n := len(path); n >= 8 {
		a, b = binary.LittleEndian.Uint64(path), binary.LittleEndian.Uint64(path[n-8:])
	} else {
		for i, c := range path {
			a |= uint64(c) << (8 * i)
		}
	}
	h := (a*0x9e3779b97f4a7c15 ^ b) * 0xc2b2ae3d27d4eb4f
	return (h ^ h>>31) + uint64(len(path))
}

// holds reports whether s remembers path. Paths of 8 to 16 bytes, most
// field names, are compared as two overlapping words.
func (s *pathSlot) holds(path []byte) bool {
	n := len(path)
	if int(s.n) != n+1 {
		return false
	}
	if n >= 8 {
		le := binary.LittleEndian
		if le.Uint64(s.path[:]) != le.Uint64(path) || le.Uint64(s.path[n-8:]) != le.Uint64(path[n-8:]) {
			return false
		}
		if n <= 16 {
			return true
		}
	}
	return string(s.path[:n]) == string(path)
}

// set makes s remember path and its action.
func (s *pathSlot) set(path []byte, a *action, ok bool) {
	s.a, s.ok, s.n = a, ok, uint8(len(path)+1)
	s.look = detect.LookAlikeName(path[bytes.LastIndexByte(path, '.')+1:])
	copy(s.path[:], path)
}
