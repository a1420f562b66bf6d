package file

import (
	"errors"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tarn-project/tarn/rules/strictyaml"
)

// Settings are the keys of a file input.
type Settings struct {
	// Paths are glob patterns of files to tail.
	Paths []string `yaml:"paths"`
	// Exclude are glob patterns matched against the base name to skip.
	Exclude []string `yaml:"exclude"`
	// StartAt is where a never-seen file starts: beginning or end
	// (default end).
	StartAt string `yaml:"start_at"`
	// Cleanup deletes rotated, fully read source files older than MaxAge.
	Cleanup *Cleanup `yaml:"cleanup"`
}

// Cleanup is the opt-in retention of the raw source files.
type Cleanup struct {
	// MaxAge is the age after which a rotated file is deleted.
	MaxAge strictyaml.Duration `yaml:"max_age"`
	// DryRun only logs what would be deleted.
	DryRun bool `yaml:"dry_run"`
}

// DefaultSettings returns the settings of a file input without keys.
func DefaultSettings() *Settings { return &Settings{StartAt: "end"} }

// Validate checks every key.
func (s *Settings) Validate() error {
	var errs []error
	fail := func(field, f string, args ...any) { errs = append(errs, strictyaml.Errorf(field, f, args...)) }
	if len(s.Paths) == 0 {
		fail("paths", "a file input needs at least one path")
	}
	for i, p := range s.Paths {
		if _, err := filepath.Match(p, ""); err != nil {
			fail("paths["+strconv.Itoa(i)+"]", "not a valid glob pattern")
		}
	}
	for i, p := range s.Exclude {
		if _, err := filepath.Match(p, ""); err != nil {
			fail("exclude["+strconv.Itoa(i)+"]", "not a valid glob pattern")
		}
	}
	if s.StartAt != "beginning" && s.StartAt != "end" {
		fail("start_at", "must be beginning or end, got %q", s.StartAt)
	}
	if s.Cleanup != nil && time.Duration(s.Cleanup.MaxAge) <= 0 {
		fail("cleanup.max_age", "must be positive")
	}
	return errors.Join(errs...)
}

// ResolvePaths makes the globs relative to the configuration file.
func (s *Settings) ResolvePaths(abs func(string) string) {
	for i, p := range s.Paths {
		s.Paths[i] = abs(p)
	}
}
