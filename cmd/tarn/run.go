package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tarn-project/tarn/agent"
	"github.com/tarn-project/tarn/agent/config"
	_ "github.com/tarn-project/tarn/agent/inputs/all" // link every input type
	_ "github.com/tarn-project/tarn/sinks/all"        // link every sink type
)

// runAgent is `tarn run`: the long-running agent.
func runAgent(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var cfgPath, now, listen, level string
	var once, check, reset bool
	specs := []flagSpec{
		{[]string{"--config", "-c"}, oneFlag, "the agent's configuration file (default /etc/tarn/tarn.yaml)", setString(&cfgPath)},
		{[]string{"--once"}, boolFlag, "read every input to its end, deliver everything, then exit", setBool(&once)},
		{[]string{"--check"}, boolFlag, "validate the configuration and its rules, then exit", setBool(&check)},
		{[]string{"--now"}, oneFlag, "RFC 3339 time the agent's clock starts at (for demos and tests; it then advances normally)", setString(&now)},
		{[]string{"--listen"}, oneFlag, "override server.listen (host:port, or off)", setString(&listen)},
		{[]string{"--reset-positions"}, boolFlag, "start although positions.json is damaged: move it aside, read inputs from their start_at", setBool(&reset)},
		{[]string{"--log-level"}, oneFlag, "debug, info (default), warn or error", setString(&level)},
	}
	if printHelp(args, stdout, "usage: tarn run --config FILE [flags]", specs) {
		return 0
	}
	pos, err := parseArgs(args, specs)
	if err == nil && len(pos) > 0 {
		err = fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if err != nil {
		return fail(stderr, err)
	}
	cfgPath = orDefault(cfgPath, "/etc/tarn/tarn.yaml")
	if check {
		cfg, _, err := config.Load(cfgPath)
		if err != nil {
			return fail(stderr, err)
		}
		for _, w := range cfg.Warnings() {
			fmt.Fprintf(stderr, "%s: warning: %s\n", cfgPath, w)
		}
		fmt.Fprintf(stdout, "%s: ok\n", cfgPath)
		return 0
	}
	clock, err := startClock(now)
	if err != nil {
		return fail(stderr, err)
	}
	log, err := newLogger(level, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	defer log.Sync()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a := agent.New(agent.Options{ConfigPath: cfgPath, Logger: log, Now: clock, Once: once, Version: version, Stdin: stdin, Stdout: stdout,
		Reload: hangups(), Listen: listen, ResetPositions: reset})
	if err := a.Run(ctx); err != nil {
		return fail(stderr, err)
	}
	return 0
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
