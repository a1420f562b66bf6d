package spool

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/queue/queuetest"
)

const (
	crashDirEnv   = "TARN_SPOOL_CRASH_DIR"
	crashStartEnv = "TARN_SPOOL_CRASH_START"
	crashBatch    = 50
)

// TestCrashChild is the child process of TestCrashSIGKILL: it appends
// numbered batches forever and prints the highest number after each
// successful (durable) Append. It does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("child of TestCrashSIGKILL only")
	}
	next, err := strconv.Atoi(os.Getenv(crashStartEnv))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{Dir: dir, SegmentBytes: 32 << 10, MaxAge: week}, []string{"verify"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		if err := s.Append(entries(next, crashBatch, base)); err != nil {
			t.Fatal(err)
		}
		next += crashBatch
		fmt.Fprintf(os.Stdout, "%d\n", next-1) // os.Stdout is unbuffered
	}
}

// TestCrashSIGKILL kills a real appending process at random points and
// checks that every entry it reported as appended survives, in order, with
// no damaged record.
func TestCrashSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	next := 0 // the next number the spool must hold
	deadline := time.Now().Add(20 * time.Second)
	for iter := 0; iter < 15 && time.Now().Before(deadline); iter++ {
		printed := runChild(t, dir, next, time.Duration(rng.IntN(80))*time.Millisecond)

		s, err := Open(Options{Dir: dir, MaxAge: week}, []string{"verify"})
		if err != nil {
			t.Fatalf("iteration %d: reopen: %v", iter, err)
		}
		// A SIGKILL can stop write(2) between pages (Linux returns a short
		// write when a fatal signal is pending), so a torn tail of a record
		// never acknowledged is normal and truncated; the loop below checks
		// it held nothing printed. A damaged record before the tail is not.
		if st := s.Stats(); st.CorruptRecords != 0 {
			t.Errorf("iteration %d: %d damaged records after SIGKILL", iter, st.CorruptRecords)
		} else if st.CorruptTruncated != 0 {
			t.Logf("iteration %d: torn tail truncated (%d)", iter, st.CorruptTruncated)
		}
		for {
			b, err := s.Read("verify", 1000, 0)
			if err != nil {
				t.Fatalf("iteration %d: read: %v", iter, err)
			}
			if len(b.Entries) == 0 {
				break
			}
			for _, e := range b.Entries {
				if n := queuetest.Number(t, e); n != next {
					t.Fatalf("iteration %d: got entry %d, want %d (lost or out of order)", iter, n, next)
				}
				next++
			}
			if err := s.Ack(b); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if printed >= next {
			t.Fatalf("iteration %d: child reported %d appended, spool ends at %d", iter, printed, next-1)
		}
		t.Logf("iteration %d: printed up to %d, spool holds up to %d", iter, printed, next-1)
	}
	if next == 0 {
		t.Fatal("child never appended")
	}
}

// runChild starts the child appending from start, SIGKILLs it delay after
// its first successful Append and returns the highest number it printed.
func runChild(t *testing.T, dir string, start int, delay time.Duration) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashStartEnv+"="+strconv.Itoa(start))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan int, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, err := strconv.Atoi(sc.Text()); err == nil {
				lines <- n
			}
		}
	}()
	printed := start - 1
	select {
	case n, ok := <-lines:
		if ok {
			printed = n
		}
	case <-time.After(10 * time.Second):
		t.Log("child printed nothing within 10s")
	}
	time.Sleep(delay)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for n := range lines {
		printed = n
	}
	cmd.Wait()
	return printed
}

const idDirEnv = "TARN_SPOOL_ID_DIR"

// TestBatchIDChild is the child process of TestBatchIDSurvivesSIGKILL: it
// appends, acknowledges a first batch, reads a second one, prints its ID
// and first entry's number, and appends on until it is killed. It does
// nothing in a normal test run.
func TestBatchIDChild(t *testing.T) {
	dir := os.Getenv(idDirEnv)
	if dir == "" {
		t.Skip("child of TestBatchIDSurvivesSIGKILL only")
	}
	s, err := Open(Options{Dir: dir, SegmentBytes: 4 << 10, MaxAge: week}, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := s.Append(entries(i*10, 10, base)); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.Read("a", 37, 0)
	if err == nil {
		err = s.Ack(b)
	}
	if err == nil {
		b, err = s.Read("a", 25, 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "%s %d\n", b.ID, queuetest.Number(t, b.Entries[0]))
	for n := 100; ; n += 10 {
		if err := s.Append(entries(n, 10, base)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBatchIDSurvivesSIGKILL: the batch a killed process had read but not
// acknowledged is read again after the restart under the same ID.
func TestBatchIDSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBatchIDChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), idDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Scan()
		line <- sc.Text()
		io.Copy(io.Discard, out)
	}()
	var id string
	var first int
	select {
	case l := <-line:
		if _, err := fmt.Sscanf(l, "%s %d", &id, &first); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child printed %q: %v", l, err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("child printed nothing within 10s")
	}
	time.Sleep(20 * time.Millisecond) // let it append some more
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	s, err := Open(Options{Dir: dir, MaxAge: week}, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.Read("a", 25, 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != id || first != 37 || queuetest.Number(t, b.Entries[0]) != first {
		t.Fatalf("after SIGKILL: batch %q from %d; the child read %q from %d (want 37)", b.ID, queuetest.Number(t, b.Entries[0]), id, first)
	}
}
