package agent

import (
	"encoding/json"
	"errors"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/sinks"
)

// Label values of aggregate entries: the label tarn_aggregate says which
// kind an entry is, so sinks and queries can tell them from records.
const (
	aggregateLabel = "tarn_aggregate"
	kindWeb        = "web"
	kindVisitors   = "visitors"
)

// flushGrace is how long after its end a window waits for late records.
const flushGrace = 10 * time.Second

// aggregates is the aggregation of one input. The ingest goroutine adds
// requests chunk by chunk; the housekeeping tick flushes the windows and
// days that are over (by record time, or by the wall clock when the input
// is idle) into the spool, as entries labelled tarn_aggregate, and into
// the web metrics. A window that receives records after it was flushed
// (a log caught up late) is flushed again: aggregate records of the same
// window and host add up.
type aggregates struct {
	input   string
	host    string
	mu      sync.Mutex
	agg     *aggregate.Aggregator
	maxSeen time.Time
	pending []sinks.Entry // flushed but not yet in the spool (spool full)
}

func newAggregates(input, host string, c aggregate.Config) *aggregates {
	return &aggregates{input: input, host: host, agg: aggregate.New(c)}
}

// addLocked counts one request; the caller holds a.mu (for a whole
// chunk, not per line).
func (a *aggregates) addLocked(o *aggregate.Obs) {
	a.agg.Add(o)
	if o.Time.After(a.maxSeen) {
		a.maxSeen = o.Time
	}
}

// flush moves what is over at wall-clock time now (everything when all)
// into entries and the metrics, and appends the entries to the spool. The
// metrics are fed without a.mu held: /metrics takes the locks the other
// way round (webMetrics, then each aggregates' for the visitor gauge).
func (a *aggregates) flush(now time.Time, all bool, sp *spool.Spool, m *webMetrics, log *zap.Logger) {
	m.addWindows(a.take(now, all))
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.pending) == 0 {
		return
	}
	err := sp.Append(a.pending)
	switch {
	case err == nil:
		a.pending = a.pending[:0]
	case errors.Is(err, spool.ErrFull):
		// kept for the next tick
	default:
		log.Error("spooling aggregates failed", zap.String(keyInput, a.input), zap.Error(err))
		a.pending = a.pending[:0]
	}
}

// take flushes the windows and days that are over out of the aggregator,
// queues their entries and returns the windows.
func (a *aggregates) take(now time.Time, all bool) []aggregate.Window {
	a.mu.Lock()
	defer a.mu.Unlock()
	until := now.Add(-a.agg.Window() - flushGrace)
	if seen := a.maxSeen.Add(-flushGrace); seen.After(until) {
		until = seen
	}
	if all {
		until = time.Unix(1<<40, 0)
	}
	windows := a.agg.Flush(until)
	for i := range windows {
		a.pending = append(a.pending, a.entry(windows[i].Start, kindWeb, windows[i].Host, &windows[i]))
	}
	days := a.agg.FlushDays(until)
	for i := range days {
		start, _ := time.Parse(time.DateOnly, days[i].Day)
		a.pending = append(a.pending, a.entry(start, kindVisitors, days[i].Host, &days[i]))
	}
	return windows
}

// entry is one aggregate record as a spool entry.
func (a *aggregates) entry(t time.Time, kind, vhost string, v any) sinks.Entry {
	line, _ := json.Marshal(v)
	ls := []sinks.Label{{Name: "host", Value: a.host}, {Name: "input", Value: a.input},
		{Name: aggregateLabel, Value: kind}, {Name: "vhost", Value: vhost}}
	return sinks.Entry{Time: t, Labels: ls, Line: line}
}

// visitors returns today's visitor sketches (for the gauge).
func (a *aggregates) visitors(now time.Time) []aggregate.Visitors {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.agg.DayVisitors(now)
}

// isAggregate reports whether an entry is an aggregate record.
func isAggregate(e *sinks.Entry) bool {
	for _, l := range e.Labels {
		if l.Name == aggregateLabel {
			return true
		}
	}
	return false
}
