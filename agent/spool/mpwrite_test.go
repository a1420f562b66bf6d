package spool

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/tarn-project/tarn/sinks"
)

// libraryEncoding encodes entries with github.com/vmihailenco/msgpack/v5
// the way the spool did before it wrote msgpack by hand.
func libraryEncoding(t *testing.T, entries []sinks.Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	labels := func(ls []sinks.Label) {
		enc.EncodeArrayLen(2 * len(ls))
		for _, l := range ls {
			enc.EncodeString(l.Name)
			enc.EncodeString(l.Value)
		}
	}
	for _, en := range entries {
		fields := 4
		if en.Tenant != "" {
			fields = 5
		}
		enc.EncodeArrayLen(fields)
		enc.EncodeInt64(en.Time.UnixNano())
		labels(en.Labels)
		enc.EncodeBytes(en.Line)
		labels(en.Metadata)
		if fields == 5 {
			enc.EncodeString(en.Tenant)
		}
	}
	return buf.Bytes()
}

// TestEncoderMatchesMsgpack checks that the hand-written encoding is the
// library's byte for byte, across every length class of strings, binary
// data and arrays, so records written before and after decode alike.
func TestEncoderMatchesMsgpack(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536, 70000}
	var entries []sinks.Entry
	for i := range 60 {
		n := sizes[rng.IntN(len(sizes))]
		var ls []sinks.Label
		for range []int{0, 1, 7, 8, 9, 40}[rng.IntN(6)] {
			ls = append(ls, sinks.Label{Name: strings.Repeat("k", sizes[rng.IntN(5)]), Value: strings.Repeat("v", sizes[rng.IntN(len(sizes))])})
		}
		en := sinks.Entry{Time: time.Unix(int64(i)-30, int64(rng.Uint32())), Labels: ls, Line: bytes.Repeat([]byte{'x'}, n), Metadata: ls}
		if i%7 == 0 {
			en.Line = nil
		}
		if i%3 == 0 {
			en.Tenant = strings.Repeat("t", sizes[rng.IntN(len(sizes))])
		}
		entries = append(entries, en)
	}
	e := newEncoder()
	for rest := entries; len(rest) > 0; { // record by record, as encode cuts them
		n, err := e.fill(rest)
		if err != nil {
			t.Fatal(err)
		}
		if want := libraryEncoding(t, rest[:n]); !bytes.Equal(e.raw, want) {
			for i := range min(len(e.raw), len(want)) {
				if e.raw[i] != want[i] {
					t.Fatalf("encodings differ at byte %d of %d/%d: %#x, library %#x", i, len(e.raw), len(want), e.raw[i], want[i])
				}
			}
			t.Fatalf("encodings differ in length: %d, library %d", len(e.raw), len(want))
		}
		rest = rest[n:]
	}
}
