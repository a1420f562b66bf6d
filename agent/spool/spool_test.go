package spool

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/queue/queuetest"
	"github.com/tarn-project/tarn/sinks"
)

// week is the retention the tests open spools with.
const week = 168 * time.Hour

// Shorthands for the shared helpers of the queue tests.
var (
	base    = queuetest.Base
	entries = queuetest.Entries
	seq     = queuetest.Seq
)

// TestSpool runs the behaviour suite of every queue against the spool.
func TestSpool(t *testing.T) {
	queuetest.Run(t, func(t *testing.T, o queuetest.Options) (queuetest.Queue, error) {
		s, err := Open(Options{Dir: o.Dir, Now: o.Now, MaxAge: o.MaxAge}, o.Sinks)
		if err != nil {
			return nil, err
		}
		return s, nil
	})
}

func mustOpen(t *testing.T, o Options, names ...string) *Spool {
	t.Helper()
	s, err := Open(o, names)
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

func drain(t *testing.T, s *Spool, sink string, max int) []int {
	t.Helper()
	return queuetest.Drain(t, s, sink, max)
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

// TestMaxBytesPerBatch: Read stops before the entry that would take the
// batch past maxBytes, by the spool's estimate of an entry's size.
func TestMaxBytesPerBatch(t *testing.T) {
	s := mustOpen(t, Options{Dir: t.TempDir(), MaxAge: week}, "a")
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
}

func TestBatchIDFormat(t *testing.T) {
	s := mustOpen(t, Options{Dir: t.TempDir(), MaxAge: week}, "a")
	defer s.Close()
	mustAppend(t, s, entries(0, 5, base))
	mustAppend(t, s, entries(5, 5, base))
	b, _ := s.Read("a", 7, 0)
	g := s.active()
	if want := segName(g.id)[:20] + "-0-0"; b.ID != want {
		t.Fatalf("first batch ID %q, want %q", b.ID, want)
	}
	if err := s.Ack(b); err != nil {
		t.Fatal(err)
	}
	b, _ = s.Read("a", 7, 0)
	if want := segName(g.id)[:20] + "-" + strconv.FormatInt(g.recs[1].off, 10) + "-2"; b.ID != want {
		t.Fatalf("second batch ID %q, want %q", b.ID, want)
	}
}

// TestWipedSpoolNewIDs checks that a spool created again in the same
// directory (wiped, or an emptyDir after a pod restart) never hands out
// the batch IDs of the one before it.
func TestWipedSpoolNewIDs(t *testing.T) {
	dir := t.TempDir()
	first := func() string {
		s := mustOpen(t, Options{Dir: dir, MaxAge: week}, "a")
		defer s.Close()
		mustAppend(t, s, entries(0, 5, base))
		b, _ := s.Read("a", 5, 0)
		return b.ID
	}
	a := first()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Millisecond)
	if b := first(); b == a || b < a {
		t.Fatalf("after a wipe the first batch ID is %q, before it %q: want a new, later one", b, a)
	}
}

func TestFullThenAckFreesSpace(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, Options{Dir: dir, MaxBytes: 8 << 10, SegmentBytes: 2 << 10, MaxAge: week}, "a")
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
}

// TestPurgeBySegment: Purge deletes whole segments whose newest entry is
// past MaxAge and counts their entries in Stats.
func TestPurgeBySegment(t *testing.T) {
	now := base.Add(30 * 24 * time.Hour)
	s := mustOpen(t, Options{Dir: t.TempDir(), Now: func() time.Time { return now }, SegmentBytes: 1, MaxAge: week}, "a")
	defer s.Close()
	mustAppend(t, s, entries(0, 10, now.Add(-8*24*time.Hour)))
	mustAppend(t, s, entries(10, 10, now.Add(-time.Hour)))
	if n, err := s.Purge(); err != nil || n != 10 {
		t.Fatalf("purged %d, %v; want 10", n, err)
	}
	if st := s.Stats(); st.Purged != 10 || st.Entries != 10 {
		t.Fatalf("stats %+v", st)
	}
	if got := drain(t, s, "a", 100); !slices.Equal(got, seq(10, 10)) {
		t.Fatalf("got %v", got)
	}
}

func TestCorruptTail(t *testing.T) {
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
			o := Options{Dir: dir, MaxAge: week}
			s := mustOpen(t, o, "a")
			for i := 0; i < 3; i++ {
				mustAppend(t, s, entries(i*10, 10, base))
			}
			s.Close()
			tc.spoil(t, lastDataSegment(t, dir))
			s = mustOpen(t, o, "a")
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
}

func TestRolloverAndDeletion(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, Options{Dir: dir, SegmentBytes: 1 << 10, MaxAge: week}, "a", "b")
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
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s := mustOpen(t, Options{Dir: dir, MaxAge: week}, "a")
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
}

// TestAckOfForeignBatch: a batch read from another spool (or made up) is
// refused.
func TestAckOfForeignBatch(t *testing.T) {
	a := mustOpen(t, Options{Dir: t.TempDir(), MaxAge: week}, "a")
	defer a.Close()
	b := mustOpen(t, Options{Dir: t.TempDir(), MaxAge: week}, "a")
	defer b.Close()
	mustAppend(t, a, entries(0, 3, base))
	batch, _ := a.Read("a", 2, 0)
	if err := b.Ack(batch); err == nil {
		t.Fatal("ack of another spool's batch succeeded")
	}
	batch.Cursor = nil
	if err := a.Ack(batch); err == nil {
		t.Fatal("ack of a batch without cursor succeeded")
	}
	if err := a.Ack(nil); err == nil {
		t.Fatal("ack of nil succeeded")
	}
}

// Stats counts each sink's backlog: the entries it has not acknowledged.
func TestBacklog(t *testing.T) {
	s := mustOpen(t, Options{Dir: t.TempDir(), MaxAge: week, MaxBytes: 1 << 20}, "a", "b")
	defer s.Close()
	mustAppend(t, s, entries(0, 5, base))
	mustAppend(t, s, entries(5, 5, base))
	b, _ := s.Read("a", 7, 0) // the first record and two of the second
	if err := s.Ack(b); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Backlog["a"] != 3 || st.Backlog["b"] != 10 || st.MaxBytes != 1<<20 {
		t.Fatalf("backlog %v, max %d; want a 3, b 10", st.Backlog, st.MaxBytes)
	}
	b, _ = s.Read("a", 7, 0)
	if err := s.Ack(b); err != nil {
		t.Fatal(err)
	}
	if n := s.Stats().Backlog["a"]; n != 0 {
		t.Fatalf("backlog of a after everything was acknowledged: %d", n)
	}
}
