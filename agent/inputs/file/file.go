// Package file is the input that tails files: glob patterns, rotation by
// rename and copytruncate, positions saved across restarts (package
// agent/tail), container runtime records joined (package
// agent/inputs/reader), and the opt-in cleanup of rotated source files.
package file

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/inputs/reader"
	"github.com/tarn-project/tarn/agent/tail"
)

// Input tails the files of one file input.
type Input struct {
	s       *Settings
	env     inputs.Env
	t       *tail.Tailer
	deleted prometheus.Counter
}

var _ inputs.Input = (*Input)(nil)

func init() {
	inputs.Register("file", inputs.Factory{
		Settings: func() inputs.Settings { return DefaultSettings() },
		New:      func(s inputs.Settings, env inputs.Env) (inputs.Input, error) { return New(s.(*Settings), env) },
		Files:    true,
	})
}

// New returns the input; it reads nothing before Run.
func New(s *Settings, env inputs.Env) (*Input, error) {
	t, err := tail.New(tail.Options{Paths: s.Paths, Exclude: s.Exclude, StartAtEnd: s.StartAt == "end",
		MaxLineBytes: env.MaxLineBytes, Once: env.Once, Lookup: env.Positions.Lookup, Poll: env.Poll,
		Logger: env.Logger.With(zap.String("component", "tail"))})
	if err != nil {
		return nil, err
	}
	in := &Input{s: s, env: env, t: t}
	if s.Cleanup != nil {
		in.deleted = inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_cleanup_deleted_files_total",
			Help: "Rotated source files deleted by inputs[].cleanup."}, "input").WithLabelValues(env.Name)
	}
	return in, nil
}

// Stats are the tailer's counters (rotations, truncations, ...).
func (in *Input) Stats() *tail.Stats { return in.t.Stats() }

// Run tails until ctx ends (or, in run-once mode, to the files' end),
// committing each chunk's position after h made it durable, and cleans up
// rotated files every env.Housekeeping when cleanup is set.
func (in *Input) Run(ctx context.Context, h inputs.Host) error {
	if in.s.Cleanup != nil {
		cctx, stop := context.WithCancel(ctx)
		defer stop()
		go in.cleanupLoop(cctx)
	}
	return reader.Read(ctx, h, in.env, in.t.Run)
}

// cleanupLoop runs the cleanup now and then every env.Housekeeping until
// ctx ends.
func (in *Input) cleanupLoop(ctx context.Context) {
	log := in.env.Logger.With(zap.String("component", "cleanup"))
	tick := time.NewTicker(in.env.Housekeeping)
	defer tick.Stop()
	for {
		in.deleted.Add(float64(cleanup(in.s, in.env.Positions, in.env.Now(), log)))
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
