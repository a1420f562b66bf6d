package rules

import (
	"testing"

	"github.com/tarn-project/tarn/rules/cuttest"
	"github.com/tarn-project/tarn/rules/format"
)

// cutMax is the max_line_bytes of the cut tests.
const cutMax = 1024

// cutEngine compiles cuttest's rules.
func cutEngine(t *testing.T) *Engine {
	t.Helper()
	cfg, err := ParseConfig("cut.yaml", []byte(cuttest.Rules(cutMax)))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestCutWholeIdentsScrubbed guards the cut tests: uncut, every planted
// identifier is found and leaves no fragment.
func TestCutWholeIdentsScrubbed(t *testing.T) {
	p := cutEngine(t).NewProcessor()
	for _, id := range cuttest.Idents() {
		out, _ := p.Append(nil, cuttest.Whole(id), testEpoch)
		if f := cuttest.Leak(out, id); f != "" {
			t.Errorf("%s: %q survived uncut: %s", id.Kind, f, out)
		}
	}
}

// TestCutLeavesNoFragment cuts every identifier at every offset: what is
// kept of the line holds no raw fragment of it, and the cut is counted.
func TestCutLeavesNoFragment(t *testing.T) {
	p := cutEngine(t).NewProcessor()
	lines := cuttest.Lines(cutMax)
	for _, l := range lines {
		out, _ := p.Append(nil, l.Text, testEpoch)
		if len(out) > cutMax+64 {
			t.Fatalf("%s: output of %d bytes for a cut at %d", l.Ident.Kind, len(out), cutMax)
		}
		if f := cuttest.Leak(out, l.Ident); f != "" {
			t.Errorf("%s cut after %d bytes: %q survived: …%s", l.Ident.Kind, l.Off, f, tail(out))
		}
	}
	if p.Stats.Cut != uint64(len(lines)) {
		t.Errorf("cut %d of %d lines", p.Stats.Cut, len(lines))
	}
}

// TestJoinerCutLeavesNoFragment sends every planted line as CRI partial
// records through a Joiner bounded like the agent's: the joined, cut
// message holds no raw fragment.
func TestJoinerCutLeavesNoFragment(t *testing.T) {
	p := cutEngine(t).NewProcessor()
	j := format.Joiner{Max: cutMax}
	for _, l := range cuttest.Lines(cutMax) {
		var msg []byte
		var cut, done bool
		for rest := l.Text; !done; {
			n := min(len(rest), 300)
			c := format.Container{Stream: format.Stdout, Partial: n < len(rest), Message: rest[:n]}
			msg, cut, done = j.Add(&c)
			rest = rest[n:]
		}
		if !cut {
			t.Fatalf("%s: a line of %d bytes was not cut at %d", l.Ident.Kind, len(l.Text), cutMax)
		}
		out, _ := p.Append(nil, msg, testEpoch)
		if f := cuttest.Leak(out, l.Ident); f != "" {
			t.Errorf("%s cut after %d bytes: %q survived: …%s", l.Ident.Kind, l.Off, f, tail(out))
		}
	}
}

// tail returns the end of out, for messages.
func tail(out []byte) []byte { return out[max(len(out)-120, 0):] }
