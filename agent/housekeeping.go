package agent

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/agent/delivery"
	"github.com/tarn-project/tarn/sinks"
	"github.com/tarn-project/tarn/sinks/file"
	"github.com/tarn-project/tarn/sinks/stdout"
)

// sinkConfig turns a sink section of the configuration into the options
// of its registered type.
func sinkConfig(sc config.Sink, cfg *config.Config, a *Agent) (sinks.Config, error) {
	c := sinks.Config{Name: sc.Name, Type: sc.Type}
	switch sc.Type {
	case "loki":
		o, err := lokiOptions(sc.Loki, a)
		c.Options = o
		return c, err
	case "file":
		retention := cfg.Retention.MaxAge
		if sc.Entries == "aggregates" {
			retention = cfg.Retention.AggregatesMaxAge
		}
		c.Options = file.Options{Dir: sc.Path, NDJSON: sc.Format == "ndjson", LZ4: sc.Compress == "lz4",
			MaxBytes: int64(sc.Rotate.MaxBytes), MaxAge: time.Duration(sc.Rotate.MaxAge),
			Retention: time.Duration(retention), Now: a.now}
	case "stdout":
		c.Options = stdout.Options{NDJSON: sc.Format == "ndjson", Writer: a.o.Stdout}
	}
	return c, nil
}

// startHousekeeping runs the background work of a generation: saving
// positions as soon as a commit changed them (so a crash re-reads at most
// the chunk in flight), exporting tailer counters (every StatsEvery),
// purging the spool and the dead-letter files past retention and cleaning
// up rotated source files (every PurgeEvery).
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
				g.cleanupAll()
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

// cleanupAll runs the opt-in cleanup of every input that has one.
func (g *generation) cleanupAll() {
	for _, ic := range g.cfg.Inputs {
		if ic.Cleanup == nil {
			continue
		}
		n := cleanup(ic, g.cp, g.a.now(), g.a.log.With(zap.String(keyComponent, "cleanup"), zap.String(keyInput, ic.Name)))
		g.a.m.cleanupDeleted.WithLabelValues(ic.Name).Add(float64(n))
	}
}
