package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rotation is how a phase rotates its log files.
type rotation int

const (
	noRotation rotation = iota
	// renameRotation is logrotate's create: shift access.log.N to .N+1,
	// mv access.log access.log.1, a few more lines to the old file (the
	// server has not reopened yet), then a new access.log.
	renameRotation
	// copytruncateRotation is logrotate's copytruncate: shift the copies,
	// cp access.log access.log.1, truncate access.log; the writer keeps
	// its O_APPEND descriptor. Nothing is written between copy and
	// truncate, so the agent could see every line.
	copytruncateRotation
)

const (
	clf = "02/Jan/2006:15:04:05 -0700"
	// perSecond is how many lines of one stream share a timestamp: Loki
	// pages queries by time, 5000 entries at most per timestamp.
	perSecond = 400
	// batchLines is what one write(2) to a stream holds.
	batchLines = 25
	// afterRename is how many lines still go to a renamed file.
	afterRename = 10
	// identicalBurst is how many byte-identical lines one burst writes
	// (more than one read chunk of the agent holds).
	identicalBurst = 10000
	// identicalMarker is in every identical line and in no other; the
	// burst's name follows it.
	identicalMarker = "GET /same/"
)

// Every tagged line ends with taggedEnd and every identical line with
// identicalEnd; a delivered line without it is torn.
const (
	taggedEnd    = `"Mozilla/5.0 (X11; Linux x86_64) torture/1"`
	identicalEnd = `"torture-identical"`
)

// taggedLine is line n of the stream tagged tag, a combined access-log
// line whose path /seq/<tag>/<n> survives the default rules.
func taggedLine(tag string, n int, ts time.Time) string {
	return fmt.Sprintf("198.51.100.%d - user%d [%s] \"GET /seq/%s/%d?page=%d HTTP/1.1\" %d %d \"https://example.com/\" %s\n",
		n%250, n%50, ts.Format(clf), tag, n, n%7, 200+n%3, 100+n%5000, taggedEnd)
}

// identicalLine is the line burst repeats.
func identicalLine(burst string, ts time.Time) string {
	return fmt.Sprintf("198.51.100.1 - - [%s] \"%s%s HTTP/1.1\" 200 1 \"-\" %s\n", ts.Format(clf), identicalMarker, burst, identicalEnd)
}

// parseBurst returns the burst name of an identical line.
func parseBurst(line string) (string, bool) {
	i := strings.Index(line, identicalMarker)
	if i < 0 {
		return "", false
	}
	rest := line[i+len(identicalMarker):]
	j := strings.IndexByte(rest, ' ')
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}

// parseTag finds /seq/<tag>/<n> in a delivered line.
func parseTag(line string) (tag string, n int, ok bool) {
	i := strings.Index(line, "/seq/")
	if i < 0 {
		return "", 0, false
	}
	rest := line[i+len("/seq/"):]
	j := strings.IndexByte(rest, '/')
	if j <= 0 {
		return "", 0, false
	}
	k := j + 1
	for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
		k++
	}
	n, err := strconv.Atoi(rest[j+1 : k])
	if err != nil {
		return "", 0, false
	}
	return rest[:j], n, true
}

// stream is one log file (dir/access.log) and its rotations.
type stream struct {
	tag         string
	dir         string
	f           *os.File
	n           int // tagged lines written
	untilRotate int
	untilBurst  int
	rotated     int // access.log.1 ... access.log.<rotated> exist
}

// writer writes the sequence-tagged lines of one phase.
type writer struct {
	p       phase
	streams []*stream
	same    *stream // the identical phase's file of identical bursts only
	rate    int
	rng     *rand.Rand
	base    time.Time
	every   int // lines of a stream between rotations (on average)
	// around, if set, runs each rotation (to take the agent down across
	// some of them).
	around    func(rotate func() error) error
	mu        sync.Mutex
	identical int
	bursts    []string
	rotations int
	total     int
}

// newWriter creates dir/logs/<a,b>/access.log for phase p; every stream
// rotates about six times over its share of perStream lines.
func newWriter(p phase, dir string, streams, perStream, rate int, rng *rand.Rand) (*writer, error) {
	w := &writer{p: p, rate: rate, rng: rng, base: time.Now().UTC().Truncate(time.Second)}
	w.every = max(perStream/6, 200)
	for i := 0; i < streams; i++ {
		name := string(rune('a' + i))
		s := &stream{tag: p.name + "-" + name, dir: filepath.Join(dir, "logs", name)}
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return nil, err
		}
		if err := s.open(); err != nil {
			return nil, err
		}
		s.untilRotate = w.jitter(w.every)
		s.untilBurst = w.jitter(w.every)
		w.streams = append(w.streams, s)
	}
	if p.identical {
		w.same = &stream{tag: p.name + "-same", dir: filepath.Join(dir, "logs", "same")}
		if err := os.MkdirAll(w.same.dir, 0o755); err != nil {
			return nil, err
		}
		if err := w.same.open(); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// jitter returns a random value in [n/2, 3n/2).
func (w *writer) jitter(n int) int { return n/2 + w.rng.IntN(n) }

// path is the stream's live file.
func (s *stream) path() string { return filepath.Join(s.dir, "access.log") }

// open opens (creating) the live file for appending.
func (s *stream) open() error {
	f, err := os.OpenFile(s.path(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	s.f = f
	return err
}

// write writes n more tagged lines, round-robin over the streams at the
// writer's rate, rotating and bursting as the phase says; it stops early
// when stop (if not nil) returns true. It returns the lines written.
func (w *writer) write(n int, stop func() bool) (int, error) {
	begin := time.Now()
	done := 0
	for done < n {
		if stop != nil && stop() {
			break
		}
		for _, s := range w.streams {
			k := min(batchLines, n-done)
			if k <= 0 {
				break
			}
			if err := w.batch(s, k); err != nil {
				return done, err
			}
			done += k
			if err := w.afterBatch(s, k); err != nil {
				return done, err
			}
		}
		if d := time.Until(begin.Add(time.Duration(done) * time.Second / time.Duration(w.rate))); d > 0 {
			time.Sleep(d)
		}
	}
	return done, nil
}

// batch appends k tagged lines to s with one write.
func (w *writer) batch(s *stream, k int) error {
	var b strings.Builder
	for i := 0; i < k; i++ {
		ts := w.base.Add(time.Duration(s.n/perSecond) * time.Second)
		b.WriteString(taggedLine(s.tag, s.n, ts))
		s.n++
	}
	_, err := io.WriteString(s.f, b.String())
	w.mu.Lock()
	w.total += k
	w.mu.Unlock()
	return err
}

// afterBatch rotates s or writes an identical burst when it is due.
func (w *writer) afterBatch(s *stream, k int) error {
	if w.p.identical {
		if s.untilBurst -= k; s.untilBurst <= 0 {
			s.untilBurst = w.jitter(w.every)
			if err := w.burst(s.n); err != nil {
				return err
			}
		}
	}
	if w.p.rotate == noRotation {
		return nil
	}
	if s.untilRotate -= k; s.untilRotate > 0 {
		return nil
	}
	s.untilRotate = w.jitter(w.every)
	w.mu.Lock()
	w.rotations++
	w.mu.Unlock()
	rotate := s.copytruncate
	if w.p.rotate == renameRotation {
		rotate = func() error { return w.renameRotate(s) }
	}
	if w.around != nil {
		return w.around(rotate)
	}
	return rotate()
}

// burst appends identicalBurst byte-identical lines to the file of
// bursts, timed like line n of a stream. Nothing else is in that file, so
// the agent's records of it hold nothing but identical entries; bursts
// differ in name and time, as their compressed size does.
func (w *writer) burst(n int) error {
	name := fmt.Sprintf("%s-%d", w.same.tag, len(w.bursts))
	line := identicalLine(name, w.base.Add(time.Duration(n/perSecond)*time.Second))
	if _, err := io.WriteString(w.same.f, strings.Repeat(line, identicalBurst)); err != nil {
		return err
	}
	w.mu.Lock()
	w.bursts = append(w.bursts, name)
	w.identical += identicalBurst
	w.mu.Unlock()
	return nil
}

// burstAlone appends an identical burst (opened anew, so it also works
// after close). Written before the agent starts or before the drain, it
// is read with no other file's lines.
func (w *writer) burstAlone() error {
	old := w.same.f
	if err := w.same.open(); err != nil {
		return err
	}
	err := w.burst(w.streams[0].n)
	w.same.f.Close()
	w.same.f = old
	return err
}

// shift renames access.log.i to access.log.i+1, oldest first.
func (s *stream) shift() error {
	for i := s.rotated; i >= 1; i-- {
		if err := os.Rename(s.path()+"."+strconv.Itoa(i), s.path()+"."+strconv.Itoa(i+1)); err != nil {
			return err
		}
	}
	return nil
}

// renameRotate rotates s the way logrotate's create does.
func (w *writer) renameRotate(s *stream) error {
	if err := s.shift(); err != nil {
		return err
	}
	if err := os.Rename(s.path(), s.path()+".1"); err != nil {
		return err
	}
	s.rotated++
	if err := w.batch(s, afterRename); err != nil {
		return err
	}
	s.f.Close()
	return s.open()
}

// copytruncate rotates s the way logrotate's copytruncate does.
func (s *stream) copytruncate() error {
	if err := s.shift(); err != nil {
		return err
	}
	if err := copyFile(s.path(), s.path()+".1"); err != nil {
		return err
	}
	s.rotated++
	return s.f.Truncate(0)
}

// copyFile copies src to a new file dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// close closes the live files.
func (w *writer) close() {
	for _, s := range w.streams {
		s.f.Close()
	}
	if w.same != nil {
		w.same.f.Close()
	}
}

// written returns the tagged lines written per stream tag.
func (w *writer) written() map[string]int {
	out := map[string]int{}
	for _, s := range w.streams {
		out[s.tag] = s.n
	}
	return out
}

// lastTime is the timestamp of the newest line written.
func (w *writer) lastTime() time.Time {
	last := w.base
	for _, s := range w.streams {
		if t := w.base.Add(time.Duration(s.n/perSecond) * time.Second); t.After(last) {
			last = t
		}
	}
	return last
}

// stats returns the lines written so far, identical lines and rotations.
func (w *writer) stats() (total, identical, rotations int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total, w.identical, w.rotations
}
