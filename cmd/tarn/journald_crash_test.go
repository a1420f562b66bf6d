package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/inputs/journald/journaltest"
)

const journaldConfig = `data_dir: data
rules: builtin:default
inputs:
  - name: journal
    type: journald
    directory: journal
    start_at: beginning
    format: syslog
sinks:
  - name: archive
    type: file
    path: out
    rotate: {max_bytes: 1MiB}
server: {listen: ""}
`

// appendJournal appends n entries numbered from from to the journal file
// (each "job N done for <e-mail> from <IP>", by a unit of its own) and
// returns from+n.
func appendJournal(t *testing.T, path string, from, n int) int {
	t.Helper()
	now := time.Now().UTC()
	es := make([]journaltest.Entry, 0, n)
	for i := from; i < from+n; i++ {
		es = append(es, journaltest.Syslog(now.Add(time.Duration(i-from)*time.Microsecond), "web1", fmt.Sprintf("worker@%d.service", i%3), "worker", 100+i%7, 6,
			fmt.Sprintf("job %d done for user%d@example.com from 203.0.113.%d", i, i, i%250)))
	}
	journaltest.Write(t, path, es)
	return from + n
}

// deliveredJobs counts each "job N " in the lines of the sink, and fails
// on a raw e-mail address.
func deliveredJobs(t *testing.T, dir string) map[int]int {
	t.Helper()
	counts := map[int]int{}
	for _, l := range sinkLines(t, dir, "archive") {
		if strings.Contains(l, "@example.com") {
			t.Fatalf("a raw e-mail address reached the sink: %s", l)
		}
		if i := strings.Index(l, "job "); i >= 0 {
			var n int
			if _, err := fmt.Sscanf(l[i:], "job %d ", &n); err == nil {
				counts[n]++
			}
		}
	}
	return counts
}

// TestJournaldRestartSIGKILL runs the real binary with a journald input
// over a journal that systemd-journal-remote appends to: stopped with
// SIGTERM and restarted, it delivers every entry exactly once; killed
// with SIGKILL at random points while entries are appended, and
// restarted, every entry arrives at least once and the duplicates stay
// within what one kill may re-send (the batches after the last saved
// cursor and the last unacknowledged sink batch).
func TestJournaldRestartSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	journaltest.Require(t)
	bin := buildTarn(t)
	dir := t.TempDir()
	writeFile(t, dir, "tarn.yaml", journaldConfig)
	os.MkdirAll(filepath.Join(dir, "journal"), 0o755)
	jf := filepath.Join(dir, "journal", "system.journal")
	next := appendJournal(t, jf, 0, 500)
	out := filepath.Join(dir, "out")
	waitJobs := func(n int) map[int]int {
		deadline := time.Now().Add(30 * time.Second)
		for {
			c := deliveredJobs(t, out)
			if len(c) >= n || time.Now().After(deadline) {
				return c
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Graceful restarts: exactly once.
	for i := 0; i < 3; i++ {
		ag := startAgent(t, bin, dir)
		next = appendJournal(t, jf, next, 700)
		waitJobs(next)
		next = appendJournal(t, jf, next, 300)
		time.Sleep(time.Duration(20+50*i) * time.Millisecond)
		if err := ag.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := ag.cmd.Wait(); err != nil {
			t.Fatalf("SIGTERM %d: %v\n%s", i, err, ag.stderr.String())
		}
	}
	runOnceBin(t, bin, dir)
	counts := deliveredJobs(t, out)
	for i := 0; i < next; i++ {
		if counts[i] != 1 {
			t.Fatalf("after graceful restarts job %d of %d was delivered %d times", i, next, counts[i])
		}
	}
	graceful := next
	// Kills: at least once.
	rng := rand.New(rand.NewPCG(3, 4))
	const kills = 12
	for i := 0; i < kills; i++ {
		ag := startAgent(t, bin, dir)
		next = appendJournal(t, jf, next, 1000)
		time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
		next = appendJournal(t, jf, next, 3000)
		time.Sleep(time.Duration(rng.IntN(80)) * time.Millisecond) // while the input reads
		ag.kill(t, i)
	}
	runOnceBin(t, bin, dir)
	counts = deliveredJobs(t, out)
	dups := 0
	for i := 0; i < next; i++ {
		n := counts[i]
		if n == 0 {
			t.Fatalf("job %d of %d lost after %d kills", i, next, kills)
		}
		if i < graceful && n != 1 {
			t.Fatalf("job %d, delivered before the kills, now %d times", i, n)
		}
		dups += n - 1
	}
	// Per kill at most two batches of 2048 entries after the saved cursor
	// and one sink batch of 1000 entries.
	if limit := kills * (2*2048 + 1000); dups > limit {
		t.Fatalf("%d duplicates after %d kills, more than %d", dups, kills, limit)
	}
	t.Logf("%d entries, %d kills, %d duplicates", next, kills, dups)
}
