package rules

import (
	"bytes"

	"github.com/tarn-project/tarn/rules/detect"
)

// scrubField is appendScrubbed for the value v of field i, except that a
// value its key names a look-alike as a whole (a version under a version
// key, an id under an id key: see detect.FieldLookAlike) is kept as it is:
// the detectors scan v without its key and could not tell.
func (p *Processor) scrubField(dst []byte, i int, v []byte) ([]byte, int) {
	if detect.LookAlikeValue(v) && p.lookAlikeName(i) && detect.FieldLookAlike(p.lastKey(i), v) {
		return append(dst, v...), 0
	}
	return p.appendScrubbed(dst, v)
}

// lastKey returns the last element of field i's path: its key.
func (p *Processor) lastKey(i int) []byte {
	path := p.rec.Fields[i].Path
	return path[bytes.LastIndexByte(path, '.')+1:]
}

// lookAlikeName is detect.LookAlikeName of field i's key, as its pathMemo
// slot remembers it.
func (p *Processor) lookAlikeName(i int) bool {
	if s := p.heldSlot(i); s != nil {
		return s.look
	}
	return detect.LookAlikeName(p.lastKey(i))
}
