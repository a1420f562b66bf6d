package spool

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const segSuffix = ".seg"

// record is the in-memory index entry of one record of a segment.
type record struct {
	off    int64 // offset of the record header in the segment file
	size   int64 // header plus payload
	count  int
	oldest int64
	newest int64
}

// segment is the in-memory index of one segment file.
type segment struct {
	id      uint64
	size    int64
	recs    []record
	entries int
	oldest  int64
	newest  int64
}

func segName(id uint64) string { return fmt.Sprintf("%020d%s", id, segSuffix) }

// add indexes a record appended at the end of the segment.
func (g *segment) add(r record) {
	if r.count > 0 && (g.entries == 0 || r.oldest < g.oldest) {
		g.oldest = r.oldest
	}
	if r.count > 0 && (g.entries == 0 || r.newest > g.newest) {
		g.newest = r.newest
	}
	g.recs = append(g.recs, r)
	g.entries += r.count
	g.size = r.off + r.size
}

// find returns the index of the first record at or after off.
func (g *segment) find(off int64) int {
	return sort.Search(len(g.recs), func(i int) bool { return g.recs[i].off >= off })
}

// listSegments returns the ids of the segment files in dir, ascending.
func listSegments(dir string) ([]uint64, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: list %s: %w", dir, err)
	}
	var ids []uint64
	for _, de := range des {
		name := de.Name()
		if !strings.HasSuffix(name, segSuffix) || de.IsDir() {
			continue
		}
		id, err := strconv.ParseUint(strings.TrimSuffix(name, segSuffix), 10, 64)
		if err != nil {
			continue
		}
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// damage is a run of bytes of a segment that held no valid record; Open
// skips it (or truncates it away at the end of the file) and reports it.
type damage struct {
	seg      uint64
	off, len int64
	tail     bool // at the end of the file: truncated away
}

// scanSegment indexes the segment file at path. A record that is short,
// fails its CRC or is malformed is skipped: the scan resynchronizes at the
// next record header whose record is valid, so damage costs the damaged
// records only. Damage with no valid record after it (a torn or corrupt
// tail) is truncated away. Every damaged run is returned.
func scanSegment(path string, id uint64) (g *segment, damaged []damage, err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("spool: open segment: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("spool: stat segment: %w", err)
	}
	g = &segment{id: id}
	sc := scanner{r: f, size: fi.Size()}
	var off int64
	for off < sc.size {
		r, ok := sc.record(off)
		if ok {
			g.add(r)
			off += r.size
			continue
		}
		next := sc.resync(off + 1)
		d := damage{seg: id, off: off, len: next - off, tail: next == sc.size}
		damaged = append(damaged, d)
		if !d.tail && d.len > headerSize {
			if err := pad(f, d); err != nil {
				return nil, nil, fmt.Errorf("spool: pad damaged record of %s: %w", filepath.Base(path), err)
			}
			g.add(record{off: d.off, size: d.len})
		}
		off = next
	}
	if n := len(damaged); n > 0 && damaged[n-1].tail {
		end := damaged[n-1].off
		if err := f.Truncate(end); err != nil {
			return nil, nil, fmt.Errorf("spool: truncate corrupt tail of %s: %w", filepath.Base(path), err)
		}
		if err := f.Sync(); err != nil {
			return nil, nil, fmt.Errorf("spool: sync %s: %w", filepath.Base(path), err)
		}
	}
	g.size = sc.size
	if n := len(damaged); n > 0 && damaged[n-1].tail {
		g.size = damaged[n-1].off
	}
	return g, damaged, nil
}

// pad overwrites the damaged run d (not at the end of the file) with one
// padding record of the same size, so the next Open reads past it
// without reporting the damage again.
func pad(f *os.File, d damage) error {
	rec := make([]byte, d.len)
	p := rec[headerSize:] // all zero: paddingVersion, then filler
	copy(rec[0:4], magic[:])
	binary.LittleEndian.PutUint32(rec[4:8], uint32(len(p)))
	binary.LittleEndian.PutUint32(rec[8:12], crc32.Checksum(p, castagnoli))
	if _, err := f.WriteAt(rec, d.off); err != nil {
		return err
	}
	return f.Sync()
}

// scanner reads and verifies records of one segment file.
type scanner struct {
	r    io.ReaderAt
	size int64
	buf  []byte
}

// record reads and verifies the record at off; ok is false when it is
// short, corrupt or malformed.
func (sc *scanner) record(off int64) (r record, ok bool) {
	var hdr [headerSize]byte
	n, _ := sc.r.ReadAt(hdr[:], off)
	hlen, plen, crc, ok := parseHeader(hdr[:n])
	if !ok || off+int64(hlen)+plen > sc.size {
		return r, false
	}
	if int64(cap(sc.buf)) < plen {
		sc.buf = make([]byte, plen)
	}
	p := sc.buf[:plen]
	if _, err := sc.r.ReadAt(p, off+int64(hlen)); err != nil {
		return r, false
	}
	if crc32.Checksum(p, castagnoli) != crc {
		return r, false
	}
	meta, err := parsePayload(p)
	if err != nil {
		return r, false
	}
	return record{off: off, size: int64(hlen) + plen, count: meta.count, oldest: meta.oldest, newest: meta.newest}, true
}

// resync returns the offset of the first valid record at or after from,
// or the file size when there is none.
func (sc *scanner) resync(from int64) int64 {
	const window = 1 << 20
	win := make([]byte, window+len(magic)-1)
	for pos := from; pos < sc.size; pos += window {
		n, _ := sc.r.ReadAt(win, pos)
		b := win[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], magic[:])
			if j < 0 {
				break
			}
			if _, ok := sc.record(pos + int64(i+j)); ok {
				return pos + int64(i+j)
			}
			i += j + 1
		}
	}
	return sc.size
}

// parseHeader reads a record header from the start of b (a new header
// with the magic, or a legacy one without): the header's length, the
// payload's length and its CRC.
func parseHeader(b []byte) (hlen int, plen int64, crc uint32, ok bool) {
	if len(b) >= headerSize && [4]byte(b[0:4]) == magic {
		hlen, b = headerSize, b[4:]
	} else {
		hlen = legacyHeaderSize
	}
	if len(b) < legacyHeaderSize {
		return 0, 0, 0, false
	}
	plen = int64(binary.LittleEndian.Uint32(b[0:4]))
	if plen == 0 || plen > maxPayloadSize {
		return 0, 0, 0, false
	}
	return hlen, plen, binary.LittleEndian.Uint32(b[4:8]), true
}

// readPayload reads the record r of the segment file at path and verifies
// its CRC.
func readPayload(path string, r record) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("spool: open segment: %w", err)
	}
	defer f.Close()
	b := make([]byte, r.size)
	if _, err := f.ReadAt(b, r.off); err != nil {
		return nil, fmt.Errorf("spool: read record at %d of %s: %w (%w)", r.off, filepath.Base(path), errCorrupt, err)
	}
	hlen, plen, crc, ok := parseHeader(b)
	if !ok || int64(hlen)+plen != r.size {
		return nil, fmt.Errorf("spool: record at %d of %s: %w", r.off, filepath.Base(path), errCorrupt)
	}
	p := b[hlen:]
	if crc32.Checksum(p, castagnoli) != crc {
		return nil, fmt.Errorf("spool: record at %d of %s: %w", r.off, filepath.Base(path), errCorrupt)
	}
	return p, nil
}
