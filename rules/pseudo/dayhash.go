package pseudo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"time"

	"github.com/dchest/siphash"
)

// dayHashKeyPrefix versions the derivation of DayHash keys. It differs from
// epochKeyPrefix, so a DayHash key is never a pseudonym epoch key.
const dayHashKeyPrefix = "tarn/visitors/v1/"

// DayHash is a keyed 64-bit hash under a key of its own per UTC day:
// SipHash-2-4 keyed with the first 16 bytes of DayHashKey(master, t). It is
// for values that are only ever counted, never shown — the visitor hashes
// inside distinct-count sketches — where a 64-bit PRF is enough and an
// HMAC-SHA256 per request costs too much. Without the master key nobody
// can tell from a sketch whether a given visitor is in it, and its key is
// derived apart from the pseudonyms' epoch keys, so visitor hashes cannot
// be related to pseudonyms even by someone who learns an epoch key. Not
// safe for concurrent use.
type DayHash struct {
	master []byte
	day    int64 // UTC day number of k0, k1; math.MinInt64 before the first
	k0, k1 uint64
}

// NewDayHash returns a DayHash for master (copied).
func NewDayHash(master []byte) *DayHash {
	return &DayHash{master: append([]byte(nil), master...), day: math.MinInt64}
}

// DayHashKey returns HMAC-SHA256(master, "tarn/visitors/v1/" +
// Daily.Epoch(t)), the key of t's UTC day under which DayHash hashes. It
// allocates.
func DayHashKey(master []byte, t time.Time) [32]byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(dayHashKeyPrefix + Daily.Epoch(t)))
	var k [32]byte
	m.Sum(k[:0])
	return k
}

// Sum64 returns the keyed hash of value under t's day key.
func (d *DayHash) Sum64(t time.Time, value []byte) uint64 {
	if day := t.Unix() / 86400; day != d.day || t.Unix() < 0 {
		k := DayHashKey(d.master, t)
		d.day, d.k0, d.k1 = day, binary.LittleEndian.Uint64(k[:8]), binary.LittleEndian.Uint64(k[8:16])
	}
	return siphash.Hash(d.k0, d.k1, value)
}
