// Package agent runs tarn's main job: it tails the configured inputs,
// anonymizes every line with the rules, keeps only anonymized entries in
// an on-disk spool, delivers them to the sinks with at-least-once
// semantics, enforces retention everywhere it keeps data, and serves
// /metrics, /healthz and /readyz.
//
// Data flow of one configuration (a generation): reader (agent/tail) →
// ingest (rules → spool.Append → checkpoint) → delivery loop per sink
// (spool.Read → Send → Ack). A source offset is committed only after the
// entries read up to it are durable in the spool, and a sink's cursor
// advances only after the sink accepted the batch, so a crash loses
// nothing and re-sends at most the last unacknowledged batch.
//
// A reload (SIGHUP, or a change of the configuration or rules file) loads
// and compiles the new configuration first; only if that succeeds is the
// running generation stopped (committing its positions) and the new one
// started. An invalid configuration keeps the old one running.
package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/agent/httpserve"
)

// Options configure an Agent. Zero fields take their defaults.
type Options struct {
	// ConfigPath is the configuration file.
	ConfigPath string
	// Logger receives the agent's own logs (default: none).
	Logger *zap.Logger
	// Now is the clock that decides ages (default time.Now).
	Now func() time.Time
	// Once reads every input to its end, delivers everything and returns.
	Once bool
	// Stdin and Stdout are the streams of stdin inputs and stdout sinks.
	Stdin  io.Reader
	Stdout io.Writer
	// Reload triggers a reload when it receives (SIGHUP).
	Reload <-chan struct{}
	// WatchEvery is how often the configuration and rules files are checked
	// for changes (default 2s; negative: never).
	WatchEvery time.Duration
	// ShutdownTimeout bounds the final delivery on shutdown (default 10s).
	ShutdownTimeout time.Duration
	// Poll is the tailers' polling interval (default 250ms).
	Poll time.Duration
	// StatsEvery is how often tailer counters are exported (default 1s).
	StatsEvery time.Duration
	// PurgeEvery is how often the spool is purged and inputs cleaned up
	// (default 1m).
	PurgeEvery time.Duration
	// MinBackoff and MaxBackoff, when set, bound the delivery retries of every
	// sink (tests); otherwise the sink's backoff keys or 100ms and 30s apply.
	MinBackoff, MaxBackoff time.Duration
	// NotReadyAfter is how long a sink may fail before /readyz reports
	// not ready (default 5m).
	NotReadyAfter time.Duration
	// Listen overrides server.listen when not empty ("off" disables the
	// server).
	Listen string
	// Version is tarn's version, sent in the User-Agent of HTTP sinks.
	Version string
	// ResetPositions moves a damaged positions file aside instead of
	// refusing to start (tarn run --reset-positions).
	ResetPositions bool
}

// Agent is one running tarn agent.
type Agent struct {
	o   Options
	log *zap.Logger
	m   *metrics
	now func() time.Time

	mu  sync.Mutex
	gen *generation
}

// New returns an agent; Run starts it.
func New(o Options) *Agent {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.WatchEvery, 2*time.Second)
	def(&o.ShutdownTimeout, 10*time.Second)
	def(&o.Poll, 250*time.Millisecond)
	def(&o.StatsEvery, time.Second)
	def(&o.PurgeEvery, time.Minute)
	def(&o.NotReadyAfter, 5*time.Minute)
	return &Agent{o: o, log: o.Logger.With(zap.String(keyComponent, "agent")), m: newMetrics(o.Now), now: o.Now}
}

// Run loads the configuration and runs the agent until ctx ends (then it
// shuts down gracefully within ShutdownTimeout), every input has ended
// (stdin at EOF, or Once), or a fatal error occurs.
func (a *Agent) Run(ctx context.Context) error {
	cfg, eng, err := a.load()
	if err != nil {
		a.m.configOK.Set(0)
		return err
	}
	a.m.configOK.Set(1)
	stopServer, err := a.serve(cfg.Server)
	if err != nil {
		return err
	}
	defer stopServer()
	g, err := startGeneration(a, cfg, eng)
	if err != nil {
		return err
	}
	a.setGen(g)
	a.log.Info("started", zap.String(keyConfig, a.o.ConfigPath), zap.Int("inputs", len(cfg.Inputs)), zap.Int("sinks", len(cfg.Sinks)))
	w := newWatcher(a.o.ConfigPath, cfg)
	tick := time.NewTicker(max(a.o.WatchEvery, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return a.shutdown(a.takeGen(), context.Background())
		case err := <-g.fatal:
			a.log.Error("fatal", zap.Error(err))
			return errors.Join(err, a.shutdown(a.takeGen(), context.Background()))
		case <-g.inputsDone:
			return a.shutdown(a.takeGen(), ctx)
		case <-a.o.Reload:
		case <-tick.C:
			if a.o.WatchEvery < 0 || !w.changed() {
				continue
			}
		}
		if g, cfg, err = a.reload(g, cfg); err != nil {
			return err
		}
		w = newWatcher(a.o.ConfigPath, cfg)
	}
}

// load reads and compiles the configuration.
func (a *Agent) load() (*config.Config, *engines, error) {
	cfg, rc, err := config.Load(a.o.ConfigPath)
	if err != nil {
		return nil, nil, err
	}
	eng, err := compile(cfg, rc)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", a.o.ConfigPath, err)
	}
	return cfg, eng, nil
}

// reload swaps to the configuration on disk if it is valid; otherwise the
// running generation stays. It fails only if neither the new nor the old
// configuration can be started again.
func (a *Agent) reload(g *generation, cfg *config.Config) (*generation, *config.Config, error) {
	ncfg, eng, err := a.load()
	if err != nil {
		a.m.reloads.WithLabelValues("failed").Inc()
		a.m.configOK.Set(0)
		a.log.Error("reload: invalid configuration, keeping the running one", zap.Error(err))
		return g, cfg, nil
	}
	if ncfg.Server.Listen != cfg.Server.Listen || ncfg.Server.Stats != cfg.Server.Stats {
		a.log.Warn("reload: server.listen and server.stats changes take effect after a restart")
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.o.ShutdownTimeout)
	defer cancel()
	_ = a.shutdown(a.takeGen(), ctx)
	ng, err := startGeneration(a, ncfg, eng)
	if err != nil {
		a.m.reloads.WithLabelValues("failed").Inc()
		a.m.configOK.Set(0)
		a.log.Error("reload: new configuration failed to start, restarting the previous one", zap.Error(err))
		ncfg, ng = cfg, nil
		if ng, err = startGeneration(a, cfg, g.engs); err != nil {
			return nil, nil, fmt.Errorf("reload: restart of the previous configuration: %w", err)
		}
	} else {
		a.m.reloads.WithLabelValues("ok").Inc()
		a.m.configOK.Set(1)
		a.log.Info("reloaded", zap.String(keyConfig, a.o.ConfigPath))
	}
	a.setGen(ng)
	return ng, ncfg, nil
}

// shutdown stops g; the final delivery waits until the spool is empty or
// ShutdownTimeout has passed, or, when ctx is not Background, until ctx
// ends (run-once mode waits for everything to be delivered).
func (a *Agent) shutdown(g *generation, ctx context.Context) error {
	if g == nil {
		return nil
	}
	if ctx == context.Background() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.o.ShutdownTimeout)
		defer cancel()
	}
	err := g.stop(ctx)
	if err != nil {
		a.log.Error("shutdown", zap.Error(err))
	}
	return err
}

func (a *Agent) setGen(g *generation) {
	a.mu.Lock()
	a.gen = g
	a.mu.Unlock()
}

func (a *Agent) takeGen() *generation {
	a.mu.Lock()
	defer a.mu.Unlock()
	g := a.gen
	a.gen = nil
	return g
}

// serve starts the HTTP server (with TLS when server.tls is set); it
// returns a function that stops it.
func (a *Agent) serve(c config.Server) (func(), error) {
	addr := c.Listen
	if a.o.Listen != "" {
		addr = a.o.Listen
	}
	if addr == "" || addr == "off" {
		return func() {}, nil
	}
	if c.Stats {
		a.m.web.keepHistory()
	}
	tc, err := httpserve.TLS(c.TLS, a.log)
	if err != nil {
		return nil, fmt.Errorf("server.tls: %w", err)
	}
	ln, err := httpserve.Listen(addr, tc)
	if err != nil {
		return nil, fmt.Errorf("server.listen: %w", err)
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: httpserve.ErrorLog(a.log)}
	go func() { _ = srv.Serve(ln) }()
	a.log.Info("serving metrics", zap.String(keyAddr, ln.Addr().String()), zap.Bool("tls", tc != nil))
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// ready reports why the agent is not ready, or nil: a configuration must
// be running, the spool must have room, and no sink may have been failing
// for longer than NotReadyAfter.
func (a *Agent) ready() error {
	a.mu.Lock()
	g := a.gen
	a.mu.Unlock()
	if g == nil {
		return errors.New("no configuration running")
	}
	if n := g.paused.Load(); n > 0 || g.spool.Full() {
		return fmt.Errorf("inputs held back (%d paused): the spool is full (spool.max_bytes or the disk)", n)
	}
	var dead []string
	for _, sc := range g.cfg.Sinks {
		since := a.m.sinkStats(sc.Name).FailingSince.Load()
		if since != 0 && a.now().Sub(time.Unix(0, since)) > a.o.NotReadyAfter {
			dead = append(dead, sc.Name)
		}
	}
	if len(dead) > 0 {
		return fmt.Errorf("sinks failing for more than %v: %s", a.o.NotReadyAfter, strings.Join(dead, ", "))
	}
	return nil
}
