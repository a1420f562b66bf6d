package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// report prints the figures of every phase and the totals, and says
// whether the run failed (lines lost, a drain or a collection failed).
func report(w io.Writer, o options, e *env, results []*phaseResult) bool {
	fmt.Fprintf(w, "\ntarn torture: %s, %d cores %s/%s, seed %d\n", sourceVersion(o.src), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, o.seed)
	fmt.Fprintf(w, "flags: -lines %d -kills %d -rate %d -phases %s -tmpfs-size %s -spool-free %d -full-hold %s\n",
		o.lines, o.kills, o.rate, o.phases, o.tmpfsSize, o.spoolFree, o.fullHold)
	if e.loki == nil {
		fmt.Fprintf(w, "no Loki (%s): only the file sink is counted\n", e.lokiWhy)
	}
	fmt.Fprintf(w, "\n%-21s %-8s %8s %9s %7s %7s %6s %6s %5s %5s %6s\n",
		"phase", "sink", "written", "delivered", "lost", "dups", "kills", "crash", "rot", "sinkK", "secs")
	var total struct{ file, loki tally }
	kills, held, crashes := 0, 0, 0
	failed := false
	for _, r := range results {
		if r.skipped != "" {
			fmt.Fprintf(w, "%-21s skipped: %s\n", r.name, r.skipped)
			continue
		}
		printRow(w, r, "archive", r.file, true)
		if r.loki.counted {
			printRow(w, r, "loki", r.loki, false)
		}
		total.file.sum(r.file)
		total.loki.sum(r.loki)
		kills += r.kills
		held += r.heldKills
		crashes += len(r.selfExits)
		failed = failed || r.failed()
	}
	fmt.Fprintf(w, "%-21s %-8s %8d %9d %7d %7d %6d %6d\n", "total", "archive",
		total.file.written, total.file.delivered, total.file.lost, total.file.dups, kills, crashes)
	if total.loki.counted {
		fmt.Fprintf(w, "%-21s %-8s %8d %9d %7d %7d\n", "total", "loki",
			total.loki.written, total.loki.delivered, total.loki.lost, total.loki.dups)
	}
	fmt.Fprintf(w, "\nagent SIGKILLs: %d (%d at random moments, %d across a rotation), agent exits by itself (crash): %d\n",
		kills, kills-held, held, crashes)
	printDetails(w, results)
	verdict := "PASS: no line lost"
	if failed {
		verdict = "FAIL: lines lost or a phase could not be drained/counted"
	}
	fmt.Fprintf(w, "\n%s\n", verdict)
	return failed
}

// printRow prints one phase's figures for one sink; the agent's figures
// go on the first row only.
func printRow(w io.Writer, r *phaseResult, sink string, t tally, first bool) {
	if !first {
		fmt.Fprintf(w, "%-21s %-8s %8d %9d %7d %7d\n", "", sink, t.written, t.delivered, t.lost, t.dups)
		return
	}
	fmt.Fprintf(w, "%-21s %-8s %8d %9d %7d %7d %6d %6d %5d %5d %6.0f\n", r.name, sink,
		t.written, t.delivered, t.lost, t.dups, r.kills, len(r.selfExits), r.rotations, r.sinkKills, r.duration.Seconds())
}

// sum adds u to t.
func (t *tally) sum(u tally) {
	if !u.counted {
		return
	}
	t.counted = true
	t.written += u.written
	t.delivered += u.delivered
	t.lost += u.lost
	t.dups += u.dups
	t.unexpected += u.unexpected
}

// failed reports whether the phase lost lines or could not be checked.
func (r *phaseResult) failed() bool {
	if r.skipped != "" {
		return false
	}
	if r.drainErr != "" || r.file.err != "" || r.loki.err != "" || r.file.lost > 0 || r.loki.lost > 0 || r.file.torn > 0 || r.loki.torn > 0 {
		return true
	}
	return r.identicalMissing > 0
}

// printDetails prints what else each phase saw: notes, identical lines,
// crashes, errors the agent logged, where lines were lost.
func printDetails(w io.Writer, results []*phaseResult) {
	for _, r := range results {
		if r.skipped != "" {
			continue
		}
		var d []string
		d = append(d, r.notes...)
		if r.identicalWritten > 0 {
			d = append(d, fmt.Sprintf("identical lines: %d written in %d bursts of %d, %d in the file sink, %d bursts short by %d lines in all (Loki keeps one per stream and timestamp)",
				r.identicalWritten, r.identicalWritten/identicalBurst, identicalBurst, r.file.identical, r.shortBursts, r.identicalMissing))
		}
		if len(r.selfExits) > 0 {
			d = append(d, fmt.Sprintf("agent exited by itself %d times (restarted after 500 ms), last: %s", len(r.selfExits), r.selfExits[len(r.selfExits)-1]))
		}
		d = append(d, sinkDetails("archive", r.file)...)
		d = append(d, sinkDetails("loki", r.loki)...)
		if r.drainErr != "" {
			d = append(d, "drain: "+r.drainErr)
		}
		for _, p := range topProblems(r.problems, 5) {
			d = append(d, "agent log: "+p)
		}
		for _, p := range topProblems(r.drainProblems, 5) {
			d = append(d, "drain log: "+p)
		}
		if len(d) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d agent starts):\n", r.name, r.starts)
		for _, s := range d {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
}

// sinkDetails describes a sink's lost ranges, garbled lines and errors.
func sinkDetails(sink string, t tally) []string {
	var d []string
	if len(t.lostRanges) > 0 {
		d = append(d, fmt.Sprintf("%s lost %s", sink, strings.Join(t.lostRanges, ", ")))
	}
	if t.torn > 0 {
		d = append(d, fmt.Sprintf("%s: %d torn lines (cut short or run together): %s", sink, t.torn, strings.Join(t.tornLines, ", ")))
	}
	if t.unexpected > 0 {
		d = append(d, fmt.Sprintf("%s: %d lines with no written tag", sink, t.unexpected))
	}
	if t.err != "" {
		d = append(d, fmt.Sprintf("%s: reading failed: %s", sink, t.err))
	}
	return d
}

// sourceVersion names the commit of the source tree (and whether it has
// local changes) or the tree itself when it is no git checkout.
func sourceVersion(src string) string {
	cmd := exec.Command("git", "-C", src, "log", "-1", "--format=%h %cd", "--date=format-local:%Y-%m-%d %H:%M UTC")
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		return "tree " + src + " (no git) at " + time.Now().UTC().Format(time.RFC3339)
	}
	v := "commit " + strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", src, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		v += " with local changes"
	}
	return v
}
