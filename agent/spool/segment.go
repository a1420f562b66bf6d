package spool

import (
	"bufio"
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
	if g.entries == 0 || r.oldest < g.oldest {
		g.oldest = r.oldest
	}
	if g.entries == 0 || r.newest > g.newest {
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

// scanSegment indexes the segment file at path. At the first record that is
// short, fails its CRC or is malformed, the file is truncated to the end of
// the last good record and truncated reports true.
func scanSegment(path string, id uint64) (g *segment, truncated bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, false, fmt.Errorf("spool: open segment: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("spool: stat segment: %w", err)
	}
	g = &segment{id: id}
	br := bufio.NewReaderSize(f, 1<<20)
	var hdr [headerSize]byte
	var buf []byte
	var off int64
	for off < fi.Size() {
		r, next, ok := readRecord(br, hdr[:], &buf, off, fi.Size())
		if !ok {
			break
		}
		g.add(r)
		off = next
	}
	if off < fi.Size() {
		if err := f.Truncate(off); err != nil {
			return nil, false, fmt.Errorf("spool: truncate corrupt tail of %s: %w", filepath.Base(path), err)
		}
		if err := f.Sync(); err != nil {
			return nil, false, fmt.Errorf("spool: sync %s: %w", filepath.Base(path), err)
		}
		truncated = true
	}
	g.size = off
	return g, truncated, nil
}

// readRecord reads and verifies the record at off. ok is false when the
// record is short, corrupt or malformed.
func readRecord(br *bufio.Reader, hdr []byte, buf *[]byte, off, fileSize int64) (r record, next int64, ok bool) {
	if _, err := io.ReadFull(br, hdr); err != nil {
		return r, 0, false
	}
	n := int64(binary.LittleEndian.Uint32(hdr[0:4]))
	if n == 0 || n > maxPayloadSize || off+headerSize+n > fileSize {
		return r, 0, false
	}
	if int64(cap(*buf)) < n {
		*buf = make([]byte, n)
	}
	p := (*buf)[:n]
	if _, err := io.ReadFull(br, p); err != nil {
		return r, 0, false
	}
	if crc32.Checksum(p, castagnoli) != binary.LittleEndian.Uint32(hdr[4:8]) {
		return r, 0, false
	}
	meta, err := parsePayload(p)
	if err != nil {
		return r, 0, false
	}
	r = record{off: off, size: headerSize + n, count: meta.count, oldest: meta.oldest, newest: meta.newest}
	return r, off + r.size, true
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
		return nil, fmt.Errorf("spool: read record at %d of %s: %w", r.off, filepath.Base(path), err)
	}
	p := b[headerSize:]
	if int64(binary.LittleEndian.Uint32(b[0:4])) != int64(len(p)) ||
		crc32.Checksum(p, castagnoli) != binary.LittleEndian.Uint32(b[4:8]) {
		return nil, fmt.Errorf("spool: record at %d of %s: %w", r.off, filepath.Base(path), errCorrupt)
	}
	return p, nil
}
