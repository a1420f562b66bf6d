package rules

import (
	"bytes"

	"github.com/cespare/xxhash/v2"
)

// The free-text detectors are the largest cost per line, and most of the
// text they scan repeats: a day of access logs holds a few hundred user
// agents and referers, and static paths are requested over and over. A
// cleanCache remembers short texts in which the detectors found nothing
// to replace, so such a value is scanned once, not on every line.
//
// It is a direct-mapped table keyed by a hash of the text that stores the
// text itself: a hit is an exact byte comparison, never a hash match
// alone, so no value with personal data can pass unscanned. Only clean
// results are kept (a text with matches is scanned every time, since its
// replacement depends on the day's key), and the result depends on nothing
// but the text and the engine's detectors, fixed for a Processor.
type cleanCache struct {
	lens [cleanSlots]uint16 // 0: empty slot
	text [cleanSlots * cleanMax]byte
}

const (
	cleanSlots = 1024 // slots of the table (a power of two)
	cleanMax   = 320  // longest text cached, in bytes
)

// slot returns the slot of text, or -1 when text is too long to cache.
func (c *cleanCache) slot(text []byte) int {
	if len(text) > cleanMax {
		return -1
	}
	return int(xxhash.Sum64(text) & (cleanSlots - 1))
}

// has reports whether slot s holds text.
func (c *cleanCache) has(s int, text []byte) bool {
	n := int(c.lens[s])
	return n == len(text) && bytes.Equal(c.text[s*cleanMax:s*cleanMax+n], text)
}

// put stores text, found clean, in slot s.
func (c *cleanCache) put(s int, text []byte) {
	copy(c.text[s*cleanMax:], text)
	c.lens[s] = uint16(len(text))
}
