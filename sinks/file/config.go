package file

import (
	"errors"
	"time"

	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// Settings are the keys of a file sink.
type Settings struct {
	// Path is the output directory.
	Path string `yaml:"path"`
	// Format is line (default) or ndjson.
	Format sinks.LineFormat `yaml:"format"`
	// Compress is none (default) or lz4.
	Compress string `yaml:"compress"`
	// Rotate says when a new file starts.
	Rotate Rotate `yaml:"rotate"`
}

// Rotate bounds one output file.
type Rotate struct {
	// MaxBytes starts a new file past this size (default 128MiB).
	MaxBytes strictyaml.Size `yaml:"max_bytes"`
	// MaxAge starts a new file after this time (default 1h).
	MaxAge strictyaml.Duration `yaml:"max_age"`
}

// DefaultSettings returns the settings of a file sink without keys.
func DefaultSettings() *Settings {
	return &Settings{Format: "line", Compress: "none", Rotate: Rotate{MaxBytes: 128 << 20, MaxAge: strictyaml.Duration(time.Hour)}}
}

// Validate checks every key.
func (s *Settings) Validate() error {
	var errs []error
	if s.Path == "" {
		errs = append(errs, strictyaml.Errorf("path", "a file sink needs a path"))
	}
	errs = append(errs, s.Format.Validate("format"))
	if s.Compress != "none" && s.Compress != "lz4" {
		errs = append(errs, strictyaml.Errorf("compress", "must be none or lz4, got %q", s.Compress))
	}
	if s.Rotate.MaxBytes < 1<<10 {
		errs = append(errs, strictyaml.Errorf("rotate.max_bytes", "must be at least 1KiB"))
	}
	if time.Duration(s.Rotate.MaxAge) < time.Second {
		errs = append(errs, strictyaml.Errorf("rotate.max_age", "must be at least 1s"))
	}
	return errors.Join(errs...)
}

// ResolvePaths makes the output directory relative to the configuration
// file.
func (s *Settings) ResolvePaths(abs func(string) string) { s.Path = abs(s.Path) }

// Options are the sink's options for these settings in env.
func (s *Settings) Options(env sinks.Env) Options {
	return Options{Dir: s.Path, NDJSON: s.Format.NDJSON(), LZ4: s.Compress == "lz4",
		MaxBytes: int64(s.Rotate.MaxBytes), MaxAge: time.Duration(s.Rotate.MaxAge), Retention: env.Retention, Now: env.Now}
}

func init() {
	sinks.Register("file", sinks.Factory{
		Settings: func() sinks.Settings { return DefaultSettings() },
		New: func(s sinks.Settings, env sinks.Env) (sinks.Sink, error) {
			return New(env.Name, s.(*Settings).Options(env))
		},
	})
}
