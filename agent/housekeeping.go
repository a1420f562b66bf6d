package agent

import (
	"cmp"
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/agent/delivery"
	"github.com/tarn-project/tarn/sinks"
)

// newSink builds the sink of a sinks[] entry through its type's factory.
func (g *generation) newSink(sc config.Sink) (sinks.Sink, error) {
	node, err := nodeName(g.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	env := sinks.Env{Name: sc.Name, Retention: g.sinkRetention(sc), Node: node, Version: g.a.o.Version,
		Now: g.a.now, Stdout: g.a.o.Stdout, Logger: g.a.log.With(zap.String(keyComponent, "sink"), zap.String(keySink, sc.Name))}
	return sinks.New(sc.Type, sc.Settings, env)
}

// sinkRetention is how long a sink keeps what it writes: aggregates for
// retention.aggregates_max_age, a backup for retention.backup_max_age
// (capped by the rules' backup_max_age, the promise of the privacy
// statement), the others for retention.max_age.
func (g *generation) sinkRetention(sc config.Sink) time.Duration {
	r := g.cfg.Retention
	switch {
	case sc.Entries == "aggregates":
		return time.Duration(r.AggregatesMaxAge)
	case sc.Backup:
		d := time.Duration(r.BackupMaxAge)
		if b := g.engs.main.Config().Retention.BackupMaxAge; b != nil {
			d = min(d, time.Duration(*b))
		}
		return d
	}
	return time.Duration(r.MaxAge)
}

// startHousekeeping runs the background work of a generation: saving
// positions as soon as a commit changed them (so a crash re-reads at most
// the chunk in flight), exporting tailer counters (every StatsEvery),
// purging the spool and the dead-letter files past retention (every
// PurgeEvery). File inputs clean up their rotated files themselves.
func (g *generation) startHousekeeping() {
	ctx, cancel := context.WithCancel(context.Background())
	g.stopHouse = cancel
	g.house.Add(2)
	go func() {
		defer g.house.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-g.cp.changed:
				_ = g.saveCheckpoints()
			}
		}
	}()
	go func() {
		defer g.house.Done()
		tick := time.NewTicker(g.a.o.StatsEvery)
		defer tick.Stop()
		last := map[string]*tailCounters{}
		var lastPurge time.Time
		for {
			select {
			case <-ctx.Done():
				g.exportTail(last)
				return
			case <-tick.C:
			}
			g.exportTail(last)
			g.exportSpoolDamage()
			g.flushAggregates(false)
			if time.Since(lastPurge) >= g.a.o.PurgeEvery {
				lastPurge = time.Now()
				g.purge()
				g.purgeDeadLetters()
			}
		}
	}()
}

// flushAggregates spools the aggregate windows and days that are over
// (all of them when all).
func (g *generation) flushAggregates(all bool) {
	log := g.a.log.With(zap.String(keyComponent, "aggregate"))
	for _, a := range g.aggs {
		a.flush(g.a.now(), all, g.spool, g.a.m.web, log)
	}
}

// exportTail moves the tailers' counters into the metrics.
func (g *generation) exportTail(last map[string]*tailCounters) {
	for name, t := range g.tailers {
		if last[name] == nil {
			last[name] = &tailCounters{}
		}
		g.a.m.addTail(name, t.Stats(), last[name])
	}
}

// purge drops spooled entries past retention, delivered or not.
func (g *generation) purge() {
	n, err := g.spool.Purge()
	if err != nil {
		g.a.log.Error("spool purge failed", zap.Error(err))
		return
	}
	if n > 0 {
		g.a.m.purged.Add(float64(n))
		g.a.log.Info("purged spooled entries past retention", zap.Int(keyCount, n))
	}
}

// purgeDeadLetters deletes the dead-letter files (data_dir/deadletter-
// <sink>-YYYY-MM-DD.ndjson, one per sink and UTC day, see package
// delivery) whose day ended the retention max_age ago on the agent's
// clock: the longest max_age of the engines, as for the spool.
func (g *generation) purgeDeadLetters() {
	n, err := delivery.PurgeDeadLetters(g.cfg.DataDir, g.a.now(), g.engs.maxAge())
	if err != nil {
		g.a.log.Error("dead-letter purge failed", zap.Error(err))
	}
	if n > 0 {
		g.a.log.Info("deleted dead-letter files past retention", zap.Int(keyCount, n))
	}
}

// deliveryTuning applies a sink's entry selection and its type's tuning
// (sinks.Tuner: batching and retries) to its delivery loop; the agent's
// own MinBackoff/MaxBackoff (tests) win when set.
func deliveryTuning(o *delivery.Options, sc config.Sink, a *Agent) {
	switch sc.Entries {
	case "records":
		o.Select = func(e *sinks.Entry) bool { return !isAggregate(e) }
	case "aggregates":
		o.Select = isAggregate
	}
	if t, ok := sc.Settings.(sinks.Tuner); ok {
		tu := t.Tuning()
		o.BatchEntries = cmp.Or(tu.BatchEntries, o.BatchEntries)
		o.BatchBytes = cmp.Or(tu.BatchBytes, o.BatchBytes)
		o.BatchWait = cmp.Or(tu.BatchWait, o.BatchWait)
		o.MinBackoff = cmp.Or(tu.MinBackoff, o.MinBackoff)
		o.MaxBackoff = cmp.Or(tu.MaxBackoff, o.MaxBackoff)
		o.MaxRetries = cmp.Or(tu.MaxRetries, o.MaxRetries)
	}
	o.MinBackoff = cmp.Or(a.o.MinBackoff, o.MinBackoff)
	o.MaxBackoff = cmp.Or(a.o.MaxBackoff, o.MaxBackoff)
}
