// Command torture runs the real tarn agent through crashes, log rotations,
// sink outages and a full spool disk, and counts every line it wrote in
// what the sinks received: written, delivered, lost and duplicated, per
// phase and in total. It exits 1 if any line was lost.
//
// Run it from the repository root (Loki phases need the cached Loki test
// binary or TARN_LOKI_BIN; the spool-full phase needs root for mount):
//
//	go run ./benchmarks/torture -lines 200000 -kills 25
//	go run ./benchmarks/torture -short          # 20k lines, 5 kills
//	go run ./benchmarks/torture -phases rename-match,copytruncate-match
//
// Every phase has its own agent (own data dir, logs and outputs), a file
// sink "archive" and, when Loki is available, a loki sink "loki"; phases
// run one after the other against one shared Loki. Lines are combined
// access-log lines whose URL path holds /seq/<phase>-<stream>/<n>, a part
// the default rules keep.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// options are the command-line settings of one torture run.
type options struct {
	lines        int
	kills        int
	rate         int
	phases       string
	src          string
	work         string
	keep         bool
	seed         uint64
	loki         bool
	tmpfsSize    string
	spoolFree    int64
	fullHold     time.Duration
	drainTimeout time.Duration
	drainTries   int
	phaseSecs    time.Duration
	short        bool
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	os.Exit(run(o, os.Stdout))
}

// parseFlags reads the command line; -short lowers -lines and -kills
// unless they were given explicitly.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("torture", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.lines, "lines", 200000, "sequence-tagged lines to write, shared by the phases (spool-full may write more, until the disk is full)")
	fs.IntVar(&o.kills, "kills", 25, "SIGKILLs of the agent, shared by the phases")
	fs.IntVar(&o.rate, "rate", 5000, "lines written per second")
	fs.StringVar(&o.phases, "phases", "all", "comma-separated phases to run: "+strings.Join(phaseNames(), ","))
	fs.StringVar(&o.src, "src", ".", "tarn source tree to build ./cmd/tarn from")
	fs.StringVar(&o.work, "work", "", "working directory (default: a new temporary directory, removed unless -keep or lines were lost)")
	fs.BoolVar(&o.keep, "keep", false, "keep the working directory")
	fs.Uint64Var(&o.seed, "seed", 0, "random seed (0: from the clock; printed)")
	fs.BoolVar(&o.loki, "loki", true, "run a real Loki (lokitest: TARN_LOKI_BIN or the cached build, else built, which takes ~15 min)")
	fs.StringVar(&o.tmpfsSize, "tmpfs-size", "8m", "size of the spool-full phase's tmpfs")
	fs.Int64Var(&o.spoolFree, "spool-free", 1<<20, "bytes left free on that tmpfs by a ballast file (0: no ballast)")
	fs.DurationVar(&o.fullHold, "full-hold", 10*time.Second, "how long the spool stays full (with kills) before the sink comes back")
	fs.DurationVar(&o.drainTimeout, "drain-timeout", 5*time.Minute, "limit of the final `tarn run --once` of a phase")
	fs.IntVar(&o.drainTries, "drain-tries", 3, "attempts of the final `tarn run --once` (like a service manager restarting it)")
	fs.DurationVar(&o.phaseSecs, "phase-secs", 10*time.Second, "least writing time of a phase: -rate is lowered to stretch a small share of lines")
	fs.BoolVar(&o.short, "short", false, "short run: 20000 lines, 8 kills (one per phase) and -phase-secs 5s unless given")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.short {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["lines"] {
			o.lines = 20000
		}
		if !set["kills"] {
			o.kills = 8
		}
		if !set["phase-secs"] {
			o.phaseSecs = 5 * time.Second
		}
	}
	if o.seed == 0 {
		o.seed = uint64(time.Now().UnixNano())
	}
	if o.rate <= 0 || o.lines <= 0 || o.kills < 0 {
		fmt.Fprintln(stderr, "torture: -rate and -lines must be > 0, -kills >= 0")
		return o, fmt.Errorf("bad flags")
	}
	return o, nil
}

// run performs the whole torture run and returns the exit code: 0 when
// nothing was lost, 1 when lines were lost or a drain failed, 2 when the
// run could not be set up.
func run(o options, stdout io.Writer) int {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("torture: ")
	phases, err := selectPhases(o.phases)
	if err != nil {
		log.Print(err)
		return 2
	}
	env, err := setup(o)
	if err != nil {
		log.Print(err)
		return 2
	}
	defer env.cleanup()
	results := runPhases(env, phases)
	failed := report(stdout, o, env, results)
	if failed {
		env.keepWork = true
	}
	if failed {
		return 1
	}
	return 0
}

// runPhases runs each phase with its share of lines and kills.
func runPhases(env *env, phases []phase) []*phaseResult {
	lines := shareLines(env.o.lines, phases)
	kills := shareKills(env.o.kills, len(phases))
	var results []*phaseResult
	for i, p := range phases {
		log.Printf("phase %s: %d lines, %d kills", p.name, lines[i], kills[i])
		r := runPhase(env, p, lines[i], kills[i])
		results = append(results, r)
	}
	return results
}

// shareLines splits total lines by the phases' weights.
func shareLines(total int, phases []phase) []int {
	sum := 0
	for _, p := range phases {
		sum += p.weight
	}
	out := make([]int, len(phases))
	left := total
	for i, p := range phases {
		out[i] = total * p.weight / sum
		left -= out[i]
	}
	out[0] += left
	return out
}

// shareKills spreads total kills evenly, the first phases taking the rest.
func shareKills(total, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = total / n
		if i < total%n {
			out[i]++
		}
	}
	return out
}

// env is what all phases share: options, the binary, Loki, randomness
// and the working directory.
type env struct {
	o        options
	bin      string
	work     string
	keepWork bool
	rng      *rand.Rand
	loki     *lokiServer // nil without Loki
	lokiWhy  string      // why there is no Loki
	cleanups []func()
}

// setup creates the working directory, builds tarn, checks that the
// sequence tag survives the default rules and starts Loki.
func setup(o options) (*env, error) {
	e := &env{o: o, rng: rand.New(rand.NewPCG(o.seed, o.seed^0x9e3779b97f4a7c15)), keepWork: o.keep}
	e.work = o.work
	if e.work == "" {
		d, err := os.MkdirTemp("", "tarn-torture-")
		if err != nil {
			return nil, err
		}
		e.work = d
	} else if err := os.MkdirAll(e.work, 0o755); err != nil {
		return nil, err
	}
	e.work, _ = filepath.Abs(e.work)
	log.Printf("seed %d, working directory %s", o.seed, e.work)
	bin, err := buildTarn(o.src, e.work)
	if err != nil {
		e.cleanup()
		return nil, err
	}
	e.bin = bin
	if err := checkTagSurvives(bin); err != nil {
		e.cleanup()
		return nil, err
	}
	e.startLoki()
	return e, nil
}

// startLoki starts the shared Loki unless -loki=false or it is missing.
func (e *env) startLoki() {
	if !e.o.loki {
		e.lokiWhy = "-loki=false"
		return
	}
	l, err := startLoki(filepath.Join(e.work, "loki"))
	if err != nil {
		e.lokiWhy = err.Error()
		log.Printf("no Loki: %v (the loki sink and the Loki phases are skipped)", err)
		return
	}
	e.loki = l
	e.cleanups = append(e.cleanups, l.close)
}

// cleanup stops Loki, unmounts what is mounted and removes the working
// directory unless it is to be kept.
func (e *env) cleanup() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	e.cleanups = nil
	if e.keepWork || e.o.work != "" {
		log.Printf("kept %s", e.work)
		return
	}
	os.RemoveAll(e.work)
}
