package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/agent/delivery"
	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/positions"
	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/agent/tail"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/sinks"
)

// generation is the agent running one configuration: its spool, its
// inputs with their ingest goroutines, one delivery loop per sink, and the
// housekeeping loop. A reload stops one generation and starts the next.
type generation struct {
	a     *Agent
	cfg   *config.Config
	engs  *engines
	spool *spool.Spool
	cp    *checkpoints
	sinks map[string]sinks.Sink

	stopInputs, stopDelivery, stopHouse context.CancelFunc
	drain                               chan struct{}
	inputs, delivery, house             sync.WaitGroup
	inputsDone                          chan struct{} // closed when every input has ended
	fatal                               chan error
	tailers                             map[string]interface{ Stats() *tail.Stats } // inputs that tail
	aggs                                []*aggregates                               // per input, when the rules aggregate
	damaged, truncated                  int64                                       // spool damage already counted in the metrics
	paused                              atomic.Int32                                // inputs paused by a full spool
}

// engines are the compiled rules of a configuration: the main engine
// and one per select entry that has rules of its own.
type engines struct {
	main *rules.Engine
	sel  [][]*rules.Engine // by input and select entry; nil: the main engine
}

// maxAge is the longest retention of all engines; each record was held to
// its own engine's at ingest.
func (e *engines) maxAge() time.Duration {
	d := e.main.MaxAge()
	for _, in := range e.sel {
		for _, eng := range in {
			if eng != nil {
				d = max(d, eng.MaxAge())
			}
		}
	}
	return d
}

// compile builds the engines of a configuration; it is also the
// validation a reload runs before anything is stopped.
func compile(cfg *config.Config, rc *rules.Config) (*engines, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data_dir: %w", err)
	}
	key, err := loadKey(cfg.KeyFile, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	e := &engines{sel: make([][]*rules.Engine, len(cfg.Inputs))}
	if e.main, err = compileCapped(cfg, rc, key); err != nil {
		return nil, err
	}
	for i, in := range cfg.Inputs {
		e.sel[i] = make([]*rules.Engine, len(in.Select))
		for j, s := range in.Select {
			if s.Loaded == nil {
				continue
			}
			if e.sel[i][j], err = compileCapped(cfg, s.Loaded, key); err != nil {
				return nil, fmt.Errorf("inputs[%d].select[%d].rules: %w", i, j, err)
			}
		}
	}
	return e, nil
}

// compileCapped compiles rc with its retention capped by the
// configuration's (config.CapRetention): the agent never keeps records
// longer than either file promises.
func compileCapped(cfg *config.Config, rc *rules.Config, key []byte) (*rules.Engine, error) {
	cfg.CapRetention(rc)
	return rules.Compile(rc, key)
}

// startGeneration opens the spool and positions of cfg and starts its
// goroutines. On error nothing is left running.
func startGeneration(a *Agent, cfg *config.Config, engs *engines) (_ *generation, err error) {
	g := &generation{a: a, cfg: cfg, engs: engs, sinks: map[string]sinks.Sink{}, drain: make(chan struct{}),
		inputsDone: make(chan struct{}), fatal: make(chan error, len(cfg.Inputs)+len(cfg.Sinks)), tailers: map[string]interface{ Stats() *tail.Stats }{}}
	defer func() {
		if err != nil {
			g.closeResources()
		}
	}()
	if err := g.open(); err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings() {
		a.log.Warn(w)
	}
	a.m.setSpool(g.spool)
	g.startDelivery()
	if err := g.startInputs(); err != nil {
		g.stopInputs()
		g.inputs.Wait()
		close(g.drain)
		g.stopDelivery()
		g.delivery.Wait()
		return nil, err
	}
	a.m.web.setAggregates(g.aggs)
	g.startHousekeeping()
	return g, nil
}

// open creates the sinks, the spool and the checkpoints.
func (g *generation) open() error {
	names := make([]string, 0, len(g.cfg.Sinks))
	for _, sc := range g.cfg.Sinks {
		s, err := g.newSink(sc)
		if err != nil {
			return fmt.Errorf("sink %s: %w", sc.Name, err)
		}
		g.sinks[sc.Name] = s
		g.a.m.addReporter(sc.Name, s)
		names = append(names, sc.Name)
	}
	sp, err := spool.Open(spool.Options{Dir: filepath.Join(g.cfg.DataDir, "spool"), MaxBytes: int64(g.cfg.Spool.MaxBytes),
		Now: g.a.now, MaxAge: g.engs.maxAge(), Logger: g.a.log.With(zap.String(keyComponent, "spool"))}, names)
	if err != nil {
		return err
	}
	g.spool = sp
	g.exportSpoolDamage()
	store, err := g.loadPositions()
	if err != nil {
		return err
	}
	if sp.Created() && len(store.All()) > 0 {
		g.a.log.Error("spool directory was missing at start-up although positions exist: entries spooled but not delivered before the stop are lost",
			zap.String(keyPath, filepath.Join(g.cfg.DataDir, "spool")), zap.Int("positions", len(store.All())))
		g.a.m.spoolMissing.Inc()
	}
	g.cp = &checkpoints{store: store, changed: make(chan struct{}, 1)}
	return nil
}

// loadPositions loads the positions file. A damaged one stops the start
// (reading from start_at again would lose or repeat lines) unless the
// agent runs with ResetPositions: then it is moved aside and every file
// starts at its start_at.
func (g *generation) loadPositions() (*positions.Store, error) {
	path := filepath.Join(g.cfg.DataDir, "positions.json")
	store, err := positions.Load(path)
	if err == nil || !errors.Is(err, positions.ErrDamaged) {
		return store, err
	}
	if !g.a.o.ResetPositions {
		return nil, fmt.Errorf("%w; the spool is intact and is delivered once tarn starts: "+
			"start once with `tarn run --reset-positions` to move the file aside and read every input from its start_at again", err)
	}
	aside := path + ".damaged-" + g.a.now().UTC().Format("20060102T150405Z")
	if err := os.Rename(path, aside); err != nil {
		return nil, fmt.Errorf("positions: reset: %w", err)
	}
	g.a.log.Warn("positions reset: the damaged file was moved aside; inputs start at their start_at", zap.String(keyPath, aside))
	return positions.Load(path)
}

// exportSpoolDamage adds the damaged spool records found since the last
// call to tarn_spool_corrupt_records_total.
func (g *generation) exportSpoolDamage() {
	st := g.spool.Stats()
	if d := st.CorruptRecords - g.damaged; d > 0 {
		g.a.m.corruptRecords.Add(float64(d))
	}
	if d := st.CorruptTruncated - g.truncated; d > 0 {
		g.a.m.corrupt.Add(float64(d))
	}
	g.damaged, g.truncated = st.CorruptRecords, st.CorruptTruncated
}

// startDelivery starts one delivery loop per sink.
func (g *generation) startDelivery() {
	ctx, cancel := context.WithCancel(context.Background())
	g.stopDelivery = cancel
	for _, sc := range g.cfg.Sinks {
		name, s := sc.Name, g.sinks[sc.Name]
		o := delivery.Options{Name: name, Queue: g.spool, Sink: s, MaxAge: g.engs.maxAge(),
			DeadLetterDir: g.cfg.DataDir, Now: g.a.now, Drain: g.drain,
			Observe: g.a.m.observeSend(name), Logger: g.a.log.With(zap.String(keyComponent, "delivery"), zap.String(keySink, name))}
		deliveryTuning(&o, sc, g.a)
		g.delivery.Add(1)
		go func() {
			defer g.delivery.Done()
			if err := delivery.Run(ctx, o, g.a.m.sinkStats(name)); err != nil && ctx.Err() == nil {
				g.fatal <- err
			}
		}()
	}
}

// startInputs builds every input through its type's factory and runs it
// with its ingest as host. An input that cannot be built (a taken port)
// fails the start.
func (g *generation) startInputs() error {
	ctx, cancel := context.WithCancel(context.Background())
	g.stopInputs = cancel
	for i, ic := range g.cfg.Inputs {
		in := g.newIngest(i, ic)
		input, err := g.newInput(ic, in)
		if err != nil {
			return fmt.Errorf("input %s: %w", ic.Name, err)
		}
		if st, ok := input.(interface{ Stats() *tail.Stats }); ok {
			g.tailers[ic.Name] = st
		}
		g.inputs.Add(1)
		go func() {
			defer g.inputs.Done()
			if err := input.Run(ctx, in); err != nil && ctx.Err() == nil {
				g.fatal <- fmt.Errorf("input %s: %w", ic.Name, err)
			}
		}()
	}
	go func() {
		g.inputs.Wait()
		close(g.inputsDone)
	}()
	return nil
}

// newInput builds the input of an inputs[] entry; in is its ingest.
func (g *generation) newInput(ic config.Input, in *ingest) (inputs.Input, error) {
	f, ok := inputs.Lookup(ic.Type)
	if !ok {
		return nil, fmt.Errorf("unknown input type %q", ic.Type) // validated with the configuration
	}
	env := inputs.Env{Name: ic.Name, Format: in.format, Container: in.wrapper, MaxLineBytes: g.engs.main.MaxLineBytes(),
		Once: g.a.o.Once, Poll: g.a.o.Poll, Housekeeping: g.a.o.PurgeEvery, Now: g.a.now, Stdin: g.a.o.Stdin,
		Positions: g.cp, DataDir: g.cfg.DataDir, Registry: g.a.m.reg, Logger: g.a.log.With(zap.String(keyInput, ic.Name))}
	return f.New(ic.Settings, env)
}

func (g *generation) newIngest(i int, ic config.Input) *ingest {
	f, _ := format.ParseFormat(cmp.Or(ic.Format, g.engs.main.Config().Format)) // validated with the configuration
	wrapper := format.Text
	if f == format.CRI || f == format.Docker {
		wrapper = f
		f, _ = format.ParseFormat(cmp.Or(ic.MessageFormat, "auto"))
	}
	main := &selection{eng: g.engs.main, proc: g.engs.main.NewProcessor()}
	in := &ingest{input: ic.Name, format: f, wrapper: wrapper, labels: ic.Labels, infraNets: ic.InfrastructureNetworks, tenant: ic.Tenant, nsTenants: ic.NamespaceTenants,
		main: main, sels: []*selection{main}, spool: g.spool, m: g.a.m, log: g.a.log.With(zap.String(keyComponent, "ingest")),
		now: g.a.now, full: 100 * time.Millisecond, sources: map[string]*source{}, pausedInputs: &g.paused,
		anonymized: ic.AlreadyAnonymized}
	for j, s := range ic.Select {
		sel := main
		if eng := g.engs.sel[i][j]; eng != nil {
			sel = &selection{eng: eng, proc: eng.NewProcessor()}
			in.sels = append(in.sels, sel)
		}
		in.selects = append(in.selects, selectEntry{cfg: s, sel: sel})
	}
	in.host, _ = os.Hostname()
	if c := g.engs.main.Config().Aggregate; c != nil {
		in.agg = newAggregates(ic.Name, in.host, *c)
		g.aggs = append(g.aggs, in.agg)
	}
	return in
}

// stop ends the generation: inputs stop and commit, positions are saved,
// the delivery loops send what is spooled until the spool is empty or ctx
// ends, then sinks and spool are closed.
func (g *generation) stop(ctx context.Context) error {
	g.stopInputs()
	g.inputs.Wait()
	g.stopHouse()
	g.house.Wait()
	g.flushAggregates(true)
	errs := []error{g.saveCheckpoints()}
	close(g.drain)
	done := make(chan struct{})
	go func() { g.delivery.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		g.a.log.Warn("shutdown: spool not fully delivered in time; the rest is sent after the next start")
	}
	g.stopDelivery()
	g.delivery.Wait()
	errs = append(errs, g.fatalErrors()...)
	return errors.Join(append(errs, g.closeResources())...)
}

// fatalErrors returns the errors inputs and delivery loops reported that
// Run has not taken (they ended while the generation was stopping, as in
// run-once mode), so none is lost silently.
func (g *generation) fatalErrors() []error {
	var errs []error
	for {
		select {
		case err := <-g.fatal:
			errs = append(errs, err)
		default:
			return errs
		}
	}
}

// closeResources closes the sinks and the spool.
func (g *generation) closeResources() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name, s := range g.sinks {
		if err := s.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("sink %s: %w", name, err))
		}
		g.a.m.retireReporter(name)
	}
	if g.spool != nil {
		g.a.m.setSpool(nil)
		errs = append(errs, g.spool.Close())
	}
	return errors.Join(errs...)
}

func (g *generation) saveCheckpoints() error {
	saved, err := g.cp.save()
	if err != nil {
		g.a.log.Error("saving positions failed", zap.Error(err))
		return err
	}
	if saved {
		g.a.m.checkpointSaved.SetToCurrentTime()
	}
	return nil
}
