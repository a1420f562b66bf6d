package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// regularSize returns the size of r if it is a regular file (a job with
// an end, not a pipe, FIFO or terminal), else -1.
func regularSize(r io.Reader) int64 {
	f, ok := r.(*os.File)
	if !ok {
		return -1
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	return fi.Size()
}

// job is a run of filter or aggregate over one input: it shows a progress
// bar on a terminal and says at the end what it did.
type job struct {
	start   time.Time
	stderr  io.Writer
	bar     *progressbar.ProgressBar
	lines   int64     // newlines read so far
	shown   time.Time // when the bar's description was last updated
	summary bool      // print the summary line at the end
}

// startJob wraps in: with a bar on stderr (bytes, lines/s, ETA) when
// stderr is a terminal and in is a regular file. The summary line is
// printed for a regular file or on a terminal; a pipe (tarn filter behind
// Apache's CustomLog) stays quiet.
func startJob(in io.Reader, stderr io.Writer) (io.Reader, *job) {
	j := &job{start: time.Now(), stderr: stderr}
	size, tty := regularSize(in), isTerminal(stderr)
	j.summary = size >= 0 || tty
	if size <= 0 || !tty {
		return in, j
	}
	j.bar = progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription("0 lines"),
	)
	return io.TeeReader(in, j), j
}

// Write counts what was read (the TeeReader's copy) and moves the bar.
func (j *job) Write(p []byte) (int, error) {
	j.lines += int64(bytes.Count(p, []byte{'\n'}))
	if now := time.Now(); now.Sub(j.shown) >= 250*time.Millisecond {
		j.shown = now
		rate := float64(j.lines) / max(now.Sub(j.start).Seconds(), 1e-3)
		j.bar.Describe(fmt.Sprintf("%d lines, %.0f lines/s", j.lines, rate))
	}
	return len(p), j.bar.Add(len(p))
}

// finish removes the bar and prints line (the summary) if the job prints
// one.
func (j *job) finish(line func(elapsed time.Duration) string) {
	if j.bar != nil {
		j.bar.Finish()
		j.bar.Clear()
	}
	if j.summary && line != nil {
		fmt.Fprint(j.stderr, line(time.Since(j.start)))
	}
}
