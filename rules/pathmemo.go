package rules

import (
	"bytes"

	"github.com/cespare/xxhash/v2"

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
	b := &p.paths.byHash[xxhash.Sum64(path)%pathBuckets]
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

// holds reports whether s remembers path.
func (s *pathSlot) holds(path []byte) bool {
	return int(s.n) == len(path)+1 && string(s.path[:len(path)]) == string(path)
}

// set makes s remember path and its action.
func (s *pathSlot) set(path []byte, a *action, ok bool) {
	s.a, s.ok, s.n = a, ok, uint8(len(path)+1)
	s.look = detect.LookAlikeName(path[bytes.LastIndexByte(path, '.')+1:])
	copy(s.path[:], path)
}
