package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks"
	"github.com/tarn-project/tarn/sinks/sinktest"
)

// TestDiskFullLeavesNoPartialLine fills a small file system with batches
// until a send fails, then checks the output holds whole batches only and
// that sending works again once space returns.
func TestDiskFullLeavesNoPartialLine(t *testing.T) {
	dir := sinktest.Tmpfs(t, "64k")
	out := filepath.Join(dir, "out")
	s, err := New("f", Options{Dir: out, Retention: 168 * time.Hour, MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	sent := 0
	var sendErr error
	for i := 0; i < 1000 && sendErr == nil; i++ {
		b := numbered(i, 7)
		if sendErr = s.Send(context.Background(), &sinks.Batch{Entries: b}); sendErr == nil {
			sent++
		}
	}
	if sendErr == nil {
		t.Fatal("64 KiB never filled up")
	}
	checkWhole(t, out, sent)
	files, _ := filepath.Glob(filepath.Join(out, "*"))
	os.Truncate(files[0], 0) // space returns (as if older files were deleted)
	if err := s.Send(context.Background(), &sinks.Batch{Entries: numbered(sent, 7)}); err != nil {
		t.Fatalf("send after space returned: %v", err)
	}
}

// numbered is batch i: n lines tagged with the batch and line number.
func numbered(i, n int) []sinks.Entry {
	out := make([]sinks.Entry, n)
	for j := range out {
		out[j] = sinks.Entry{Time: time.Unix(0, 0), Line: fmt.Appendf(nil, "batch=%d line=%d %s", i, j, strings.Repeat("x", 200))}
	}
	return out
}

// checkWhole fails unless the files in dir hold exactly batches 0..n-1,
// every line whole.
func checkWhole(t *testing.T, dir string, n int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var all strings.Builder
	for _, f := range files {
		all.WriteString(read(t, f))
	}
	got := all.String()
	var want strings.Builder
	for i := range n {
		for _, e := range numbered(i, 7) {
			want.Write(e.Line)
			want.WriteByte('\n')
		}
	}
	if got != want.String() {
		t.Fatalf("output after the disk filled: %d bytes, want the %d whole batches sent (%d bytes); tail %q",
			len(got), n, want.Len(), got[max(0, len(got)-80):])
	}
}

// TestTornLineRepairedAtStart: a process killed while writing leaves part
// of a line at the end of its newest file; the next sink on the directory
// cuts it away (the batch is re-sent whole), leaving whole lines only.
func TestTornLineRepairedAtStart(t *testing.T) {
	dir := t.TempDir()
	s, err := New("f", Options{Dir: dir, Retention: 168 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), &sinks.Batch{Entries: numbered(0, 7)}); err != nil {
		t.Fatal(err)
	}
	s.Close(context.Background())
	files, _ := filepath.Glob(filepath.Join(dir, "f-*"))
	f, _ := os.OpenFile(files[0], os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("198.51") // what a kill in the middle of a write leaves
	f.Close()
	s, err = New("f", Options{Dir: dir, Retention: 168 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	checkWhole(t, dir, 1)
}
