package spool

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tarn-project/tarn/agent/queue/queuetest"
	"github.com/tarn-project/tarn/sinks"
	"github.com/tarn-project/tarn/sinks/sinktest"
)

// healthChecks returns n identical entries, as a burst of one probe's
// requests writes them: they compress far below one byte per entry.
func healthChecks(n int) []sinks.Entry {
	out := make([]sinks.Entry, n)
	line := []byte(`10.0.0.0 - - [01/Mar/2026:12:00:00 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"`)
	for i := range out {
		out[i] = sinks.Entry{Time: base, Labels: []sinks.Label{{Name: "job", Value: "web"}}, Line: line}
	}
	return out
}

// readAll reads every pending entry of sink (copying them) and acks.
func readAll(t *testing.T, s *Spool, sink string) []sinks.Entry {
	t.Helper()
	var out []sinks.Entry
	for {
		b, err := s.Read(sink, 1000, 0)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if len(b.Entries) == 0 {
			return out
		}
		for _, e := range b.Entries {
			e.Line = bytes.Clone(e.Line)
			out = append(out, e)
		}
		if err := s.Ack(b); err != nil {
			t.Fatalf("ack: %v", err)
		}
	}
}

// sameAll fails unless got equals want entry by entry, byte for byte.
func sameAll(t *testing.T, got, want []sinks.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d entries, appended %d", len(got), len(want))
	}
	for i := range want {
		if !queuetest.SameEntry(got[i], want[i]) {
			t.Fatalf("entry %d differs: got %+v want %+v", i, got[i], want[i])
		}
	}
}

// reopen closes s and opens its directory again, as a restart does.
func reopen(t *testing.T, s *Spool, o Options) *Spool {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return mustOpen(t, o, "a")
}

// TestSpoolBounds: records past the bounds of one record, damage found by
// Open and by Read, legacy records and a full disk.
func TestSpoolBounds(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []sinks.Entry
	}{
		{"IdenticalHealthChecks", healthChecks(3000)},
		{"ManyEmptyLines", emptyLines(500_000)},
		{"MoreThanOneRecordHolds", healthChecks(maxRecordEntries*2 + 7)},
		{"LargeLines", largeLines(40, 1<<20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Dir: t.TempDir(), MaxBytes: 1 << 31, SegmentBytes: 1 << 31, MaxAge: week}
			s := mustOpen(t, o, "a")
			mustAppend(t, s, tc.entries)
			sameAll(t, readAll(t, s, "a"), tc.entries)
			s.Close()
			o.Dir = t.TempDir()
			s = mustOpen(t, o, "a")
			mustAppend(t, s, tc.entries)
			s = reopen(t, s, o) // the records must also pass Open's scan
			defer s.Close()
			if st := s.Stats(); st.CorruptRecords != 0 || st.Entries != int64(len(tc.entries)) {
				t.Fatalf("after reopen: %+v", st)
			}
			sameAll(t, readAll(t, s, "a"), tc.entries)
		})
	}

	t.Run("PropertyAppendedIsRead", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for round := range 20 {
			o := Options{Dir: t.TempDir(), MaxAge: week}
			s := mustOpen(t, o, "a")
			var want []sinks.Entry
			for range 1 + rng.IntN(6) {
				batch := randomBatch(rng)
				mustAppend(t, s, batch)
				want = append(want, batch...)
			}
			if round%2 == 1 {
				s = reopen(t, s, o)
			}
			sameAll(t, readAll(t, s, "a"), want)
			s.Close()
		}
	})

	t.Run("FlippedBytesCostOneRecord", func(t *testing.T) {
		dir := t.TempDir()
		core, logs := observer.New(zap.ErrorLevel)
		o := Options{Dir: dir, Logger: zap.New(core), MaxAge: week}
		s := mustOpen(t, o, "a")
		for i := range 20 {
			mustAppend(t, s, entries(i*1000, 1000, base))
		}
		s.Close()
		path := lastDataSegment(t, dir)
		b, _ := os.ReadFile(path)
		mid := len(b) / 2
		for i := range 16 {
			b[mid+i] ^= 0x5a
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s = mustOpen(t, o, "a")
		if st := s.Stats(); st.CorruptRecords != 1 {
			t.Fatalf("stats after the first open %+v", st)
		}
		s = reopen(t, s, o) // the damage was padded over: not reported again
		defer func() { s.Close() }()
		if st := s.Stats(); st.CorruptRecords != 0 || st.Entries < 18_000 {
			t.Fatalf("after a second open (damage reported again?): %+v", st)
		}
		got := readAll(t, s, "a")
		if len(got) != 19_000 && len(got) != 18_000 { // the damage may touch two records
			t.Fatalf("read %d of 20000 entries after 16 flipped bytes; want all records but the damaged", len(got))
		}
		if n := logs.FilterMessage("spool: damaged record skipped").Len(); n != 1 {
			t.Fatalf("%d log lines about the damage, want 1", n)
		}
		line := logs.All()[0].ContextMap()
		if line["segment"] == nil || line["offset"] == nil {
			t.Fatalf("log line lacks segment/offset: %v", line)
		}
		mustAppend(t, s, entries(99_000, 1, base))
		if got := readAll(t, s, "a"); len(got) != 1 {
			t.Fatalf("append after recovery: %d", len(got))
		}
	})

	t.Run("DamageFoundByRead", func(t *testing.T) {
		dir := t.TempDir()
		s := mustOpen(t, Options{Dir: dir, MaxAge: week}, "a")
		defer s.Close()
		for i := range 5 {
			mustAppend(t, s, entries(i*10, 10, base))
		}
		g := s.active()
		r := g.recs[2]
		f, err := os.OpenFile(filepath.Join(dir, segName(g.id)), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt([]byte("XXXX"), r.off+r.size-6)
		f.Close()
		got := readAll(t, s, "a")
		var nums []int
		for _, e := range got {
			nums = append(nums, queuetest.Number(t, e))
		}
		if want := append(seq(0, 20), seq(30, 20)...); !slices.Equal(nums, want) {
			t.Fatalf("got %v", nums)
		}
		if st := s.Stats(); st.CorruptRecords != 1 || st.Entries != 40 {
			t.Fatalf("stats %+v", st)
		}
	})

	t.Run("LegacyRecordsStillRead", func(t *testing.T) {
		dir := t.TempDir()
		s := mustOpen(t, Options{Dir: dir, MaxAge: week}, "a")
		mustAppend(t, s, entries(0, 10, base))
		mustAppend(t, s, entries(10, 10, base))
		s.Close()
		path := lastDataSegment(t, dir)
		b, _ := os.ReadFile(path)
		var legacy []byte // the same records with the header of before the magic
		for off := 0; off < len(b); {
			_, plen, _, _ := parseHeader(b[off:])
			legacy = append(legacy, b[off+4:off+headerSize+int(plen)]...)
			off += headerSize + int(plen)
		}
		os.WriteFile(path, legacy, 0o600)
		s = mustOpen(t, Options{Dir: dir, MaxAge: week}, "a")
		defer s.Close()
		if got := drain(t, s, "a", 7); !slices.Equal(got, seq(0, 20)) {
			t.Fatalf("legacy records: got %v", got)
		}
	})

	t.Run("DiskFullIsBackpressure", func(t *testing.T) {
		dir := sinktest.Tmpfs(t, "256k")
		s := mustOpen(t, Options{Dir: dir, MaxAge: week}, "a")
		defer s.Close()
		var n int
		var err error
		for ; n < 10_000; n++ {
			if err = s.Append(randomLines(n, 50)); err != nil {
				break
			}
		}
		if !errors.Is(err, ErrDiskFull) || !errors.Is(err, ErrFull) {
			t.Fatalf("append on a full disk: %v, want ErrDiskFull", err)
		}
		if fi, _ := os.Stat(filepath.Join(dir, segName(s.active().id))); fi.Size() != s.active().size {
			t.Fatalf("segment holds %d bytes after the failed append, index %d", fi.Size(), s.active().size)
		}
		if !s.Full() {
			t.Fatal("Full is false after a refused append")
		}
		got := readAll(t, s, "a") // acks free the space
		if len(got) != n*50 {
			t.Fatalf("read %d entries, %d appended", len(got), n*50)
		}
		if err := s.Append(randomLines(n, 50)); err != nil {
			t.Fatalf("append after space returned: %v", err)
		}
		if s.Full() {
			t.Fatal("Full after a successful append")
		}
	})
}

// largeLines returns n entries with incompressible-ish lines of size bytes.
func largeLines(n, size int) []sinks.Entry {
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]sinks.Entry, n)
	for i := range out {
		line := make([]byte, size)
		for j := range line {
			line[j] = byte('a' + rng.IntN(26))
		}
		out[i] = sinks.Entry{Time: base, Line: line}
	}
	return out
}

// emptyLines returns n entries with empty lines and nothing else.
func emptyLines(n int) []sinks.Entry {
	out := make([]sinks.Entry, n)
	for i := range out {
		out[i].Time = base
	}
	return out
}

// randomLines returns n entries with random lines, numbered from first.
func randomLines(first, n int) []sinks.Entry {
	out := entries(first, n, base)
	for i := range out {
		out[i].Line = fmt.Appendf(out[i].Line, " %x", rand.Uint64())
	}
	return out
}

// randomBatch mixes the shapes batches take: repeated and empty lines,
// nil lines, long and short lines, shared and changing labels, metadata,
// tenants, sizes around the bounds of one record.
func randomBatch(rng *rand.Rand) []sinks.Entry {
	n := []int{1, 2, 15, 16, 17, 1000, maxRecordEntries - 1, maxRecordEntries, maxRecordEntries + 1}[rng.IntN(9)]
	out := make([]sinks.Entry, n)
	shared := []sinks.Label{{Name: "job", Value: "web"}}
	for i := range out {
		e := sinks.Entry{Time: base.Add(time.Duration(rng.Int64N(1e12) - 5e11))}
		switch rng.IntN(5) {
		case 0:
			e.Line = []byte("same line")
		case 1:
			e.Line = []byte{}
		case 2:
			e.Line = nil
		case 3:
			e.Line = []byte(strings.Repeat("x", rng.IntN(70_000*1000/max(n, 1000))))
		default:
			e.Line = fmt.Appendf(nil, "line %d %x", i, rng.Uint64())
		}
		if rng.IntN(2) == 0 {
			e.Labels = shared
		} else if rng.IntN(2) == 0 {
			e.Labels = []sinks.Label{{Name: "n", Value: fmt.Sprint(rng.IntN(3))}}
		}
		if rng.IntN(4) == 0 {
			e.Metadata = []sinks.Label{{Name: "client", Value: fmt.Sprintf("%x", rng.Uint32())}}
		}
		if rng.IntN(6) == 0 {
			e.Tenant = "t" + fmt.Sprint(rng.IntN(3))
		}
		out[i] = e
	}
	return out
}
