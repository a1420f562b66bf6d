package spool

import (
	"bytes"
	"testing"
)

func fuzzSeeds(f *testing.F) []byte {
	rec, _, err := newEncoder().encode(entries(0, 3, base))
	if err != nil {
		f.Fatal(err)
	}
	valid := append([]byte(nil), rec...)
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(append(append([]byte(nil), valid...), valid[:10]...))
	f.Add([]byte{})
	f.Add(make([]byte, 16))
	return valid
}

// FuzzRecords scans arbitrary bytes as a segment, as Open does
// (resynchronizing after damage), and decodes every record that passes
// the checks: nothing may panic, and a record that passes the CRC must
// decode to its declared entry count.
func FuzzRecords(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := scanner{r: bytes.NewReader(data), size: int64(len(data))}
		for off := int64(0); off < sc.size; {
			r, ok := sc.record(off)
			if !ok {
				off = sc.resync(off + 1)
				continue
			}
			hlen, _, _, _ := parseHeader(data[off:])
			p := data[off+int64(hlen) : off+r.size]
			meta, err := parsePayload(p)
			if err != nil {
				t.Fatalf("record passed the scan but not parsePayload: %v", err)
			}
			if es, err := decodePayload(p, meta); err == nil && len(es) != r.count {
				t.Fatalf("decoded %d entries, header says %d", len(es), r.count)
			}
			off += r.size
		}
	})
}

// FuzzDecodePayload feeds arbitrary payloads (as if their CRC matched) to
// the hand-written decoder, which must reject them without panicking or
// allocating without bound.
func FuzzDecodePayload(f *testing.F) {
	valid := fuzzSeeds(f)
	f.Add(valid[headerSize:])
	f.Fuzz(func(t *testing.T, p []byte) {
		meta, err := parsePayload(p)
		if err != nil {
			return
		}
		es, err := decodePayload(p, meta)
		if err == nil && len(es) != meta.count {
			t.Fatalf("decoded %d entries, header says %d", len(es), meta.count)
		}
	})
}
