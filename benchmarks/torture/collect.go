package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// tally is what one sink received of a phase's tagged lines.
type tally struct {
	counted    bool // false: this sink was not part of the phase
	written    int
	delivered  int // distinct written lines seen at least once
	lost       int
	dups       int // copies beyond the first
	unexpected int // tagged lines that were never written
	torn       int // lines cut short or run together
	tornLines  []string
	lostRanges []string
	identical  int            // identical-burst lines seen
	bursts     map[string]int // identical lines seen per burst
	err        string
}

// phaseResult is everything the report says about one phase.
type phaseResult struct {
	name             string
	skipped          string
	duration         time.Duration
	mounted          string
	kills, starts    int
	heldKills        int // of kills, those across a rotation
	selfExits        []string
	sinkKills        int
	rotations        int
	identicalWritten int
	identicalMissing int // lines missing from bursts the file sink got short
	shortBursts      int
	written          int
	file, loki       tally
	drainErr         string
	problems         map[string]int
	drainProblems    map[string]int
	notes            []string
}

// collect counts the phase's lines in the file sink and in Loki.
func (r *phaseRun) collect() {
	written := r.w.written()
	for _, n := range written {
		r.res.written += n
	}
	lines, err := fileSinkLines(filepath.Join(r.dir, "out"), "archive")
	r.res.file = tallyLines(written, lines)
	if err != nil {
		r.res.file.err = err.Error()
	}
	for _, b := range r.w.bursts {
		if got := r.res.file.bursts[b]; got < identicalBurst {
			r.res.shortBursts++
			r.res.identicalMissing += identicalBurst - got
		}
	}
	if r.env.loki == nil || r.p.fileOnly {
		return
	}
	start := r.w.base.Add(-time.Hour)
	end := r.w.lastTime().Add(time.Hour)
	if now := time.Now().Add(time.Hour); now.After(end) {
		end = now
	}
	lines, err = r.env.loki.lines(r.p.name, start, end)
	r.res.loki = tallyLines(written, lines)
	if err != nil {
		r.res.loki.err = err.Error()
	}
}

// fileSinkLines reads every line of the uncompressed files a file sink
// named sink wrote into dir.
func fileSinkLines(dir, sink string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, sink+"-*.log"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var lines []string
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return lines, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return lines, err
		}
	}
	return lines, nil
}

// tallyLines counts the delivered lines against written (lines per
// stream tag, numbered from 0).
func tallyLines(written map[string]int, lines []string) tally {
	t := tally{counted: true, bursts: map[string]int{}}
	counts := map[string][]int32{}
	for tag, n := range written {
		counts[tag] = make([]int32, n)
		t.written += n
	}
	for _, l := range lines {
		if !strings.HasSuffix(l, taggedEnd) && !strings.HasSuffix(l, identicalEnd) {
			t.torn++
			if len(t.tornLines) < 3 {
				t.tornLines = append(t.tornLines, fmt.Sprintf("%.240q", l))
			}
			continue
		}
		if b, ok := parseBurst(l); ok {
			t.identical++
			t.bursts[b]++
			continue
		}
		tag, n, ok := parseTag(l)
		if c := counts[tag]; !ok || n < 0 || n >= len(c) {
			t.unexpected++
			continue
		}
		counts[tag][n]++
	}
	tags := make([]string, 0, len(counts))
	for tag := range counts {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	for _, tag := range tags {
		t.add(tag, counts[tag])
	}
	return t
}

// add counts one stream's lines and remembers where lines were lost.
func (t *tally) add(tag string, c []int32) {
	for i := 0; i < len(c); i++ {
		if c[i] > 0 {
			t.delivered++
			t.dups += int(c[i]) - 1
			continue
		}
		j := i
		for j+1 < len(c) && c[j+1] == 0 {
			j++
		}
		t.lost += j - i + 1
		if len(t.lostRanges) < 8 {
			t.lostRanges = append(t.lostRanges, fmt.Sprintf("/seq/%s/%d-%d", tag, i, j))
		}
		i = j
	}
}
