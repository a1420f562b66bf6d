package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// built is the binary buildTarn compiled, shared by every test of the
// test binary; TestMain deletes its directory.
var built struct {
	once sync.Once
	dir  string // os.MkdirTemp directory holding bin
	bin  string
	err  error
	out  []byte // go build's output on failure
}

// TestMain runs the tests and then deletes the binary buildTarn built.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildTarn compiles the real binary once per test binary run (every
// later call returns the same path, or fails with the same build error).
func buildTarn(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "tarn-test-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "tarn")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

func TestBuildTarnOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real binary")
	}
	first := buildTarn(t)
	fi, err := os.Stat(first)
	if err != nil {
		t.Fatal(err)
	}
	second := buildTarn(t)
	again, err := os.Stat(second)
	if err != nil || second != first || !again.ModTime().Equal(fi.ModTime()) {
		t.Fatalf("built twice: %s then %s (%v)", first, second, err)
	}
}

// agentProcess is the real binary running `tarn run` on dir/tarn.yaml.
type agentProcess struct {
	cmd    *exec.Cmd
	stderr strings.Builder
}

// startAgent starts bin on dir/tarn.yaml; if the test ends before kill,
// the agent is killed then.
func startAgent(t *testing.T, bin, dir string) *agentProcess {
	t.Helper()
	a := &agentProcess{cmd: exec.Command(bin, "run", "--config", filepath.Join(dir, "tarn.yaml"))}
	a.cmd.Stderr = &a.stderr
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if a.cmd.ProcessState == nil {
			a.cmd.Process.Kill()
			a.cmd.Wait()
		}
	})
	return a
}

// kill sends SIGKILL (kill number i) and fails if the agent had exited
// by itself or logged an error.
func (a *agentProcess) kill(t *testing.T, i int) {
	t.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.cmd.Wait()
	if ws, ok := a.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("agent exited by itself before kill %d: %v\n%s", i, a.cmd.ProcessState, a.stderr.String())
	}
	if strings.Contains(a.stderr.String(), `"level":"error"`) {
		t.Fatalf("agent logged an error before kill %d:\n%s", i, a.stderr.String())
	}
}

// runOnceBin runs bin on dir/tarn.yaml in run-once mode to its end.
func runOnceBin(t *testing.T, bin, dir string) {
	t.Helper()
	if out, err := exec.Command(bin, "run", "--config", filepath.Join(dir, "tarn.yaml"), "--once").CombinedOutput(); err != nil {
		t.Fatalf("run --once: %v\n%s", err, out)
	}
}

const crashConfig = `data_dir: data
rules: builtin:default
inputs:
  - name: web
    type: file
    paths: ["logs/*.log"]
    format: combined
    start_at: beginning
sinks:
  - name: archive
    type: file
    path: out
    rotate: {max_bytes: 1MiB}
server: {listen: ""}
`

// TestCrashSafetySIGKILL runs the real binary, kills it with SIGKILL at
// random points while lines are being written and files rotated, restarts
// it, and proves that every line reached the file sink at least once and
// that duplicates stay within what one kill may re-send (the chunk in
// flight plus the last unacknowledged batch).
func TestCrashSafetySIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := buildTarn(t)
	dir := t.TempDir()
	writeFile(t, dir, "tarn.yaml", crashConfig)
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	log := filepath.Join(dir, "logs", "access.log")
	rng := rand.New(rand.NewPCG(1, 2))
	const kills, per = 25, 4000
	next := 0
	for i := 0; i < kills; i++ {
		ag := startAgent(t, bin, dir)
		// Write while it runs, sometimes rotating (to a name the glob
		// still matches, so the rest of the old file is read too).
		next = appendAccess(t, log, next, per/2)
		if i%4 == 3 {
			if err := os.Rename(log, filepath.Join(dir, "logs", fmt.Sprintf("access-%d.log", i))); err != nil {
				t.Fatal(err)
			}
		}
		next = appendAccess(t, log, next, per/2)
		time.Sleep(time.Duration(20+rng.IntN(300)) * time.Millisecond)
		ag.kill(t, i)
	}
	runOnceBin(t, bin, dir)
	counts := deliveredItems(t, filepath.Join(dir, "out"), "archive")
	dups := 0
	for i := 0; i < next; i++ {
		n := counts[i]
		if n == 0 {
			t.Fatalf("line %d of %d lost after %d kills", i, next, kills)
		}
		dups += n - 1
	}
	// Per kill at most one chunk (256 KiB, ~2200 of these lines) re-read
	// and one sink batch (1000 entries) re-sent.
	if limit := kills * (2200 + 1000); dups > limit {
		t.Fatalf("%d duplicates after %d kills, more than %d", dups, kills, limit)
	}
	t.Logf("%d lines, %d kills, %d duplicates", next, kills, dups)
}

func appendAccess(t *testing.T, path string, from, n int) int {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	ts := time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700")
	for i := from; i < from+n; i++ {
		fmt.Fprintf(w, "198.51.100.%d - - [%s] \"GET /item/%d HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0\"\n", i%250, ts, i, i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return from + n
}

// deliveredItems counts each /item/N in the lines of sink's files in dir.
func deliveredItems(t *testing.T, dir, sink string) map[int]int {
	t.Helper()
	counts := map[int]int{}
	for _, l := range sinkLines(t, dir, sink) {
		var n int
		if i := strings.Index(l, "/item/"); i >= 0 {
			if _, err := fmt.Sscanf(l[i:], "/item/%d ", &n); err == nil {
				counts[n]++
			}
		}
	}
	return counts
}

// sinkLines returns the lines (without their newline) of the
// uncompressed files a file sink named sink wrote into dir, file after
// file in name (= start time) order.
func sinkLines(t *testing.T, dir, sink string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, sink+"-*.log"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, name := range files {
		for _, l := range splitLines(readFile(t, name)) {
			lines = append(lines, strings.TrimSuffix(l, "\n"))
		}
	}
	return lines
}
