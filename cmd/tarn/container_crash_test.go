package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const containerCrashConfig = `data_dir: data
rules: builtin:default
inputs:
  - name: pods
    type: file
    paths: ["pods/*/*/*.log"]
    format: cri
    message_format: text
    start_at: beginning
sinks:
  - name: archive
    type: file
    path: out
    rotate: {max_bytes: 1MiB}
server: {listen: ""}
`

// criWriter writes a container's CRI log: stdout lines split into one to
// four records (partial "P" records, then "F"), with stderr lines
// interleaved between the parts, as containerd writes them.
type criWriter struct {
	rng     *rand.Rand
	out     int // stdout lines begun
	err     int // stderr lines written
	pending []string
}

// stdoutLine is the n-th stdout line; parts never split its number.
func stdoutLine(n int) string {
	return fmt.Sprintf("line %d begins %s ends %d", n, strings.Repeat("x", n%97), n)
}

// write appends about n records to path. With open it leaves the last
// stdout line unfinished, so the agent is often killed mid-line.
func (w *criWriter) write(t *testing.T, path string, n int, open bool) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	b := bufio.NewWriter(f)
	ts := time.Now().UTC().Format(time.RFC3339Nano)
	for i := 0; i < n || len(w.pending) > 0 && !open; i++ {
		if len(w.pending) == 0 && i < n {
			w.pending = split(w.rng, stdoutLine(w.out))
			w.out++
		}
		if w.rng.IntN(3) == 0 {
			fmt.Fprintf(b, "%s stderr F err %d\n", ts, w.err)
			w.err++
		}
		tag := "P"
		if len(w.pending) == 1 {
			tag = "F"
		}
		fmt.Fprintf(b, "%s stdout %s %s\n", ts, tag, w.pending[0])
		w.pending = w.pending[1:]
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// split cuts s into one to four non-empty parts.
func split(rng *rand.Rand, s string) []string {
	var parts []string
	for k := rng.IntN(4); k > 0 && len(s) > 1; k-- {
		i := 1 + rng.IntN(len(s)-1)
		parts, s = append(parts, s[:i]), s[i:]
	}
	return append(parts, s)
}

// TestContainerCrashSafetySIGKILL kills the real binary at random points
// while a container writes partial lines: every stdout line must arrive
// whole (never a fragment, never without its first part), every stderr
// line must arrive, and duplicates stay within what a kill may re-send.
func TestContainerCrashSafetySIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := buildTarn(t)
	dir := t.TempDir()
	writeFile(t, dir, "tarn.yaml", containerCrashConfig)
	log := filepath.Join(dir, "pods", "shop_web-1_0c1e", "app", "0.log")
	os.MkdirAll(filepath.Dir(log), 0o755)
	w := &criWriter{rng: rand.New(rand.NewPCG(3, 4))}
	const kills = 15
	for i := 0; i < kills; i++ {
		ag := startAgent(t, bin, dir)
		w.write(t, log, 1500, true)
		time.Sleep(time.Duration(20+w.rng.IntN(200)) * time.Millisecond)
		w.write(t, log, 1500, true)
		time.Sleep(time.Duration(w.rng.IntN(100)) * time.Millisecond)
		ag.kill(t, i)
	}
	w.write(t, log, 0, false) // finish the open line
	runOnceBin(t, bin, dir)
	outs, errs, dups := containerOutput(t, filepath.Join(dir, "out"), w)
	for n := 0; n < w.out; n++ {
		if outs[n] == 0 {
			t.Fatalf("stdout line %d of %d lost", n, w.out)
		}
	}
	for n := 0; n < w.err; n++ {
		if errs[n] == 0 {
			t.Fatalf("stderr line %d of %d lost", n, w.err)
		}
	}
	if limit := kills * (2200 + 1000); dups > limit {
		t.Fatalf("%d duplicates after %d kills, more than %d", dups, kills, limit)
	}
	t.Logf("%d stdout and %d stderr lines, %d kills, %d duplicates", w.out, w.err, kills, dups)
}

// containerOutput counts the stdout and stderr lines in the sink's files
// and fails on any line that is not one the container wrote whole.
func containerOutput(t *testing.T, dir string, w *criWriter) (outs, errs map[int]int, dups int) {
	t.Helper()
	outs, errs = map[int]int{}, map[int]int{}
	for _, l := range sinkLines(t, dir, "archive") {
		if l == "" {
			continue
		}
		if n, ok := numbered(l, "err %d", func(n int) string { return fmt.Sprintf("err %d", n) }); ok {
			errs[n]++
			dups += min(errs[n]-1, 1)
		} else if n, ok := numbered(l, "line %d", stdoutLine); ok && n < w.out {
			outs[n]++
			dups += min(outs[n]-1, 1)
		} else {
			t.Fatalf("the output holds a line the container did not write whole: %q", l)
		}
	}
	return outs, errs, dups
}

// numbered scans the number of l by pattern and reports whether l is
// exactly the line want makes of it.
func numbered(l, pattern string, want func(int) string) (int, bool) {
	var n int
	_, err := fmt.Sscanf(l, pattern, &n)
	return n, err == nil && l == want(n)
}
