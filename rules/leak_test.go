package rules

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/benchmarks/plant"
	"github.com/tarn-project/tarn/rules/format"
)

// TestNoLeaks plants personal data in every format and fails if any planted
// value, or its URL-encoded form, survives the default rules.
func TestNoLeaks(t *testing.T) {
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	corpus := plant.Generate(7, 100, day)
	eng := defaultEngine(t)
	for _, auto := range []bool{true, false} {
		p := eng.NewProcessor()
		var out []byte
		for _, l := range corpus.Lines {
			f := format.Auto
			if !auto {
				f, _ = format.ParseFormat(l.Format)
			}
			out, _ = p.AppendAs(out, []byte(l.Text), f, day.Add(time.Hour))
			out = append(out, '\n')
		}
		if p.Stats.Records[Kept] != uint64(len(corpus.Lines)) {
			t.Errorf("auto=%v: kept %d of %d lines", auto, p.Stats.Records[Kept], len(corpus.Lines))
		}
		for _, s := range corpus.Forms() {
			if i := bytes.Index(out, []byte(s)); i >= 0 {
				line := out[bytes.LastIndexByte(out[:i], '\n')+1:]
				line = line[:bytes.IndexByte(line, '\n')]
				t.Errorf("auto=%v: planted %q survived in: %s", auto, s, line)
			}
		}
	}
}

// TestPlantedDataIsPresent guards the leak test itself: the planted values
// really are in the input.
func TestPlantedDataIsPresent(t *testing.T) {
	c := plant.Generate(7, 50, time.Now())
	var all strings.Builder
	for _, l := range c.Lines {
		all.WriteString(l.Text + "\n")
	}
	for _, s := range c.Secrets {
		if !strings.Contains(all.String(), s) {
			t.Errorf("secret %q not planted", s)
		}
	}
}
