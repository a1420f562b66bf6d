package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tarn-project/tarn/agent"
	"github.com/tarn-project/tarn/agent/config"
	_ "github.com/tarn-project/tarn/agent/inputs/all" // link every input type
	_ "github.com/tarn-project/tarn/sinks/all"        // link every sink type
)

// runFlags are the flags of `tarn run`.
type runFlags struct {
	cfgPath, now, listen, level string
	once, check, reset          bool
}

// runCommand is `tarn run`: the long-running agent.
var runCommand = &command{
	name: "run", summary: "run the agent: tail inputs, anonymize, spool, deliver to sinks",
	usage: "tarn run [--config FILE] [flags]",
	setup: func() ([]flagSpec, action) {
		f := &runFlags{}
		return []flagSpec{
			{[]string{"--config", "-c"}, oneFlag, "the agent's configuration file (default /etc/tarn/tarn.yaml)", setString(&f.cfgPath)},
			{[]string{"--once"}, boolFlag, "read every input to its end, deliver everything, then exit", setBool(&f.once)},
			{[]string{"--check"}, boolFlag, "validate the configuration and its rules, then exit", setBool(&f.check)},
			{[]string{"--now"}, oneFlag, "RFC 3339 time the agent's clock starts at (for demos and tests; it then advances normally)", setString(&f.now)},
			{[]string{"--listen"}, oneFlag, "override server.listen (host:port, or off)", setString(&f.listen)},
			{[]string{"--reset-positions"}, boolFlag, "start although positions.json is damaged: move it aside, read inputs from their start_at", setBool(&f.reset)},
			{[]string{"--log-level"}, oneFlag, "debug, info (default), warn or error", setString(&f.level)},
		}, f.run
	},
}

// run is the action of `tarn run`. The configuration is loaded once
// before the agent starts, so that an invalid one exits with code 2.
func (f *runFlags) run(_ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	clock, err := startClock(f.now)
	if err != nil {
		return fail(stderr, err)
	}
	log, err := newLogger(f.level, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	defer log.Sync()
	cfgPath := orDefault(f.cfgPath, "/etc/tarn/tarn.yaml")
	cfg, _, err := config.Load(cfgPath)
	if err != nil {
		return fail(stderr, asConfigError(err))
	}
	if f.check {
		for _, w := range cfg.Warnings() {
			fmt.Fprintf(stderr, "%s: warning: %s\n", cfgPath, w)
		}
		if w := keyFileWarning(agentKeyFile(cfg)); w != "" {
			fmt.Fprintf(stderr, "%s: warning: %s\n", cfgPath, w)
		}
		fmt.Fprintf(stdout, "%s: ok\n", cfgPath)
		return 0
	}
	if w := keyFileWarning(agentKeyFile(cfg)); w != "" {
		log.Warn(w, zap.String("key_file", agentKeyFile(cfg)))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a := agent.New(agent.Options{ConfigPath: cfgPath, Logger: log, Now: clock, Once: f.once, Version: version, Stdin: stdin, Stdout: stdout,
		Reload: hangups(), Listen: f.listen, ResetPositions: f.reset})
	if err := a.Run(ctx); err != nil {
		return fail(stderr, err)
	}
	return 0
}

// agentKeyFile is the key file the agent of cfg uses: key_file, else the
// one it keeps in its data directory.
func agentKeyFile(cfg *config.Config) string {
	if cfg.KeyFile != "" {
		return cfg.KeyFile
	}
	return filepath.Join(cfg.DataDir, "key")
}

// startClock returns time.Now, or a clock that starts at the RFC 3339 time
// s (parsed by parseNow, as in filter and aggregate) and advances with the
// wall clock.
func startClock(s string) (func() time.Time, error) {
	at, err := parseNow(s)
	if err != nil || s == "" {
		return at, err
	}
	t, start := at(), time.Now()
	return func() time.Time { return t.Add(time.Since(start)) }, nil
}

// newLogger returns a JSON logger writing to w.
func newLogger(level string, w io.Writer) (*zap.Logger, error) {
	lvl := zapcore.InfoLevel
	if level != "" {
		if err := lvl.Set(level); err != nil {
			return nil, fmt.Errorf("%w: --log-level: %v", errUsage, err)
		}
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	core := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.Lock(zapcore.AddSync(w)), lvl)
	return zap.New(core), nil
}

// hangups delivers SIGHUP as reload requests.
func hangups() <-chan struct{} {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	out := make(chan struct{}, 1)
	go func() {
		for range sig {
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	return out
}
