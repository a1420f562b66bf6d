package rules

// pathMemo remembers, for each field index, the path of the field last
// seen there and the action that path names (pathAction's result).
// Records of one input repeat their fields in the same order, and a lookup
// by exact path, by subtree and by key in two spellings costs several
// hashes and passes over the path; the memo costs one comparison. It is a
// table of fixed size, so it allocates nothing; paths longer than a slot
// and fields past the table are not remembered.
type pathMemo [pathSlots]pathSlot

const (
	pathSlots   = 64
	pathMaxSize = 46
)

// pathSlot is one remembered path and its action.
type pathSlot struct {
	a    *action
	n    uint8 // len(path)+1; 0 for an empty slot
	ok   bool
	path [pathMaxSize]byte
}

// pathAction finds the action that the path of field i names: by exact
// path, then by a "path.*" rule for everything below a path, then by key
// name.
func (p *Processor) pathAction(i int) (*action, bool) {
	path := p.rec.Fields[i].Path
	if i >= pathSlots || len(path) > pathMaxSize {
		return p.lookupPath(path)
	}
	if p.paths == nil {
		p.paths = new(pathMemo)
	}
	s := &p.paths[i]
	if int(s.n) == len(path)+1 && string(s.path[:len(path)]) == string(path) {
		return s.a, s.ok
	}
	a, ok := p.lookupPath(path)
	s.a, s.ok, s.n = a, ok, uint8(len(path)+1)
	copy(s.path[:], path)
	return a, ok
}
