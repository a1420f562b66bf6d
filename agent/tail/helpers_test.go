package tail

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// deadline bounds every wait of the tests; it is a failure bound, never
// an expected duration.
const deadline = 20 * time.Second

// bgRun is a Tailer's Run in the background: cancel ends it, done is
// closed once Run returned (with err) and its chunks were taken.
type bgRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
	once   sync.Once
}

// stop cancels Run and waits for it; Run must return nil.
func (r *bgRun) stop(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		r.wait(t)
	})
}

// wait waits for Run to return by itself (Once) and checks it returned nil.
func (r *bgRun) wait(t *testing.T) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(deadline):
		t.Fatal("Run did not return")
	}
	if r.err != nil {
		t.Fatalf("Run: %v", r.err)
	}
}

// newTailer returns a Tailer for o (short Poll and RotateWait unless
// set), adjusted by setup.
func newTailer(t *testing.T, o Options, setup ...func(*Tailer)) *Tailer {
	t.Helper()
	if o.Poll == 0 {
		o.Poll = 10 * time.Millisecond
	}
	if o.RotateWait == 0 {
		o.RotateWait = 50 * time.Millisecond
	}
	tl, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range setup {
		s(tl)
	}
	return tl
}

// harness runs a Tailer and collects what it sends.
type harness struct {
	bgRun
	tl *Tailer

	mu     sync.Mutex
	chunks []*Chunk
}

// start runs a Tailer for o (short Poll and RotateWait unless set); setup
// may adjust it before Run.
func start(t *testing.T, o Options, setup ...func(*Tailer)) *harness {
	t.Helper()
	tl := newTailer(t, o, setup...)
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{tl: tl, bgRun: bgRun{cancel: cancel, done: make(chan struct{})}}
	out := make(chan *Chunk) // unbuffered: every send waits for the collector
	go func() {
		h.err = tl.Run(ctx, out)
		close(out)
	}()
	go func() {
		for c := range out {
			h.mu.Lock()
			h.chunks = append(h.chunks, c)
			h.mu.Unlock()
		}
		close(h.done)
	}()
	t.Cleanup(func() { h.stop(t) })
	return h
}

// all returns the chunks received so far.
func (h *harness) all() []*Chunk {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*Chunk(nil), h.chunks...)
}

// lines returns every line received so far, in order.
func (h *harness) lines() []string {
	var out []string
	for _, c := range h.all() {
		for _, l := range c.Lines {
			out = append(out, string(l))
		}
	}
	return out
}

// linesOf returns the lines received from path's chunks, in order.
func (h *harness) linesOf(path string) []string {
	out := []string{}
	for _, c := range h.all() {
		if c.Path == path {
			for _, l := range c.Lines {
				out = append(out, string(l))
			}
		}
	}
	return out
}

// hasLine reports whether line was received.
func (h *harness) hasLine(line string) bool {
	for _, l := range h.lines() {
		if l == line {
			return true
		}
	}
	return false
}

// waitFor polls cond until it holds, failing the test at the deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitLines waits until the lines received equal want.
func (h *harness) waitLines(t *testing.T, want ...string) {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		got := h.lines()
		if strings.Join(got, "|") == strings.Join(want, "|") && len(got) == len(want) {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("lines = %q, want %q", got, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// numbered is the test line with number i, 61 bytes with its newline.
func numbered(i int) string {
	return fmt.Sprintf("line %06d %s\n", i, strings.Repeat("x", 48))
}

// writeNumbered writes line i in two writes, so the tailer sees partial
// lines.
func writeNumbered(t *testing.T, f *os.File, i int) {
	t.Helper()
	l := numbered(i)
	if _, err := f.WriteString(l[:20]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(l[20:]); err != nil {
		t.Fatal(err)
	}
}

// number parses a numbered line.
func number(l []byte) (int, error) {
	s := string(l)
	if !strings.HasPrefix(s, "line ") || len(s) != 60 {
		return 0, fmt.Errorf("bad line %q", s)
	}
	return strconv.Atoi(s[5:11])
}

// seen reports whether numbered line i was received.
func (h *harness) seen(i int) bool {
	want := strings.TrimSuffix(numbered(i), "\n")
	for _, c := range h.all() {
		for _, l := range c.Lines {
			if string(l) == want {
				return true
			}
		}
	}
	return false
}

// count returns how many lines were received.
func (h *harness) count() int {
	n := 0
	for _, c := range h.all() {
		n += len(c.Lines)
	}
	return n
}

// dones returns the Done chunks received.
func (h *harness) dones() []*Chunk {
	var out []*Chunk
	for _, c := range h.all() {
		if c.Done {
			out = append(out, c)
		}
	}
	return out
}

// checkExactlyOnce checks that the numbered lines 0..n-1 each arrived
// exactly once, in increasing order within each file (inode).
func checkExactlyOnce(t *testing.T, chunks []*Chunk, n int) {
	t.Helper()
	times := make([]int, n)
	last := map[fileKey]int{}
	for _, c := range chunks {
		k := fileKey{c.ID.Dev, c.ID.Ino}
		for _, l := range c.Lines {
			i, err := number(l)
			if err != nil || i < 0 || i >= n {
				t.Fatalf("unexpected line %q (%v)", l, err)
			}
			if p, ok := last[k]; ok && i <= p {
				t.Errorf("line %d after line %d in the same file", i, p)
			}
			last[k] = i
			times[i]++
		}
	}
	var bad []string
	for i, c := range times {
		if c != 1 {
			bad = append(bad, fmt.Sprintf("%d×%d", i, c))
		}
	}
	if len(bad) > 0 {
		if len(bad) > 20 {
			bad = append(bad[:20], "...")
		}
		t.Errorf("lines not received exactly once (line×times): %s", strings.Join(bad, " "))
	}
}

// writeFile writes a file, failing the test on error.
func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// appendFile appends to a file, failing the test on error.
func appendFile(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

// sorted returns a sorted copy.
func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}
