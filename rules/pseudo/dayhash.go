package pseudo

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/dchest/siphash"
)

// DayHash is a keyed 64-bit hash under the day's epoch key: SipHash-2-4
// keyed with the first 16 bytes of EpochKey(master, Daily, t). It is for
// values that are only ever counted, never shown — the visitor hashes
// inside distinct-count sketches — where a 64-bit PRF is enough and an
// HMAC-SHA256 per request costs too much. Without the master key nobody
// can tell from a sketch whether a given visitor is in it. Not safe for
// concurrent use.
type DayHash struct {
	master []byte
	day    int64 // UTC day number of k0, k1; math.MinInt64 before the first
	k0, k1 uint64
}

// NewDayHash returns a DayHash for master (copied).
func NewDayHash(master []byte) *DayHash {
	return &DayHash{master: append([]byte(nil), master...), day: math.MinInt64}
}

// Sum64 returns the keyed hash of value under t's day key.
func (d *DayHash) Sum64(t time.Time, value []byte) uint64 {
	if day := t.Unix() / 86400; day != d.day || t.Unix() < 0 {
		k := EpochKey(d.master, Daily, t)
		d.day, d.k0, d.k1 = day, binary.LittleEndian.Uint64(k[:8]), binary.LittleEndian.Uint64(k[8:16])
	}
	return siphash.Hash(d.k0, d.k1, value)
}
