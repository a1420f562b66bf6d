package spool

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks"
)

// opener constructs a spool implementation; the behaviour suite runs
// against every one (DESIGN.md, convention 7).
type opener func(o Options, sinkNames []string) (*Spool, error)

var base = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// entries returns n numbered entries starting at number first.
func entries(first, n int, t time.Time) []sinks.Entry {
	out := make([]sinks.Entry, n)
	for i := range out {
		k := first + i
		out[i] = sinks.Entry{
			Time:     t.Add(time.Duration(k) * time.Nanosecond),
			Labels:   []sinks.Label{{Name: "job", Value: "nginx"}, {Name: "host", Value: "web-1"}},
			Line:     fmt.Appendf(nil, "n=%d 192.0.2.0 - - \"GET /index.html HTTP/1.1\" 200 %d", k, k*7),
			Metadata: []sinks.Label{{Name: "client", Value: fmt.Sprintf("p%08x", k)}},
		}
		if k%3 == 0 {
			out[i].Tenant = fmt.Sprintf("customer-%d", k%2)
		}
	}
	return out
}

func number(t testing.TB, e sinks.Entry) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(string(e.Line), "n=%d ", &n); err != nil {
		t.Fatalf("entry without number: %v", err)
	}
	return n
}

func sameEntry(a, b sinks.Entry) bool {
	return a.Time.UnixNano() == b.Time.UnixNano() && bytes.Equal(a.Line, b.Line) &&
		slices.Equal(a.Labels, b.Labels) && slices.Equal(a.Metadata, b.Metadata) && a.Tenant == b.Tenant
}

func mustOpen(t *testing.T, open opener, o Options, names ...string) *Spool {
	t.Helper()
	s, err := open(o, names)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func mustAppend(t *testing.T, s *Spool, es []sinks.Entry) {
	t.Helper()
	if err := s.Append(es); err != nil {
		t.Fatalf("append: %v", err)
	}
}

// drain reads and acknowledges everything pending for sink in batches of
// max and returns the numbers read.
func drain(t *testing.T, s *Spool, sink string, max int) []int {
	t.Helper()
	var got []int
	for {
		b, err := s.Read(sink, max, 0)
		if err != nil {
			t.Fatalf("read %s: %v", sink, err)
		}
		if len(b.Entries) == 0 {
			return got
		}
		for _, e := range b.Entries {
			got = append(got, number(t, e))
		}
		if err := s.Ack(b); err != nil {
			t.Fatalf("ack %s: %v", sink, err)
		}
	}
}

func seq(first, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = first + i
	}
	return out
}

func segFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m)
	return m
}

// lastDataSegment returns the newest segment file that is not empty.
func lastDataSegment(t *testing.T, dir string) string {
	t.Helper()
	files := segFiles(t, dir)
	for i := len(files) - 1; i >= 0; i-- {
		if fi, err := os.Stat(files[i]); err == nil && fi.Size() > 0 {
			return files[i]
		}
	}
	t.Fatal("no segment with data")
	return ""
}

// runSuite is the behaviour suite every spool implementation must pass.
func runSuite(t *testing.T, open opener) {
	t.Run("OrderReadAck", func(t *testing.T) {
		s := mustOpen(t, open, Options{Dir: t.TempDir()}, "a")
		defer s.Close()
		want := entries(0, 30, base)
		for i := 0; i < 3; i++ {
			mustAppend(t, s, want[i*10:i*10+10])
		}
		b, err := s.Read("a", 15, 0)
		if err != nil || len(b.Entries) != 15 {
			t.Fatalf("read: %d entries, %v", len(b.Entries), err)
		}
		for i, e := range b.Entries {
			if !sameEntry(e, want[i]) {
				t.Fatalf("entry %d: got %+v want %+v", i, e, want[i])
			}
		}
		again, err := s.Read("a", 15, 0)
		if err != nil || len(again.Entries) != 15 || number(t, again.Entries[0]) != 0 {
			t.Fatalf("read before ack must repeat the batch: %v", err)
		}
		if err := s.Ack(b); err != nil {
			t.Fatal(err)
		}
		if err := s.Ack(b); err != nil { // a second ack is a no-op
			t.Fatal(err)
		}
		if got := drain(t, s, "a", 7); !slices.Equal(got, seq(15, 15)) {
			t.Fatalf("after ack got %v", got)
		}
		if b, err := s.Read("a", 10, 0); err != nil || len(b.Entries) != 0 {
			t.Fatalf("want empty batch, got %d, %v", len(b.Entries), err)
		}
		if _, err := s.Read("nope", 1, 0); !errors.Is(err, ErrUnknownSink) {
			t.Fatalf("unknown sink: %v", err)
		}
	})

	t.Run("MaxBytesPerBatch", func(t *testing.T) {
		s := mustOpen(t, open, Options{Dir: t.TempDir()}, "a")
		defer s.Close()
		mustAppend(t, s, entries(0, 20, base))
		b, err := s.Read("a", 100, 1)
		if err != nil || len(b.Entries) != 1 {
			t.Fatalf("tiny maxBytes must still return one entry: %d, %v", len(b.Entries), err)
		}
		one := entrySize(&b.Entries[0])
		b, err = s.Read("a", 100, 3*one+one/2)
		if err != nil || len(b.Entries) != 3 {
			t.Fatalf("maxBytes for 3.5 entries gave %d, %v", len(b.Entries), err)
		}
	})

	t.Run("TwoSinksIndependent", func(t *testing.T) {
		s := mustOpen(t, open, Options{Dir: t.TempDir()}, "a", "b")
		defer s.Close()
		mustAppend(t, s, entries(0, 10, base))
		if got := drain(t, s, "a", 4); !slices.Equal(got, seq(0, 10)) {
			t.Fatalf("a got %v", got)
		}
		mustAppend(t, s, entries(10, 5, base))
		if got := drain(t, s, "b", 100); !slices.Equal(got, seq(0, 15)) {
			t.Fatalf("b got %v", got)
		}
		if got := drain(t, s, "a", 100); !slices.Equal(got, seq(10, 5)) {
			t.Fatalf("a got %v", got)
		}
	})

	t.Run("ReopenKeepsCursors", func(t *testing.T) {
		dir := t.TempDir()
		s := mustOpen(t, open, Options{Dir: dir}, "a", "b")
		want := entries(0, 20, base)
		mustAppend(t, s, want[:10])
		mustAppend(t, s, want[10:])
		b, _ := s.Read("a", 5, 0)
		if err := s.Ack(b); err != nil {
			t.Fatal(err)
		}
		if b, _ = s.Read("a", 5, 0); len(b.Entries) != 5 { // read, never acked
			t.Fatal("short read")
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = mustOpen(t, open, Options{Dir: dir}, "a", "b")
		defer s.Close()
		b, err := s.Read("a", 100, 0)
		if err != nil || len(b.Entries) != 15 {
			t.Fatalf("a after reopen: %d, %v", len(b.Entries), err)
		}
		for i, e := range b.Entries { // byte-identical re-send
			if !sameEntry(e, want[5+i]) {
				t.Fatalf("entry %d differs after reopen", 5+i)
			}
		}
		if got := drain(t, s, "b", 100); !slices.Equal(got, seq(0, 20)) {
			t.Fatalf("b after reopen got %v", got)
		}
		mustAppend(t, s, entries(20, 3, base))
		if err := s.Ack(b); err != nil {
			t.Fatal(err)
		}
		if got := drain(t, s, "a", 100); !slices.Equal(got, seq(20, 3)) {
			t.Fatalf("a after ack got %v", got)
		}
	})

	t.Run("FullThenAckFreesSpace", func(t *testing.T) {
		dir := t.TempDir()
		s := mustOpen(t, open, Options{Dir: dir, MaxBytes: 8 << 10, SegmentBytes: 2 << 10}, "a")
		defer s.Close()
		n := 0
		var err error
		for i := 0; i < 1000; i++ {
			if err = s.Append(entries(n, 10, base)); err != nil {
				break
			}
			n += 10
		}
		if !errors.Is(err, ErrFull) {
			t.Fatalf("want ErrFull, got %v after %d entries", err, n)
		}
		if st := s.Stats(); st.Bytes > 8<<10 || st.Entries != int64(n) {
			t.Fatalf("stats %+v, appended %d", st, n)
		}
		if got := drain(t, s, "a", 25); !slices.Equal(got, seq(0, n)) {
			t.Fatalf("nothing may be dropped: got %d of %d", len(got), n)
		}
		if err := s.Append(entries(n, 10, base)); err != nil {
			t.Fatalf("append after ack: %v", err)
		}
		if got := drain(t, s, "a", 25); !slices.Equal(got, seq(n, 10)) {
			t.Fatalf("got %v", got)
		}
		if err := s.Append(entries(0, 5000, base)); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("oversized batch: %v", err)
		}
	})

	t.Run("PurgeOld", func(t *testing.T) {
		dir := t.TempDir()
		now := base.Add(30 * 24 * time.Hour)
		clock := func() time.Time { return now }
		o := Options{Dir: dir, Now: clock, SegmentBytes: 1}
		s := mustOpen(t, open, o, "a", "b")
		mustAppend(t, s, entries(0, 10, now.Add(-8*24*time.Hour)))
		mustAppend(t, s, entries(10, 10, now.Add(-time.Hour)))
		b, _ := s.Read("a", 5, 0)
		if err := s.Ack(b); err != nil {
			t.Fatal(err)
		}
		pending, _ := s.Read("b", 3, 0) // in flight while purging
		n, err := s.Purge()
		if err != nil || n != 10 {
			t.Fatalf("purged %d, %v; want 10", n, err)
		}
		if err := s.Ack(pending); err != nil { // stale ack must not move back
			t.Fatal(err)
		}
		if st := s.Stats(); st.Purged != 10 || st.Entries != 10 {
			t.Fatalf("stats %+v", st)
		}
		if got := drain(t, s, "b", 100); !slices.Equal(got, seq(10, 10)) {
			t.Fatalf("b got %v", got)
		}
		s.Close()
		s = mustOpen(t, open, o, "a", "b")
		defer s.Close()
		if got := drain(t, s, "a", 100); !slices.Equal(got, seq(10, 10)) {
			t.Fatalf("a after reopen got %v", got)
		}
		// An old active segment is purged too; fresh entries stay.
		mustAppend(t, s, entries(20, 4, now.Add(-9*24*time.Hour)))
		now = now.Add(time.Hour)
		if n, err := s.Purge(); err != nil || n != 4 {
			t.Fatalf("purged %d, %v; want 4", n, err)
		}
		if got := drain(t, s, "a", 100); len(got) != 0 {
			t.Fatalf("purged entries delivered: %v", got)
		}
	})

	t.Run("CorruptTail", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			spoil func(t *testing.T, path string)
		}{
			{"TruncatedMidRecord", func(t *testing.T, path string) {
				fi, _ := os.Stat(path)
				if err := os.Truncate(path, fi.Size()-7); err != nil {
					t.Fatal(err)
				}
			}},
			{"FlippedByte", func(t *testing.T, path string) {
				b, _ := os.ReadFile(path)
				b[len(b)-3] ^= 0x40
				if err := os.WriteFile(path, b, 0o600); err != nil {
					t.Fatal(err)
				}
			}},
			{"ZeroFilledTail", func(t *testing.T, path string) {
				f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
				f.Write(make([]byte, 100))
				f.Close()
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				dir := t.TempDir()
				s := mustOpen(t, open, Options{Dir: dir}, "a")
				for i := 0; i < 3; i++ {
					mustAppend(t, s, entries(i*10, 10, base))
				}
				s.Close()
				path := lastDataSegment(t, dir)
				tc.spoil(t, path)
				s = mustOpen(t, open, Options{Dir: dir}, "a")
				defer s.Close()
				want := 20
				if tc.name == "ZeroFilledTail" {
					want = 30
				}
				if st := s.Stats(); st.CorruptTruncated != 1 || st.Entries != int64(want) {
					t.Fatalf("stats %+v", st)
				}
				if got := drain(t, s, "a", 100); !slices.Equal(got, seq(0, want)) {
					t.Fatalf("got %v", got)
				}
				mustAppend(t, s, entries(100, 1, base))
				if got := drain(t, s, "a", 100); !slices.Equal(got, []int{100}) {
					t.Fatalf("append after recovery got %v", got)
				}
			})
		}
	})

	t.Run("RolloverAndDeletion", func(t *testing.T) {
		dir := t.TempDir()
		s := mustOpen(t, open, Options{Dir: dir, SegmentBytes: 1 << 10}, "a", "b")
		defer s.Close()
		for i := 0; i < 20; i++ {
			mustAppend(t, s, entries(i*10, 10, base))
		}
		if n := len(segFiles(t, dir)); n < 5 {
			t.Fatalf("want rollover, got %d segments", n)
		}
		before := len(segFiles(t, dir))
		drain(t, s, "a", 50)
		if n := len(segFiles(t, dir)); n != before {
			t.Fatalf("segments deleted while b has not read them: %d -> %d", before, n)
		}
		b, _ := s.Read("b", 100, 0)
		if err := s.Ack(b); err != nil {
			t.Fatal(err)
		}
		mid := len(segFiles(t, dir))
		if mid >= before || mid <= 1 {
			t.Fatalf("segments %d -> %d after b acked half", before, mid)
		}
		if got := drain(t, s, "b", 100); !slices.Equal(got, seq(100, 100)) {
			t.Fatalf("b got %v", got)
		}
		if n := len(segFiles(t, dir)); n != 1 {
			t.Fatalf("want only the active segment left, got %d", n)
		}
	})

	t.Run("RoundTripExact", func(t *testing.T) {
		dir := t.TempDir()
		s := mustOpen(t, open, Options{Dir: dir}, "a")
		want := []sinks.Entry{
			{Time: time.Unix(0, 1772366400987654321), Line: []byte{0, 0xff, '\n', 'x'}},
			{Time: time.Unix(1, 1).In(time.FixedZone("x", 3600)), Labels: []sinks.Label{{Name: "", Value: ""}},
				Line: []byte(strings.Repeat("ü", 3000)), Metadata: []sinks.Label{{Name: "k", Value: "v"}}},
			{Time: time.Unix(-5, 0), Line: bytes.Repeat([]byte{'a'}, 4<<20)}, // maximal lz4 ratio
		}
		mustAppend(t, s, want)
		s.Close()
		s = mustOpen(t, open, Options{Dir: dir}, "a")
		defer s.Close()
		b, err := s.Read("a", 10, 0)
		if err != nil || len(b.Entries) != len(want) {
			t.Fatalf("%d, %v", len(b.Entries), err)
		}
		for i := range want {
			if !sameEntry(b.Entries[i], want[i]) {
				t.Fatalf("entry %d: got %+v want %+v", i, b.Entries[i], want[i])
			}
		}
	})

	t.Run("RepeatedLabels", func(t *testing.T) {
		// Entries share, repeat and alternate labels and metadata (the
		// codec copies and reuses repeated encodings); every entry must
		// come back with its own, across two records.
		s := mustOpen(t, open, Options{Dir: t.TempDir()}, "a")
		defer s.Close()
		a := []sinks.Label{{Name: "job", Value: "web"}, {Name: "stream", Value: "stdout"}}
		b := []sinks.Label{{Name: "job", Value: "web"}, {Name: "stream", Value: "stderr"}}
		a2 := slices.Clone(a)
		prefix := []sinks.Label{{Name: "job", Value: "web"}}
		sets := [][]sinks.Label{a, a, b, a2, nil, a, prefix, a, b, b}
		var want []sinks.Entry
		for i, ls := range sets {
			want = append(want, sinks.Entry{Time: base, Labels: ls, Line: fmt.Appendf(nil, "n=%d", i), Metadata: sets[(i+3)%len(sets)]})
		}
		mustAppend(t, s, want[:6])
		mustAppend(t, s, want[6:])
		batch, err := s.Read("a", 100, 0)
		if err != nil || len(batch.Entries) != len(want) {
			t.Fatalf("%d, %v", len(batch.Entries), err)
		}
		for i := range want {
			if !sameEntry(batch.Entries[i], want[i]) {
				t.Fatalf("entry %d: got %+v want %+v", i, batch.Entries[i], want[i])
			}
		}
	})

	t.Run("CloseTwice", func(t *testing.T) {
		s := mustOpen(t, open, Options{Dir: t.TempDir()}, "a")
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second close: %v", err)
		}
		if err := s.Append(entries(0, 1, base)); !errors.Is(err, ErrClosed) {
			t.Fatalf("append after close: %v", err)
		}
		if _, err := s.Read("a", 1, 0); !errors.Is(err, ErrClosed) {
			t.Fatalf("read after close: %v", err)
		}
	})

	t.Run("FileModes", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "spool")
		s := mustOpen(t, open, Options{Dir: dir}, "a")
		defer s.Close()
		mustAppend(t, s, entries(0, 3, base))
		b, _ := s.Read("a", 1, 0)
		if err := s.Ack(b); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("dir mode %v, %v", fi.Mode(), err)
		}
		des, _ := os.ReadDir(dir)
		if len(des) < 2 {
			t.Fatalf("files: %v", des)
		}
		for _, de := range des {
			fi, _ := de.Info()
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v", de.Name(), fi.Mode())
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := mustOpen(t, open, Options{Dir: t.TempDir(), SegmentBytes: 4 << 10}, "a", "b")
		defer s.Close()
		const total = 1000
		errs := make(chan error, 3)
		go func() {
			for n := 0; n < total; n += 5 {
				if err := s.Append(entries(n, 5, base)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
		for _, sink := range []string{"a", "b"} {
			go func() {
				next := 0
				for next < total {
					b, err := s.Read(sink, 7, 0)
					if err != nil {
						errs <- err
						return
					}
					for _, e := range b.Entries {
						if n := number(t, e); n != next {
							errs <- fmt.Errorf("sink %s: got %d want %d", sink, n, next)
							return
						}
						next++
					}
					if err := s.Ack(b); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range 3 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if st := s.Stats(); st.Segments != 1 {
			t.Fatalf("after full delivery: %+v", st)
		}
	})

	t.Run("BadSinkNames", func(t *testing.T) {
		for _, names := range [][]string{nil, {""}, {"../x"}, {"a", "a"}, {".hidden"}} {
			if s, err := open(Options{Dir: t.TempDir()}, names); err == nil {
				s.Close()
				t.Errorf("names %q accepted", names)
			}
		}
	})
}

func TestSpool(t *testing.T) { runSuite(t, Open) }
