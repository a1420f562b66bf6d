package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/aggregate"
)

// accessLog writes n combined lines from clients 0..clients-1 starting at
// start, one second apart: every 10th is a 404 of 100 bytes, the rest 200
// of 1000 bytes.
func accessLog(n, clients int, start time.Time) string {
	var b strings.Builder
	for i := range n {
		status, size := 200, 1000
		if i%10 == 0 {
			status, size = 404, 100
		}
		c := i % clients
		fmt.Fprintf(&b, `10.%d.%d.%d - - [%s] "GET /items/%d HTTP/1.1" %d %d "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0"`+"\n",
			c>>16&255, c>>8&255, c&255, start.Add(time.Duration(i)*time.Second).Format("02/Jan/2006:15:04:05 -0700"), i, status, size)
	}
	return b.String()
}

func decodeReport(t *testing.T, s string) *aggregate.Report {
	t.Helper()
	var r aggregate.Report
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("not a report: %v\n%s", err, s)
	}
	return &r
}

func TestAggregateCommandAndMerge(t *testing.T) {
	dir := t.TempDir()
	key := writeFile(t, dir, "key", strings.Repeat("ab", 32)+"\n")
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	log := accessLog(20000, 3000, start)
	args := []string{"aggregate", "--key-file", key, "--now", "2026-11-21T00:00:00Z", "--format", "combined", "--json"}
	whole := decodeReport(t, mustTarn(t, log, args...).stdout)
	var requests, bytes, notFound uint64
	for _, w := range whole.Windows {
		requests, bytes, notFound = requests+w.Requests, bytes+w.Bytes, notFound+w.ByMethod["GET"]["4xx"]
	}
	if requests != 20000 || bytes != 18000*1000+2000*100 || notFound != 2000 {
		t.Fatalf("requests %d bytes %d 4xx %d", requests, bytes, notFound)
	}
	if len(whole.Visitors) != 1 || whole.Visitors[0].Estimate < 2940 || whole.Visitors[0].Estimate > 3060 {
		t.Fatalf("visitors %+v, want about 3000", whole.Visitors)
	}
	// Two nodes each see half the lines; merging their reports gives the
	// whole file's counts and the same distinct visitors.
	lines := strings.SplitAfter(log, "\n")
	a := writeFile(t, dir, "a.json", mustTarn(t, strings.Join(lines[:10000], ""), args...).stdout)
	b := writeFile(t, dir, "b.json", mustTarn(t, strings.Join(lines[10000:], ""), args...).stdout)
	merged := decodeReport(t, mustTarn(t, "", "aggregate", "--merge", "--json", a, b).stdout)
	if merged.Visitors[0].Estimate != whole.Visitors[0].Estimate {
		t.Errorf("merged visitors %d, whole file %d", merged.Visitors[0].Estimate, whole.Visitors[0].Estimate)
	}
	var mreq uint64
	for _, w := range merged.Windows {
		mreq += w.Requests
	}
	if mreq != 20000 || len(merged.Windows) != len(whole.Windows) {
		t.Errorf("merged %d requests in %d windows, want 20000 in %d", mreq, len(merged.Windows), len(whole.Windows))
	}
	if strings.Contains(readFile(t, a)+readFile(t, b), "10.0.") {
		t.Error("a client address in a report")
	}
	table := mustTarn(t, log, "aggregate", "--key-file", key, "--now", "2026-11-21T00:00:00Z", "--table").stdout
	if !strings.Contains(table, "20000") || !strings.Contains(table, "2026-11-20") {
		t.Errorf("table:\n%s", table)
	}
	if r := tarn(t, "", "aggregate", "--merge", "--json", writeFile(t, dir, "bad.json", "{")); r.code != 1 {
		t.Errorf("a bad report: exit %d", r.code)
	}
}

// TestAggregateMergeRulesError: a rules file that cannot be loaded is an
// error of --merge too (it gives the number of routes kept), not ignored.
func TestAggregateMergeRulesError(t *testing.T) {
	dir := t.TempDir()
	report := writeFile(t, dir, "a.json", mustTarn(t, accessLog(20, 5, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)),
		"aggregate", "--key-file", newKeyFile(t), "--now", "2026-11-21T00:00:00Z", "--json").stdout)
	mustTarn(t, "", "aggregate", "--merge", "--json", report)
	missing := filepath.Join(dir, "missing.yaml")
	r := tarn(t, "", "aggregate", "--merge", "--json", "--rules", missing, report)
	if r.code != 2 || !strings.Contains(r.stderr, missing) || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 naming %s", r.code, r.stdout, r.stderr, missing)
	}
}

// TestCompileRules covers the one compile path of filter and aggregate:
// --format overrides the rules' format and is checked, and a missing
// rules file is named, the same way in both commands.
func TestCompileRules(t *testing.T) {
	key := newKeyFile(t)
	eng, err := compileRules("builtin:default", "logfmt", key, io.Discard)
	if err != nil || eng.Config().Format != "logfmt" {
		t.Fatalf("--format logfmt: %v, %v", eng, err)
	}
	eng, err = compileRules("builtin:default", "", key, io.Discard)
	if def, _ := rules.LoadConfig("builtin:default"); err != nil || eng.Config().Format != def.Format {
		t.Fatalf("no --format: %v, %v", eng, err)
	}
	if _, err := compileRules("builtin:default", "xml", key, io.Discard); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--format") {
		t.Fatalf("--format xml: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	for _, cmd := range []string{"filter", "aggregate"} {
		if r := tarn(t, "", cmd, "--key-file", key, "--format", "xml"); r.code != 2 || !strings.Contains(r.stderr, "--format") {
			t.Errorf("%s --format xml: exit %d, stderr %q", cmd, r.code, r.stderr)
		}
		if r := tarn(t, "", cmd, "--key-file", key, "--rules", missing); r.code != 2 || !strings.Contains(r.stderr, missing) {
			t.Errorf("%s --rules missing: exit %d, stderr %q", cmd, r.code, r.stderr)
		}
	}
}

// TestAggregateOverlongLine: a line longer than max_line_bytes is cut,
// as in tarn filter, instead of stopping the run with "token too long".
func TestAggregateOverlongLine(t *testing.T) {
	dir := t.TempDir()
	key := writeFile(t, dir, "key", strings.Repeat("ab", 32)+"\n")
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	log := accessLog(10, 5, start)
	long := `203.0.113.9 - - [20/Nov/2026:08:00:00 +0000] "GET /` + strings.Repeat("a", 1<<20) + ` HTTP/1.1" 200 1 "-" "curl/8.0"` + "\n"
	r := mustTarn(t, log+long+log, "aggregate", "--key-file", key, "--now", "2026-11-21T00:00:00Z", "--format", "combined", "--json")
	var requests uint64
	for _, w := range decodeReport(t, r.stdout).Windows {
		requests += w.Requests
	}
	if requests < 20 {
		t.Fatalf("%d requests counted around an overlong line, want the 20 whole ones", requests)
	}
}
