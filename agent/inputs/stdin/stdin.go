// Package stdin is the input that reads the agent's standard input to its
// end, as a pipe filter or a sidecar reading a process's output does.
package stdin

import (
	"context"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/inputs/reader"
	"github.com/tarn-project/tarn/agent/tail"
)

// Input reads standard input.
type Input struct {
	env inputs.Env
	st  tail.Stats
}

var _ inputs.Input = (*Input)(nil)

func init() {
	inputs.Register("stdin", inputs.Factory{
		Settings: func() inputs.Settings { return &Settings{} },
		New: func(_ inputs.Settings, env inputs.Env) (inputs.Input, error) {
			env.Positions = nil // a stream has no positions
			return &Input{env: env}, nil
		},
	})
}

// Run reads until the stream ends or ctx ends.
func (in *Input) Run(ctx context.Context, h inputs.Host) error {
	o := tail.Options{MaxLineBytes: in.env.MaxLineBytes, Once: in.env.Once,
		Logger: in.env.Logger.With(zap.String("component", "tail"))}
	return reader.Read(ctx, h, in.env, func(ctx context.Context, out chan<- *tail.Chunk) error {
		return tail.ReadStream(ctx, in.env.Stdin, o, &in.st, out)
	})
}
