package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/tarn-project/tarn/rules/cuttest"
)

// TestFilterCutLeavesNoFragment runs tarn filter over lines with an
// identifier of every kind across the max_line_bytes cut at every offset:
// no raw fragment of the identifier is left in the output, and every line
// is counted as cut.
func TestFilterCutLeavesNoFragment(t *testing.T) {
	const max = 1024
	rulesFile := writeFile(t, t.TempDir(), "cut.yaml", cuttest.Rules(max))
	lines := cuttest.Lines(max)
	var in bytes.Buffer
	for _, l := range lines {
		in.Write(l.Text)
		in.WriteByte('\n')
	}
	r := mustTarn(t, in.String(), "filter", "--rules", rulesFile, "--key-file", newKeyFile(t), "-j", "2", "--stats")
	out := splitLines(r.stdout)
	if len(out) != len(lines) {
		t.Fatalf("%d lines out, %d in", len(out), len(lines))
	}
	for i, l := range lines {
		if f := cuttest.Leak([]byte(out[i]), l.Ident); f != "" {
			t.Errorf("%s cut after %d bytes: %q survived: …%s", l.Ident.Kind, l.Off, f, out[i][len(out[i])-min(len(out[i]), 100):])
		}
	}
	if want := "cut " + strconv.Itoa(len(lines)) + ","; !strings.Contains(r.stderr, want) {
		t.Errorf("stats lack %q: %s", want, r.stderr)
	}
}
