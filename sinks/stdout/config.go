package stdout

import "github.com/tarn-project/tarn/sinks"

// Settings are the keys of a stdout sink.
type Settings struct {
	// Format is line (default) or ndjson.
	Format sinks.LineFormat `yaml:"format"`
}

// DefaultSettings returns the settings of a stdout sink without keys.
func DefaultSettings() *Settings { return &Settings{Format: "line"} }

// Validate checks the format.
func (s *Settings) Validate() error { return s.Format.Validate("format") }

func init() {
	sinks.Register("stdout", sinks.Factory{
		Settings: func() sinks.Settings { return DefaultSettings() },
		New: func(s sinks.Settings, env sinks.Env) (sinks.Sink, error) {
			return New(Options{NDJSON: s.(*Settings).Format.NDJSON(), Writer: env.Stdout}), nil
		},
	})
}
