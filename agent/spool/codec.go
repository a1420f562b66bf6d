package spool

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"time"

	"github.com/pierrec/lz4/v4"

	"github.com/tarn-project/tarn/sinks"
)

// Record layout on disk (all integers little-endian):
//
//	"\xeetrn" magic | u32 payload length | u32 CRC32C(payload) | payload
//
// payload:
//
//	u8 version (1) | uvarint entry count | varint oldest UnixNano |
//	varint newest UnixNano | uvarint raw length | lz4 block
//
// The lz4 block decompresses to the msgpack encoding of the entries, one
// after the other, each as [time, labels, line, metadata] or, when the
// entry has a tenant, [time, labels, line, metadata, tenant], with labels
// and metadata flattened to name, value, name, value, ...
//
// The magic lets Open find the next record after a damaged one. Records
// written before it existed start with the payload length (at most
// maxPayloadSize, so never the magic read as a number) and are still read.
//
// What one record may claim is bounded, and the encoder holds every record
// it writes to the same bounds the decoder checks (a record it could not
// read back is never written): at most maxRecordEntries entries and
// maxRawSize decompressed bytes, at least minEntrySize bytes an entry, and
// no more than lz4's maximum expansion of the block.
const (
	headerSize       = 12
	legacyHeaderSize = 8
	recordVersion    = 1
	// paddingVersion marks a record without entries that Open writes over
	// a damaged run of bytes, so the damage is reported once, not at every
	// start.
	paddingVersion   = 0
	maxPayloadSize   = 1 << 30
	maxRawSize       = 1 << 28
	maxRecordEntries = 1 << 16
	// recordRawTarget is the decompressed size after which the encoder
	// starts a new record, so decoding one record needs bounded memory.
	recordRawTarget = 16 << 20
	// minEntrySize is the smallest entry the encoder writes: a fixarray,
	// a full int64 time, an empty labels array, a nil line, empty metadata.
	minEntrySize = 1 + 9 + 1 + 1 + 1
	// lz4MaxRatio bounds how many bytes one compressed byte can become.
	lz4MaxRatio = 255
)

// magic starts every record header; as a little-endian u32 it is above
// maxPayloadSize, so a legacy header never reads as it.
var magic = [4]byte{0xee, 't', 'r', 'n'}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt marks a record that fails its length, CRC or format checks.
var errCorrupt = errors.New("spool: corrupt record")

// recordMeta is what the index keeps of a record without decoding it.
type recordMeta struct {
	count        int
	oldest       int64
	newest       int64
	rawLen       int
	blockOffset  int // offset of the lz4 block inside the payload
	payloadBytes int
	size         int // header plus payload
}

// encoder turns batches of entries into records. It reuses its buffers and
// is not safe for concurrent use (the Spool guards it with its mutex).
type encoder struct {
	raw   []byte
	comp  lz4.Compressor
	out   []byte
	metas []recordMeta
	// The entries of a chunk share their labels: the last labels and
	// their encoding are kept and copied when the next entry's are equal.
	lastLabels []sinks.Label
	lastEnc    []byte
}

func newEncoder() *encoder { return &encoder{} }

// encode returns the records (headers and payloads, one after the other)
// holding entries, as many as the bounds of one record require, and
// their metadata. The returned slices are only valid until the next call.
func (e *encoder) encode(entries []sinks.Entry) ([]byte, []recordMeta, error) {
	e.out, e.metas = e.out[:0], e.metas[:0]
	for len(entries) > 0 {
		n, err := e.fill(entries)
		if err != nil {
			return nil, nil, err
		}
		if err := e.seal(entries[:n]); err != nil {
			return nil, nil, err
		}
		entries = entries[n:]
	}
	return e.out, e.metas, nil
}

// fill encodes into e.raw the longest prefix of entries that one record
// may hold and returns its length.
func (e *encoder) fill(entries []sinks.Entry) (int, error) {
	e.raw = e.raw[:0]
	n := 0
	for n < len(entries) && n < maxRecordEntries && len(e.raw) < recordRawTarget {
		mark := len(e.raw)
		e.encodeEntry(&entries[n], entries[n].Time.UnixNano())
		if len(e.raw) > maxRawSize {
			if n == 0 {
				return 0, fmt.Errorf("spool: entry of %d bytes: %w", len(e.raw), ErrTooLarge)
			}
			e.raw = e.raw[:mark]
			break
		}
		n++
	}
	return n, nil
}

// seal compresses e.raw, the encoding of entries, into one record
// appended to e.out, and checks it against the decoder's bounds.
func (e *encoder) seal(entries []sinks.Entry) error {
	meta := recordMeta{count: len(entries), rawLen: len(e.raw)}
	for i := range entries {
		ns := entries[i].Time.UnixNano()
		if i == 0 || ns < meta.oldest {
			meta.oldest = ns
		}
		if i == 0 || ns > meta.newest {
			meta.newest = ns
		}
	}
	var prefix [1 + 4*binary.MaxVarintLen64]byte
	prefix[0] = recordVersion
	n := 1
	n += binary.PutUvarint(prefix[n:], uint64(meta.count))
	n += binary.PutVarint(prefix[n:], meta.oldest)
	n += binary.PutVarint(prefix[n:], meta.newest)
	n += binary.PutUvarint(prefix[n:], uint64(meta.rawLen))
	meta.blockOffset = n

	start := len(e.out)
	e.out = slices.Grow(e.out, headerSize+n+lz4.CompressBlockBound(len(e.raw)))
	out := e.out[start : start+headerSize+n+lz4.CompressBlockBound(len(e.raw))]
	copy(out[headerSize:], prefix[:n])
	cn, err := e.comp.CompressBlock(e.raw, out[headerSize+n:])
	if err != nil {
		return fmt.Errorf("spool: compress: %w", err)
	}
	if cn == 0 { // incompressible: lz4 leaves it to the caller
		return fmt.Errorf("spool: compress: incompressible block of %d bytes", len(e.raw))
	}
	payload := out[headerSize : headerSize+n+cn]
	if len(payload) > maxPayloadSize {
		return fmt.Errorf("spool: record of %d bytes: %w", len(payload), ErrTooLarge)
	}
	if _, err := parsePayload(payload); err != nil {
		return fmt.Errorf("spool: encoder produced a record outside the format's bounds (%d entries, %d bytes): %w", meta.count, meta.rawLen, err)
	}
	meta.payloadBytes = len(payload)
	meta.size = headerSize + len(payload)
	copy(out[0:4], magic[:])
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(payload)))
	binary.LittleEndian.PutUint32(out[8:12], crc32.Checksum(payload, castagnoli))
	e.out = e.out[:start+meta.size]
	e.metas = append(e.metas, meta)
	return nil
}

// encodeEntry appends the msgpack array of one entry to e.raw.
func (e *encoder) encodeEntry(en *sinks.Entry, ns int64) {
	fields := 4
	if en.Tenant != "" {
		fields = 5
	}
	e.raw = appendArrayLen(e.raw, fields)
	e.raw = appendInt64(e.raw, ns)
	e.encodeStreamLabels(en.Labels)
	e.raw = appendBin(e.raw, en.Line)
	e.raw = appendLabels(e.raw, en.Metadata)
	if fields == 5 {
		e.raw = appendString(e.raw, en.Tenant)
	}
}

// encodeStreamLabels appends an entry's labels, copying the encoding of
// the previous entry's when they are equal.
func (e *encoder) encodeStreamLabels(ls []sinks.Label) {
	if len(ls) > 0 && slices.Equal(ls, e.lastLabels) {
		e.raw = append(e.raw, e.lastEnc...)
		return
	}
	start := len(e.raw)
	e.raw = appendLabels(e.raw, ls)
	e.lastLabels = ls
	e.lastEnc = append(e.lastEnc[:0], e.raw[start:]...)
}

// appendLabels appends labels as one array of name, value, name, ...
func appendLabels(b []byte, ls []sinks.Label) []byte {
	b = appendArrayLen(b, 2*len(ls))
	for _, l := range ls {
		b = appendString(appendString(b, l.Name), l.Value)
	}
	return b
}

// parsePayload checks the payload prefix (the CRC has already been
// verified) and returns its metadata.
func parsePayload(p []byte) (recordMeta, error) {
	meta := recordMeta{payloadBytes: len(p)}
	if len(p) >= 1 && p[0] == paddingVersion {
		return meta, nil // holds no entries
	}
	if len(p) < 2 || p[0] != recordVersion {
		return meta, errCorrupt
	}
	n := 1
	count, k := binary.Uvarint(p[n:])
	if k <= 0 || count == 0 || count > maxRecordEntries {
		return meta, errCorrupt
	}
	n += k
	oldest, k := binary.Varint(p[n:])
	if k <= 0 {
		return meta, errCorrupt
	}
	n += k
	newest, k := binary.Varint(p[n:])
	if k <= 0 {
		return meta, errCorrupt
	}
	n += k
	rawLen, k := binary.Uvarint(p[n:])
	if k <= 0 || rawLen > maxRawSize || rawLen < count*minEntrySize {
		return meta, errCorrupt
	}
	n += k
	if rawLen > lz4MaxRatio*uint64(len(p)-n)+64 { // beyond lz4's maximum expansion
		return meta, errCorrupt
	}
	meta.count, meta.oldest, meta.newest = int(count), oldest, newest
	meta.rawLen, meta.blockOffset = int(rawLen), n
	return meta, nil
}

// decodePayload decompresses and decodes all entries of a verified payload.
// Lines share one buffer per record and repeated label strings are
// interned, so a record of n entries costs a handful of allocations per
// entry instead of one per field.
func decodePayload(p []byte, meta recordMeta) ([]sinks.Entry, error) {
	if meta.count == 0 { // padding
		return nil, nil
	}
	raw := make([]byte, meta.rawLen)
	n, err := lz4.UncompressBlock(p[meta.blockOffset:], raw)
	if err != nil || n != meta.rawLen {
		return nil, fmt.Errorf("spool: decompress: %w", errCorrupt)
	}
	d := mpReader{b: raw, intern: map[string]string{}}
	out := make([]sinks.Entry, meta.count)
	for i := range out {
		if err := d.entry(&out[i]); err != nil {
			return nil, fmt.Errorf("spool: decode entry %d: %w", i, err)
		}
	}
	if d.off != len(raw) {
		return nil, fmt.Errorf("spool: %d trailing bytes: %w", len(raw)-d.off, errCorrupt)
	}
	return out, nil
}

// mpReader decodes the subset of msgpack the encoder writes (arrays,
// integers, strings, binary, nil) straight from a byte slice.
type mpReader struct {
	b      []byte
	off    int
	intern map[string]string
	lbuf   []sinks.Label // shared backing array of the labels of a record
	last   [2]lastLabels // the previous entry's labels and metadata
}

// lastLabels is a decoded labels array and its encoding: an entry whose
// array has the same bytes gets the same slice without decoding it.
type lastLabels struct {
	enc []byte
	ls  []sinks.Label
}

func (d *mpReader) entry(en *sinks.Entry) error {
	n, err := d.arrayLen()
	if err != nil {
		return err
	}
	if n != 4 && n != 5 {
		return errCorrupt
	}
	ns, err := d.int64()
	if err != nil {
		return err
	}
	en.Time = time.Unix(0, ns).UTC()
	if en.Labels, err = d.repeatedLabels(&d.last[0]); err != nil {
		return err
	}
	if en.Line, err = d.bytes(); err != nil {
		return err
	}
	if en.Metadata, err = d.repeatedLabels(&d.last[1]); err != nil || n == 4 {
		return err
	}
	en.Tenant, err = d.str()
	return err
}

// repeatedLabels is labels, reusing last when the array's bytes are the
// ones decoded last time (msgpack is self-delimiting: equal bytes are an
// equal array).
func (d *mpReader) repeatedLabels(last *lastLabels) ([]sinks.Label, error) {
	if n := len(last.enc); n > 0 && n <= len(d.b)-d.off && bytes.Equal(d.b[d.off:d.off+n], last.enc) {
		d.off += n
		return last.ls, nil
	}
	start := d.off
	ls, err := d.labels()
	if err == nil {
		last.enc, last.ls = d.b[start:d.off], ls
	}
	return ls, err
}

func (d *mpReader) labels() ([]sinks.Label, error) {
	n, err := d.arrayLen()
	if err != nil || n == 0 {
		return nil, err
	}
	if n%2 != 0 || n > len(d.b)-d.off {
		return nil, errCorrupt
	}
	if len(d.lbuf)+n/2 > cap(d.lbuf) {
		d.lbuf = make([]sinks.Label, 0, max(n/2, 1024))
	}
	start := len(d.lbuf)
	d.lbuf = d.lbuf[:start+n/2]
	ls := d.lbuf[start : start+n/2 : start+n/2]
	for i := range ls {
		if ls[i].Name, err = d.str(); err != nil {
			return nil, err
		}
		if ls[i].Value, err = d.str(); err != nil {
			return nil, err
		}
	}
	return ls, nil
}

// next returns the next n bytes.
func (d *mpReader) next(n int) ([]byte, error) {
	if n < 0 || n > len(d.b)-d.off {
		return nil, errCorrupt
	}
	v := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return v, nil
}

func (d *mpReader) code() (byte, error) {
	v, err := d.next(1)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// uint reads a big-endian unsigned integer of size bytes.
func (d *mpReader) uint(size int) (uint64, error) {
	v, err := d.next(size)
	if err != nil {
		return 0, err
	}
	var u uint64
	for _, c := range v {
		u = u<<8 | uint64(c)
	}
	return u, nil
}

func (d *mpReader) arrayLen() (int, error) {
	c, err := d.code()
	if err != nil {
		return 0, err
	}
	var u uint64
	switch {
	case c >= 0x90 && c <= 0x9f:
		return int(c & 0x0f), nil
	case c == 0xc0:
		return 0, nil
	case c == 0xdc:
		u, err = d.uint(2)
	case c == 0xdd:
		u, err = d.uint(4)
	default:
		return 0, errCorrupt
	}
	return int(u), err
}

func (d *mpReader) int64() (int64, error) {
	c, err := d.code()
	if err != nil {
		return 0, err
	}
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c >= 0xcc && c <= 0xcf:
		u, err := d.uint(1 << (c - 0xcc))
		return int64(u), err
	case c >= 0xd0 && c <= 0xd3:
		size := 1 << (c - 0xd0)
		u, err := d.uint(size)
		shift := 64 - 8*size
		return int64(u<<shift) >> shift, err
	}
	return 0, errCorrupt
}

// lenFor reads the length that follows code c of a str or bin value.
func (d *mpReader) lenFor(c byte) (int, error) {
	var u uint64
	var err error
	switch c {
	case 0xc4, 0xd9:
		u, err = d.uint(1)
	case 0xc5, 0xda:
		u, err = d.uint(2)
	case 0xc6, 0xdb:
		u, err = d.uint(4)
	default:
		return 0, errCorrupt
	}
	return int(u), err
}

func (d *mpReader) bytes() ([]byte, error) {
	c, err := d.code()
	if err != nil {
		return nil, err
	}
	if c == 0xc0 {
		return []byte{}, nil
	}
	if c != 0xc4 && c != 0xc5 && c != 0xc6 {
		return nil, errCorrupt
	}
	n, err := d.lenFor(c)
	if err != nil {
		return nil, err
	}
	return d.next(n)
}

func (d *mpReader) str() (string, error) {
	c, err := d.code()
	if err != nil {
		return "", err
	}
	var n int
	switch {
	case c >= 0xa0 && c <= 0xbf:
		n = int(c & 0x1f)
	case c == 0xd9 || c == 0xda || c == 0xdb:
		if n, err = d.lenFor(c); err != nil {
			return "", err
		}
	default:
		return "", errCorrupt
	}
	v, err := d.next(n)
	if err != nil {
		return "", err
	}
	if s, ok := d.intern[string(v)]; ok {
		return s, nil
	}
	s := string(v)
	d.intern[s] = s
	return s, nil
}
