package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tarn-project/tarn/rules"
)

// topFlags are the flags of `tarn top`.
type topFlags struct {
	url      string
	once     bool
	interval time.Duration
}

// topCommand is `tarn top`: a live view of a running agent, read from its
// /metrics.
var topCommand = &command{
	name: "top", summary: "live view of a running agent: lines/s, spool, sinks, drops",
	usage: "tarn top [--url URL] [--interval D] [--once]",
	about: "Reads the agent's Prometheus metrics (server.listen, default\n" +
		"127.0.0.1:9464) every interval and shows lines/s per input, the spool's\n" +
		"fill, per-sink sent/failing/backlog and drops by reason. Rates are the\n" +
		"change between two reads, so --once reads twice, one interval apart.",
	setup: func() ([]flagSpec, action) {
		f := &topFlags{url: "http://127.0.0.1:9464/metrics", interval: time.Second}
		return []flagSpec{
			{[]string{"--url"}, oneFlag, "the agent's metrics URL, or host:port (default http://127.0.0.1:9464/metrics)", setString(&f.url)},
			{[]string{"--interval"}, oneFlag, "time between reads (default 1s)", setDuration(&f.interval)},
			{[]string{"--once"}, boolFlag, "print one snapshot and exit", setBool(&f.once)},
		}, f.run
	},
}

// setDuration sets a positive duration.
func setDuration(p *time.Duration) func([]string) error {
	return func(v []string) error {
		d, err := time.ParseDuration(v[0])
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 1s, got %q", v[0])
		}
		*p = d
		return nil
	}
}

// run is the action of `tarn top`.
func (f *topFlags) run(_ []string, _ io.Reader, stdout, stderr io.Writer) int {
	url := f.url
	if !strings.Contains(url, "://") {
		url = "http://" + strings.TrimSuffix(url, "/") + "/metrics"
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	client := &http.Client{Timeout: 5 * time.Second}
	prev, err := scrape(ctx, client, url)
	if err != nil {
		return fail(stderr, err)
	}
	live := !f.once && isTerminal(stdout)
	for {
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(f.interval):
		}
		cur, err := scrape(ctx, client, url)
		if err != nil {
			if ctx.Err() != nil {
				return 0
			}
			return fail(stderr, err)
		}
		if live {
			fmt.Fprint(stdout, "\x1b[H\x1b[2J") // home, clear screen
		}
		fmt.Fprintf(stdout, "tarn top — %s — %s\n\n", url, cur.at.Format(time.TimeOnly))
		renderTop(stdout, prev, cur)
		if f.once {
			return 0
		}
		if !live {
			fmt.Fprintln(stdout)
		}
		prev = cur
	}
}

// topInput is what the agent counted for one input.
type topInput struct {
	lines, bytes, shipped, waits float64
	dropped                      map[string]float64 // by reason
}

// topSink is what the agent counted for one sink.
type topSink struct {
	sent, failures, retries, dead, tooOld float64
	backlog                               float64 // -1: not exported
}

// topSnapshot is one read of the agent's metrics.
type topSnapshot struct {
	at                                    time.Time
	inputs                                map[string]*topInput
	sinks                                 map[string]*topSink
	spoolBytes, spoolEntries, spoolOldest float64
	spoolMax                              float64 // 0: not exported
	purged                                float64
}

// scrape reads and parses the metrics at url.
func scrape(ctx context.Context, client *http.Client, url string) (*topSnapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: --url: %v", errUsage, err)
	}
	req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read metrics (is the agent running, server.listen set?): %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read metrics: %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read metrics: %s: %w", url, err)
	}
	return newSnapshot(fams, time.Now()), nil
}

// newSnapshot picks tarn's metrics out of the families.
func newSnapshot(fams map[string]*dto.MetricFamily, at time.Time) *topSnapshot {
	s := &topSnapshot{at: at, inputs: map[string]*topInput{}, sinks: map[string]*topSink{}}
	input := func(m *dto.Metric) *topInput {
		name := label(m, "input")
		in := s.inputs[name]
		if in == nil {
			in = &topInput{dropped: map[string]float64{}}
			s.inputs[name] = in
		}
		return in
	}
	sink := func(m *dto.Metric) *topSink {
		name := label(m, "sink")
		sk := s.sinks[name]
		if sk == nil {
			sk = &topSink{backlog: -1}
			s.sinks[name] = sk
		}
		return sk
	}
	each := func(name string, fn func(m *dto.Metric, v float64)) {
		if f := fams[name]; f != nil {
			for _, m := range f.Metric {
				fn(m, value(m))
			}
		}
	}
	each("tarn_input_lines_total", func(m *dto.Metric, v float64) { input(m).lines = v })
	each("tarn_input_bytes_total", func(m *dto.Metric, v float64) { input(m).bytes = v })
	each("tarn_spool_full_waits_total", func(m *dto.Metric, v float64) { input(m).waits = v })
	each("tarn_records_total", func(m *dto.Metric, v float64) {
		in, o := input(m), label(m, "outcome")
		if o == outcomeShipped {
			in.shipped = v
		} else if r, ok := strings.CutPrefix(o, "dropped_"); ok {
			in.dropped[r] += v
		}
	})
	each("tarn_sink_sent_entries_total", func(m *dto.Metric, v float64) { sink(m).sent = v })
	each("tarn_sink_failures_total", func(m *dto.Metric, v float64) { sink(m).failures = v })
	each("tarn_sink_retries_total", func(m *dto.Metric, v float64) { sink(m).retries = v })
	each("tarn_sink_dead_lettered_entries_total", func(m *dto.Metric, v float64) { sink(m).dead = v })
	each("tarn_sink_dropped_too_old_entries_total", func(m *dto.Metric, v float64) { sink(m).tooOld = v })
	each("tarn_sink_backlog_entries", func(m *dto.Metric, v float64) { sink(m).backlog = v })
	each("tarn_spool_bytes", func(_ *dto.Metric, v float64) { s.spoolBytes = v })
	each("tarn_spool_entries", func(_ *dto.Metric, v float64) { s.spoolEntries = v })
	each("tarn_spool_oldest_entry_age_seconds", func(_ *dto.Metric, v float64) { s.spoolOldest = v })
	each("tarn_spool_max_bytes", func(_ *dto.Metric, v float64) { s.spoolMax = v })
	each("tarn_spool_purged_entries_total", func(_ *dto.Metric, v float64) { s.purged = v })
	return s
}

// outcomeShipped is the outcome label of shipped records (agent/metrics.go).
const outcomeShipped = "shipped"

func label(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return 0
}

// renderTop prints the inputs, the spool and the sinks of cur, with rates
// since prev.
func renderTop(w io.Writer, prev, cur *topSnapshot) {
	dt := cur.at.Sub(prev.at).Seconds()
	rate := func(now, before float64) float64 {
		if dt <= 0 || now < before { // a restarted agent starts its counters at 0
			return 0
		}
		return (now - before) / dt
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INPUT\tLINES/S\tBYTES/S\tLINES\tSHIPPED\tDROPPED\tSPOOL-FULL WAITS\t")
	for _, name := range sortedKeys(cur.inputs) {
		in, before := cur.inputs[name], prev.inputs[name]
		if before == nil {
			before = &topInput{}
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%.0f\t%.0f\t%.0f\t%.0f\n", name, rate(in.lines, before.lines), humanBytes(rate(in.bytes, before.bytes)),
			in.lines, in.shipped, sum(in.dropped), in.waits)
	}
	fill := "-"
	if cur.spoolMax > 0 {
		fill = fmt.Sprintf("%.1f%%", 100*cur.spoolBytes/cur.spoolMax)
	}
	fmt.Fprintf(tw, "\nSPOOL\tBYTES\tFILL\tENTRIES\tOLDEST\tPURGED\n\t%s\t%s\t%.0f\t%s\t%.0f\n",
		humanBytes(cur.spoolBytes), fill, cur.spoolEntries, (time.Duration(cur.spoolOldest) * time.Second).String(), cur.purged)
	fmt.Fprintln(tw, "\nSINK\tSENT/S\tSENT\tFAILURES\tRETRIES\tBACKLOG\tSTATE\t")
	for _, name := range sortedKeys(cur.sinks) {
		sk, before := cur.sinks[name], prev.sinks[name]
		if before == nil {
			before = &topSink{}
		}
		backlog := "-"
		if sk.backlog >= 0 {
			backlog = fmt.Sprintf("%.0f", sk.backlog)
		}
		state := "ok"
		if sk.failures > before.failures {
			state = "FAILING"
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.0f\t%.0f\t%s\t%s\n", name, rate(sk.sent, before.sent), sk.sent, sk.failures, sk.retries, backlog, state)
	}
	tw.Flush()
	printDrops(w, cur)
}

// printDrops prints the drops by reason, summed over inputs and sinks.
func printDrops(w io.Writer, s *topSnapshot) {
	drops := map[string]float64{}
	for r := rules.Kept + 1; r < rules.NumReasons; r++ {
		drops[r.String()] = 0 // shown before the first drop too
	}
	for _, in := range s.inputs {
		for r, n := range in.dropped {
			drops[r] += n
		}
	}
	for _, sk := range s.sinks {
		drops["sink_too_old"] += sk.tooOld
		drops["dead_lettered"] += sk.dead
	}
	drops["spool_purged"] += s.purged
	var parts []string
	for _, r := range sortedKeys(drops) {
		parts = append(parts, fmt.Sprintf("%s %.0f", r, drops[r]))
	}
	fmt.Fprintf(w, "\nDROPS  %s\n", strings.Join(parts, "  "))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sum(m map[string]float64) float64 {
	var t float64
	for _, v := range m {
		t += v
	}
	return t
}

// humanBytes formats n bytes with a binary unit.
func humanBytes(n float64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%.0f B", n)
	}
	exp, div := 0, float64(unit)
	for n/div >= unit && exp < 4 {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", n/div, "KMGTP"[exp])
}
