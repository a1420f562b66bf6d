package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

// sumStats adds up the counters of all processors of a run; joinCut
// counts the records the joining of container records cut
// (filter_cri.go).
func sumStats(eng *rules.Engine, procs []*rules.Processor, joinCut uint64) rules.Stats {
	var s rules.Stats
	s.Cut = joinCut
	s.Actions = make([]uint64, len(eng.Rules()))
	for _, p := range procs {
		s.Add(&p.Stats)
	}
	return s
}

// warnTooOld says once on stderr how many records were dropped for being
// older than the rules' max_age, and how to process an old log anyway.
// It prints nothing when none were.
func warnTooOld(w io.Writer, eng *rules.Engine, s *rules.Stats, now time.Time) {
	old := s.Records[rules.DropTooOld]
	if old == 0 {
		return
	}
	var total uint64
	for _, n := range s.Records {
		total += n
	}
	what := fmt.Sprintf("%d of %d records", old, total)
	if old == total {
		what = fmt.Sprintf("all %d records", total)
	}
	maxAge := strictyaml.Duration(eng.MaxAge()).String()
	fmt.Fprintf(w, "tarn: warning: %s dropped as too old: older than max_age %s before %s (retention). "+
		"To process an old log, pass --now with a time just after its last record "+
		"(RFC 3339, e.g. --now 2026-11-21T00:00:00Z), or raise max_age in the rules.\n",
		what, maxAge, now.UTC().Format(time.RFC3339))
}

// summaryLine is the one-line account of a run: lines read, records
// written (out names them: "out", "aggregated"), and drops by reason.
func summaryLine(s *rules.Stats, out string, elapsed time.Duration) string {
	var drops []string
	for r := rules.Kept + 1; r < rules.NumReasons; r++ {
		drops = append(drops, fmt.Sprintf("%s %d", r, s.Records[r]))
	}
	return fmt.Sprintf("tarn: %d lines in (%s), %d %s; dropped: %s; %d unparsed lines scrubbed, %d cut; %s\n",
		s.Lines, humanBytes(float64(s.Bytes)), s.Records[rules.Kept], out, strings.Join(drops, ", "),
		s.Unparsed, s.Cut, elapsed.Round(time.Millisecond))
}
