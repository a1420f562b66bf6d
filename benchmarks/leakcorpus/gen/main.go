// Command gen writes the leak corpus (package leakcorpus) to stdout, one
// physical line each, for measurements on the logs of one kind:
//
//	go run ./benchmarks/leakcorpus/gen -kind auth-syslog -n 5000 > auth.log
//
// Without -kind it writes every kind, one after the other.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tarn-project/tarn/benchmarks/leakcorpus"
)

func main() {
	kind := flag.String("kind", "", "the kind to write (default: all), e.g. nginx-access, auth-syslog, cri")
	n := flag.Int("n", 1000, "records per kind (at most about 2000: the corpus runs out of unique names)")
	seed := flag.Uint64("seed", 13, "generator seed")
	day := flag.String("day", "2026-11-20", "date of the first record (UTC)")
	flag.Parse()
	if err := run(*kind, *n, *seed, *day); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
}

func run(kind string, n int, seed uint64, day string) error {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return fmt.Errorf("-day: %v", err)
	}
	if kind != "" && !known(kind) {
		return fmt.Errorf("-kind: unknown kind %q", kind)
	}
	w := bufio.NewWriter(os.Stdout)
	for _, r := range leakcorpus.Generate(seed, n, d).Records {
		if kind != "" && r.Kind != kind {
			continue
		}
		for _, l := range r.Lines {
			w.WriteString(l)
			w.WriteByte('\n')
		}
	}
	return w.Flush()
}

// known reports whether kind names one of leakcorpus.Kinds.
func known(kind string) bool {
	for _, k := range leakcorpus.Kinds {
		if k.Name == kind {
			return true
		}
	}
	return false
}
