package config

import (
	"strconv"

	"github.com/tarn-project/tarn/sinks"
)

// Warnings are the risks of a valid configuration that `tarn run --check`
// and the agent's start report, e.g. a push input open to every host.
func (c *Config) Warnings() []string {
	var out []string
	for i, in := range c.Inputs {
		if w, ok := in.Settings.(sinks.Warner); ok {
			out = append(out, w.Warnings("inputs["+strconv.Itoa(i)+"]")...)
		}
	}
	for i, s := range c.Sinks {
		if w, ok := s.Settings.(sinks.Warner); ok {
			out = append(out, w.Warnings("sinks["+strconv.Itoa(i)+"]")...)
		}
	}
	return out
}
