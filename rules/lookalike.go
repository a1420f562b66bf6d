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
	path := p.rec.Fields[i].Path
	if detect.FieldLookAlike(path[bytes.LastIndexByte(path, '.')+1:], v) {
		return append(dst, v...), 0
	}
	return p.appendScrubbed(dst, v)
}
