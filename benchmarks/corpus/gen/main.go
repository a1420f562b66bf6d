// Command gen writes a deterministic synthetic log corpus to stdout:
//
//	go run ./benchmarks/corpus/gen -kind combined -n 1000000 -seed 1 > file
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tarn-project/tarn/benchmarks/corpus"
)

func main() {
	kind := flag.String("kind", "combined", "log format: combined, vhost or json")
	n := flag.Int("n", 1000, "number of lines")
	seed := flag.Int64("seed", 1, "random seed; the same seed gives the same bytes")
	clients := flag.Int("clients", corpus.DefaultClients, "number of distinct client addresses")
	start := flag.String("start", "", "time of the first line, RFC 3339 (default 2026-11-20T13:55:36+01:00)")
	flag.Parse()
	if err := run(*kind, *n, *seed, *clients, *start); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(kind string, n int, seed int64, clients int, start string) error {
	k, err := corpus.ParseKind(kind)
	if err != nil {
		return err
	}
	opts := corpus.Options{Kind: k, Seed: seed, Clients: clients}
	if start != "" {
		if opts.Start, err = time.Parse(time.RFC3339, start); err != nil {
			return fmt.Errorf("-start: %w", err)
		}
	}
	_, err = corpus.New(opts).WriteN(os.Stdout, n)
	return err
}
