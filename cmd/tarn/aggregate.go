package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/tarn-project/tarn/agent/pipe"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/rules/aggregate/page"
)

// aggregateFlags are the flags of `tarn aggregate`.
type aggregateFlags struct {
	rules, format, keyFile, input, now string
	html                               string
	merge, table, json                 bool
}

func (f *aggregateFlags) specs() []flagSpec {
	return []flagSpec{
		{[]string{"--rules"}, oneFlag, "rules file or builtin:NAME (default builtin:default); its aggregate: section applies", setString(&f.rules)},
		{[]string{"--format"}, oneFlag, "input format: auto, combined, common, json, logfmt", setString(&f.format)},
		{[]string{"--key-file"}, oneFlag, "pseudonym key file; the same key on every node makes visitor sketches mergeable", setString(&f.keyFile)},
		{[]string{"--input"}, oneFlag, "file to read (default stdin)", setString(&f.input)},
		{[]string{"--now"}, oneFlag, "processing time, RFC 3339, for the age rule (default: the clock)", setString(&f.now)},
		{[]string{"--merge"}, boolFlag, "merge the JSON reports named as arguments instead of reading a log", setBool(&f.merge)},
		{[]string{"--table"}, boolFlag, "print a short table (the default on a terminal)", setBool(&f.table)},
		{[]string{"--json"}, boolFlag, "print JSON even on a terminal", setBool(&f.json)},
		{[]string{"--html"}, oneFlag, "also write the report as a self-contained HTML page (charts, no scripts) to FILE", setString(&f.html)},
	}
}

// aggregateCommand is `tarn aggregate`: a one-off report of a log's
// aggregates, or the merge of reports.
var aggregateCommand = &command{
	name: "aggregate", summary: "privacy-safe aggregates of a log as JSON, or merge reports",
	usage: "tarn aggregate [flags] < access.log\ntarn aggregate --merge a.json b.json ...", maxArgs: -1,
	setup: func() ([]flagSpec, action) {
		f := aggregateFlags{rules: rules.BuiltinPrefix + "default"}
		return f.specs(), f.run
	},
}

// run is the action of `tarn aggregate`.
func (f *aggregateFlags) run(pos []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if !f.merge && len(pos) > 0 {
		return fail(stderr, fmt.Errorf("%w: unexpected argument %q (use --input, or --merge for reports)", errUsage, pos[0]))
	}
	var r *aggregate.Report
	var err error
	if f.merge {
		r, err = mergeReports(pos, f.rules)
	} else {
		r, err = aggregateLog(stdin, stderr, f)
	}
	if err != nil {
		return fail(stderr, err)
	}
	if f.html != "" {
		if err := writeHTML(f.html, r, f); err != nil {
			return fail(stderr, err)
		}
		if !f.table && !f.json {
			return 0
		}
	}
	if f.table || (!f.json && isTerminal(stdout)) {
		printTable(stdout, r)
		return 0
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fail(stderr, err)
	}
	return 0
}

// writeHTML writes the report's page to path (through a temp file, so a
// failed run leaves no half page).
func writeHTML(path string, r *aggregate.Report, f *aggregateFlags) error {
	src := "tarn aggregate"
	if f.merge {
		src += " --merge"
	} else if f.input != "" {
		src += " " + filepath.Base(f.input)
	}
	var buf bytes.Buffer
	if err := page.Render(&buf, r, page.Options{Title: "Web statistics", Source: src}); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// aggregateLog runs the rules over a log and aggregates its requests.
func aggregateLog(stdin io.Reader, stderr io.Writer, f *aggregateFlags) (*aggregate.Report, error) {
	eng, err := compileRules(f.rules, f.format, f.keyFile, stderr)
	if err != nil {
		return nil, err
	}
	now, err := parseNow(f.now)
	if err != nil {
		return nil, err
	}
	in := stdin
	if f.input != "" {
		file, err := os.Open(f.input)
		if err != nil {
			return nil, err
		}
		defer file.Close()
		in = file
	}
	in, j := startJob(in, stderr)
	agg := aggregate.New(aggregateConfig(eng))
	p := eng.NewProcessor()
	var o aggregate.Obs
	// One worker: the aggregate is its state. The pipe cuts overlong lines
	// as tarn filter does, instead of failing on them.
	err = pipe.Run(in, io.Discard, pipe.Options{Workers: 1, MaxLineBytes: eng.MaxLineBytes()}, func() pipe.Func {
		var out []byte
		return func(dst, chunk []byte) []byte {
			for len(chunk) > 0 {
				line, rest, _ := bytes.Cut(chunk, []byte{'\n'})
				chunk = rest
				var res rules.Result
				out, res = p.Append(out[:0], bytes.TrimSuffix(line, []byte{'\r'}), now())
				if res.Reason == rules.Kept && p.Observe(&o) {
					agg.Add(&o)
				}
			}
			return dst
		}
	})
	warnTooOld(stderr, eng, &p.Stats, now())
	j.finish(func(elapsed time.Duration) string { return summaryLine(&p.Stats, "kept", elapsed) })
	if err != nil {
		return nil, err
	}
	return agg.Report(), nil
}

// aggregateConfig is the rules' aggregate section, or the defaults.
func aggregateConfig(eng *rules.Engine) aggregate.Config {
	if c := eng.Config().Aggregate; c != nil {
		return *c
	}
	return aggregate.Config{}
}

// parseNow returns the clock of --now (or the real one).
func parseNow(s string) (func() time.Time, error) {
	if s == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, fmt.Errorf("%w: --now: must be an RFC 3339 time", errUsage)
	}
	return func() time.Time { return t }, nil
}

// mergeReports reads JSON reports and merges them; the rules give the
// number of routes kept.
func mergeReports(paths []string, rulesPath string) (*aggregate.Report, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: --merge needs report files", errUsage)
	}
	cfg, err := rules.LoadConfig(rulesPath)
	if err != nil {
		return nil, asConfigError(err)
	}
	n := aggregate.DefaultTopRoutes
	if cfg.Aggregate != nil && cfg.Aggregate.TopRoutes > 0 {
		n = cfg.Aggregate.TopRoutes
	}
	var reports []*aggregate.Report
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var r aggregate.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: not a tarn aggregate report: %w", p, err)
		}
		reports = append(reports, &r)
	}
	return aggregate.Merge(n, reports...)
}

// printTable prints totals per host and the distinct visitors per day.
func printTable(w io.Writer, r *aggregate.Report) {
	type total struct{ requests, bytes, bots, errors uint64 }
	totals := map[string]*total{}
	for _, win := range r.Windows {
		t := totals[win.Host]
		if t == nil {
			t = &total{}
			totals[win.Host] = t
		}
		t.requests, t.bytes, t.bots = t.requests+win.Requests, t.bytes+win.Bytes, t.bots+win.Bots
		for _, classes := range win.ByMethod {
			t.errors += classes["5xx"]
		}
	}
	hosts := make([]string, 0, len(totals))
	for h := range totals {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "vhost\trequests\tbytes\tbots\t5xx\t")
	for _, h := range hosts {
		t := totals[h]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", h, t.requests, t.bytes, t.bots, t.errors)
	}
	fmt.Fprintln(tw, "\nday\tvhost\tdistinct visitors\t")
	for _, v := range r.Visitors {
		fmt.Fprintf(tw, "%s\t%s\t%d\t\n", v.Day, v.Host, v.Estimate)
	}
	tw.Flush()
}
