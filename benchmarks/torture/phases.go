package main

import (
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// phase is one scenario, run by its own agent on its own files.
type phase struct {
	name      string
	glob      string // below logs/: a directory per stream
	rotate    rotation
	identical bool // bursts of byte-identical lines between the tagged ones
	sinkChaos bool // Loki is killed and restarted while lines are written
	spoolFull bool // the spool is on a small tmpfs that fills while Loki is down
	fileOnly  bool // no loki sink (it keeps one of identical lines anyway)
	sinkFull  bool // the file sink's directory is a tmpfs, filled for a while
	weight    int  // share of the lines
}

// allPhases are the phases in the order they run.
var allPhases = []phase{
	{name: "rename-match", glob: "*/access.log*", rotate: renameRotation, weight: 1},
	{name: "rename-nomatch", glob: "*/*access.log", rotate: renameRotation, weight: 1},
	{name: "copytruncate-match", glob: "*/access.log*", rotate: copytruncateRotation, weight: 1},
	{name: "copytruncate-nomatch", glob: "*/*access.log", rotate: copytruncateRotation, weight: 1},
	{name: "identical", glob: "*/access.log", identical: true, fileOnly: true, weight: 1},
	{name: "sink-restart", glob: "*/access.log", sinkChaos: true, weight: 1},
	{name: "filesink-full", glob: "*/access.log", sinkFull: true, weight: 1},
	{name: "spool-full", glob: "*/access.log", spoolFull: true, weight: 2},
}

// streamsPerPhase is the number of log files each phase writes.
const streamsPerPhase = 2

// phaseNames lists the phases' names.
func phaseNames() []string {
	var out []string
	for _, p := range allPhases {
		out = append(out, p.name)
	}
	return out
}

// selectPhases returns the phases named in the comma-separated list (or
// all of them for "all"), in run order.
func selectPhases(list string) ([]phase, error) {
	if list == "all" || list == "" {
		return allPhases, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []phase
	for _, p := range allPhases {
		if want[p.name] {
			out = append(out, p)
			delete(want, p.name)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("unknown phase %q (phases: %s)", n, strings.Join(phaseNames(), ", "))
	}
	return out, nil
}

// phaseRun is the state of one running phase.
type phaseRun struct {
	env    *env
	p      phase
	dir    string
	cfg    string
	listen string
	w      *writer
	sup    *supervisor
	res    *phaseResult
}

// runPhase runs phase p with lines tagged lines and kills SIGKILLs and
// returns what was written and delivered.
func runPhase(e *env, p phase, lines, kills int) *phaseResult {
	res := &phaseResult{name: p.name}
	begin := time.Now()
	defer func() { res.duration = time.Since(begin) }()
	if (p.sinkChaos || p.spoolFull) && e.loki == nil {
		res.skipped = "needs Loki: " + e.lokiWhy
		log.Printf("phase %s skipped: %s", p.name, res.skipped)
		return res
	}
	r := &phaseRun{env: e, p: p, dir: filepath.Join(e.work, p.name), res: res}
	if err := r.prepare(lines); err != nil {
		res.skipped = err.Error()
		log.Printf("phase %s skipped: %s", p.name, res.skipped)
		return res
	}
	defer r.cleanupMount()
	r.chaos(lines, kills)
	r.finish()
	return res
}

// prepare creates the phase's directories, spool mount, config and
// writer.
func (r *phaseRun) prepare(lines int) error {
	if err := os.MkdirAll(filepath.Join(r.dir, "data"), 0o700); err != nil {
		return err
	}
	if r.p.spoolFull {
		spool := filepath.Join(r.dir, "data", "spool")
		if err := mountTmpfs(spool, r.env.o.tmpfsSize, r.env.o.spoolFree); err != nil {
			return fmt.Errorf("spool-full needs a tmpfs: %v", err)
		}
		r.res.mounted = spool
	}
	if r.p.sinkFull {
		out := filepath.Join(r.dir, "out")
		if err := mountTmpfs(out, sinkTmpfsSize, 0); err != nil {
			return fmt.Errorf("filesink-full needs a tmpfs: %v", err)
		}
		r.res.mounted = out
	}
	lokiURL := ""
	if r.env.loki != nil && !r.p.fileOnly {
		lokiURL = r.env.loki.pushURL()
	}
	r.listen = freeAddr()
	r.cfg = filepath.Join(r.dir, "tarn.yaml")
	if err := os.WriteFile(r.cfg, []byte(agentConfig(r.p, lokiURL, r.listen)), 0o644); err != nil {
		return err
	}
	w, err := newWriter(r.p, r.dir, streamsPerPhase, lines/streamsPerPhase, r.rate(lines), r.childRng())
	r.w = w
	return err
}

// rate is -rate, lowered so that lines take at least -phase-secs.
func (r *phaseRun) rate(lines int) int {
	secs := r.env.o.phaseSecs.Seconds()
	if secs <= 0 {
		return r.env.o.rate
	}
	return max(1, min(r.env.o.rate, int(float64(lines)/secs)))
}

// childRng derives a generator for one goroutine from the run's seed.
func (r *phaseRun) childRng() *rand.Rand {
	return rand.New(rand.NewPCG(r.env.rng.Uint64(), r.env.rng.Uint64()))
}

// cleanupMount unmounts the phase's tmpfs; the file sink's files on one
// are copied to out-saved first.
func (r *phaseRun) cleanupMount() {
	if r.res.mounted == "" {
		return
	}
	if r.p.sinkFull {
		if err := os.CopyFS(r.res.mounted+"-saved", os.DirFS(r.res.mounted)); err != nil {
			log.Printf("save %s: %v", r.res.mounted, err)
		}
	}
	if err := unmount(r.res.mounted); err != nil {
		log.Print(err)
	}
}

// chaos runs the agent while the writer writes, with kills and, for the
// sink phases, Loki outages; it returns when the writer is done and
// every kill happened.
func (r *phaseRun) chaos(lines, kills int) {
	r.identicalBursts()
	sup, err := startSupervisor(r.env.bin, r.cfg, filepath.Join(r.dir, "agent.log"))
	if err != nil {
		r.res.drainErr = err.Error()
		return
	}
	r.sup = sup
	r.w.around = r.rotationKills()
	if r.p.identical {
		time.Sleep(time.Second) // the first burst is read alone
	}
	writing := time.Duration(lines) * time.Second / time.Duration(r.rate(lines))
	if r.p.spoolFull {
		writing += r.env.o.fullHold
	}
	writerDone := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		killer(sup, kills, writing/time.Duration(kills+1), writerDone, r.childRng())
	}()
	stopSink := make(chan struct{})
	if r.p.sinkChaos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sinkChaos(r.env.loki, stopSink, r.childRng())
		}()
	}
	sinkKills := r.sinkKills()
	r.writeAll(lines)
	close(writerDone)
	close(stopSink)
	wg.Wait()
	r.res.sinkKills = r.sinkKills() - sinkKills
}

// rotationKills returns what runs the rotations: every third one with
// the agent SIGKILLed just before and restarted just after it (these kills
// come on top of -kills), as when the agent restarts during logrotate.
func (r *phaseRun) rotationKills() func(func() error) error {
	n := 0
	return func(rotate func() error) error {
		n++
		if n%3 != 0 {
			return rotate()
		}
		r.sup.killHeld()
		defer r.sup.release()
		return rotate()
	}
}

// sinkKills is how often Loki was killed so far.
func (r *phaseRun) sinkKills() int {
	if r.env.loki == nil {
		return 0
	}
	return r.env.loki.killCount()
}

// writeAll writes the phase's lines: all at once, or for spool-full with
// Loki down until the tmpfs is full, held full, then the rest.
func (r *phaseRun) writeAll(lines int) {
	defer r.w.close()
	if r.p.sinkFull {
		r.writeSinkFull(lines)
		return
	}
	if !r.p.spoolFull {
		if _, err := r.w.write(lines, nil); err != nil {
			r.note("writer: %v", err)
		}
		return
	}
	r.env.loki.stop()
	r.note("Loki stopped; spool on a %s tmpfs with %d bytes free", r.env.o.tmpfsSize, r.freeNow())
	full := r.fillSpool(lines)
	if full {
		r.holdFull()
	}
	if err := r.env.loki.ensureUp(); err != nil {
		r.note("Loki restart: %v", err)
	}
	rest := max(lines/5, lines-r.written())
	if _, err := r.w.write(rest, nil); err != nil {
		r.note("writer: %v", err)
	}
}

// fillSpool writes until the spool's filesystem is nearly full (at most
// six times the phase's lines) and reports whether it got there.
func (r *phaseRun) fillSpool(lines int) bool {
	begin := time.Now()
	full := func() bool { return r.freeNow() < 64<<10 }
	if _, err := r.w.write(6*lines, full); err != nil {
		r.note("writer: %v", err)
	}
	if !full() {
		r.note("the spool never filled (%d lines written, %d bytes free)", r.written(), r.freeNow())
		return false
	}
	r.note("spool disk nearly full (%d bytes free) after %s and %d lines", r.freeNow(), time.Since(begin).Round(100*time.Millisecond), r.written())
	return true
}

// holdFull goes on writing at the phase's rate for fullHold, far more than
// the disk has room for, and records what /readyz answers meanwhile.
func (r *phaseRun) holdFull() {
	end := time.Now().Add(r.env.o.fullHold)
	ready := map[string]int{}
	for time.Now().Before(end) {
		if _, err := r.w.write(max(streamsPerPhase*batchLines, r.w.rate/2), nil); err != nil {
			r.note("writer: %v", err)
			return
		}
		ready[readyz(r.listen)]++
	}
	r.note("while full, /readyz answered %v; %d bytes free", ready, r.freeNow())
}

// readyz returns the agent's /readyz status (or why there was none).
func readyz(addr string) string {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get("http://" + addr + "/readyz")
	if err != nil {
		return "no answer"
	}
	resp.Body.Close()
	return fmt.Sprint(resp.StatusCode)
}

// freeNow is the free space of the phase's tmpfs (-1 without one).
func (r *phaseRun) freeNow() int64 {
	if r.res.mounted == "" {
		return -1
	}
	n, err := freeBytes(r.res.mounted)
	if err != nil {
		return -1
	}
	return n
}

// written is the number of tagged lines written so far.
func (r *phaseRun) written() int {
	n, _, _ := r.w.stats()
	return n
}

// note adds a line to the phase's report and logs it.
func (r *phaseRun) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	log.Printf("phase %s: %s", r.p.name, msg)
	r.res.notes = append(r.res.notes, msg)
}

// killer SIGKILLs the agent quota times at random moments about interval
// apart; once the writer is done it goes on at most 1.5 s apart, so the
// last kills hit the agent while it catches up.
func killer(sup *supervisor, quota int, interval time.Duration, writerDone <-chan struct{}, rng *rand.Rand) {
	for k := 0; k < quota; {
		d := time.Duration(float64(interval) * (0.3 + 1.4*rng.Float64()))
		select {
		case <-writerDone:
			d = min(d, time.Duration(100+rng.IntN(1400))*time.Millisecond)
		default:
		}
		time.Sleep(d)
		for !sup.kill() { // not (yet) running again: wait for the restart
			time.Sleep(20 * time.Millisecond)
		}
		k++
	}
}

// sinkChaos kills Loki every 1-3 s and restarts it after 0.5-3 s down,
// until stop; Loki is running when it returns.
func sinkChaos(l *lokiServer, stop <-chan struct{}, rng *rand.Rand) {
	for {
		select {
		case <-stop:
			l.ensureUp()
			return
		case <-time.After(time.Duration(1000+rng.IntN(2000)) * time.Millisecond):
		}
		l.kill()
		time.Sleep(time.Duration(500+rng.IntN(2500)) * time.Millisecond)
		if err := l.ensureUp(); err != nil {
			log.Printf("restart Loki: %v", err)
		}
	}
}

// identicalBursts writes a burst alone in the identical phase.
func (r *phaseRun) identicalBursts() {
	if !r.p.identical {
		return
	}
	if err := r.w.burstAlone(); err != nil {
		r.note("writer: %v", err)
	}
}

// finish stops the agent, brings Loki back, drains with run --once and
// counts what the sinks got.
func (r *phaseRun) finish() {
	if r.sup == nil {
		return
	}
	r.sup.stop()
	r.res.kills, r.res.heldKills, r.res.starts, r.res.selfExits = r.sup.counts()
	r.identicalBursts()
	_, r.res.identicalWritten, r.res.rotations = r.w.stats()
	if r.env.loki != nil {
		if err := r.env.loki.ensureUp(); err != nil {
			r.note("Loki restart before the drain: %v", err)
		}
	}
	log.Printf("phase %s: draining with run --once", r.p.name)
	tries, err := drain(r.env.bin, r.cfg, filepath.Join(r.dir, "drain.log"), r.env.o.drainTimeout, r.env.o.drainTries)
	if err != nil {
		r.res.drainErr = fmt.Sprintf("%v (%d attempts)", err, tries)
	} else if tries > 1 {
		r.note("run --once succeeded at attempt %d", tries)
	}
	r.res.problems = logProblems(filepath.Join(r.dir, "agent.log"))
	r.res.drainProblems = logProblems(filepath.Join(r.dir, "drain.log"))
	r.collect()
}
