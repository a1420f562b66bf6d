package pseudo

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"time"

	"github.com/cespare/xxhash/v2"
)

const (
	// DefaultCacheEntries is the MAC cache size used when New gets <= 0.
	DefaultCacheEntries = 65536
	// MaxCacheEntries caps the MAC cache size passed to New.
	MaxCacheEntries = 1 << 24
	// maxCachedLen is the longest value whose MAC is cached; longer values
	// are MACed every time (they are rarely repeated identifiers).
	maxCachedLen = 256
	// arenaBytesPerEntry bounds the value arena at cacheEntries times this.
	arenaBytesPerEntry = 64
)

// epochSlot holds one derived epoch key, ready to MAC with.
type epochSlot struct {
	start, end int64     // Unix seconds [start, end) of the epoch
	gen        uint32    // 0 = slot empty; identifies the key in cache entries
	mac        hash.Hash // HMAC-SHA256 keyed with the epoch key
}

// cacheEntry is one cached MAC; its value is arena[off : off+n].
type cacheEntry struct {
	hash uint64
	gen  uint32
	off  uint32
	n    uint16
	mac  [32]byte
}

// Pseudonymizer computes pseudonym MACs for one goroutine. It is not safe for
// concurrent use; give every worker its own (they all compute the same MACs).
// The zero value is not usable; create one with New.
//
// Memory is bounded by about cacheEntries × (16 + 56 + 64) bytes.
type Pseudonymizer struct {
	master   []byte
	rot      Rotation
	slots    [2]epochSlot
	last     int      // index of the most recently used slot
	nextGen  uint32   // generation for the next derived epoch key
	limit    int      // max entries before the cache is cleared
	index    []uint64 // tag<<32 | entry number (1-based); 0 = empty
	entries  []cacheEntry
	arena    []byte
	hashMask uint64 // all ones; tests set 0 to force hash collisions
	scratch  [maxCachedLen]byte
	sum      [32]byte
}

// New returns a Pseudonymizer for master (copied; the caller validates its
// length with ParseKey) and rotation r. cacheEntries bounds the number of
// cached MACs: DefaultCacheEntries when <= 0, at most MaxCacheEntries.
func New(master []byte, r Rotation, cacheEntries int) *Pseudonymizer {
	if cacheEntries <= 0 {
		cacheEntries = DefaultCacheEntries
	}
	cacheEntries = min(cacheEntries, MaxCacheEntries)
	size := 2
	for size < 2*cacheEntries {
		size <<= 1
	}
	return &Pseudonymizer{
		master:   append([]byte(nil), master...),
		rot:      r,
		nextGen:  1,
		limit:    cacheEntries,
		index:    make([]uint64, size),
		hashMask: ^uint64(0),
	}
}

// Sum returns HMAC-SHA256(EpochKey(master, r, t), value). The epoch keys of
// the two most recently used epochs and the MACs of up to cacheEntries values
// of at most 256 bytes are cached; a cache hit compares the full value, so it
// never returns another value's MAC. Allocation-free in steady state (it
// allocates when it derives an epoch key).
func (p *Pseudonymizer) Sum(t time.Time, value []byte) [32]byte {
	s := p.slot(t)
	if len(value) > maxCachedLen {
		return p.macLong(s, value)
	}
	h := xxhash.Sum64(value) & p.hashMask
	i, e := p.lookup(h, s.gen, value)
	if e != nil {
		return e.mac
	}
	if len(p.entries) >= p.limit || len(p.arena)+len(value) > p.limit*arenaBytesPerEntry {
		p.clearCache()
		i = p.home(h, s.gen)
	}
	return p.insert(i, h, s, value)
}

// slot returns the epoch slot for t, deriving the epoch key when t is in
// neither cached epoch (replacing the least recently used one).
func (p *Pseudonymizer) slot(t time.Time) *epochSlot {
	sec := t.Unix()
	for i := range p.slots {
		s := &p.slots[i]
		if s.gen != 0 && sec >= s.start && sec < s.end {
			p.last = i
			return s
		}
	}
	p.last ^= 1
	s := &p.slots[p.last]
	key := EpochKey(p.master, p.rot, t)
	s.mac = hmac.New(sha256.New, key[:])
	s.start, s.end = p.rot.bounds(t)
	if sec < s.start || sec >= s.end {
		s.start, s.end = 1, 0 // bounds overflowed: never match, derive per call
	}
	s.gen = p.newGen()
	return s
}

// newGen returns a fresh nonzero generation; on wrap-around the cache is
// cleared so no entry can match a reused generation.
func (p *Pseudonymizer) newGen() uint32 {
	g := p.nextGen
	p.nextGen++
	if p.nextGen == 0 {
		p.nextGen = 1
		p.clearCache()
		p.slots[p.last^1].gen = 0 // its entries are gone; re-derive on use
	}
	return g
}

// home returns the first probe position for (h, gen).
func (p *Pseudonymizer) home(h uint64, gen uint32) int {
	x := h ^ uint64(gen)*0x9e3779b97f4a7c15
	x ^= x >> 29
	return int(x & uint64(len(p.index)-1))
}

// lookup probes for (h, gen, value). It returns the matching entry, or nil and
// the empty index position where it belongs. The tag in the index (the high
// half of h) spares most probes a visit to the entry.
func (p *Pseudonymizer) lookup(h uint64, gen uint32, value []byte) (int, *cacheEntry) {
	mask := len(p.index) - 1
	tag := h >> 32
	for i := p.home(h, gen); ; i = (i + 1) & mask {
		k := p.index[i]
		if k == 0 {
			return i, nil
		}
		if k>>32 != tag {
			continue
		}
		e := &p.entries[uint32(k)-1]
		if e.hash == h && e.gen == gen && bytes.Equal(p.arena[e.off:int(e.off)+int(e.n)], value) {
			return i, e
		}
	}
}

// insert stores value in the arena, MACs the stored copy (so value itself
// never escapes) and records it at index position i.
func (p *Pseudonymizer) insert(i int, h uint64, s *epochSlot, value []byte) [32]byte {
	off := len(p.arena)
	p.arena = append(p.arena, value...)
	stored := p.arena[off:]
	s.mac.Reset()
	s.mac.Write(stored)
	s.mac.Sum(p.sum[:0])
	p.entries = append(p.entries, cacheEntry{hash: h, gen: s.gen, off: uint32(off), n: uint16(len(value)), mac: p.sum})
	p.index[i] = h>>32<<32 | uint64(len(p.entries))
	return p.sum
}

// macLong MACs a value too long to cache, copying it through scratch.
func (p *Pseudonymizer) macLong(s *epochSlot, value []byte) [32]byte {
	s.mac.Reset()
	for len(value) > 0 {
		n := copy(p.scratch[:], value)
		s.mac.Write(p.scratch[:n])
		value = value[n:]
	}
	s.mac.Sum(p.sum[:0])
	return p.sum
}

// clearCache forgets every cached MAC, keeping the allocated memory.
func (p *Pseudonymizer) clearCache() {
	clear(p.index)
	p.entries = p.entries[:0]
	p.arena = p.arena[:0]
}
