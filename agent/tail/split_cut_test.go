package tail

import (
	"bytes"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/cuttest"
)

// TestSplitterCutLeavesNoFragment tails lines with an identifier of every
// kind across the cut at every offset, read at once and in small reads
// (the cut then falls in held bytes): after the rules, no raw fragment of
// the identifier is left, and every cut is counted.
func TestSplitterCutLeavesNoFragment(t *testing.T) {
	const max = 1024
	cfg, err := rules.ParseConfig("cut.yaml", []byte(cuttest.Rules(max)))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rules.Compile(cfg, rules.TestKey)
	if err != nil {
		t.Fatal(err)
	}
	lines := cuttest.Lines(max)
	var in bytes.Buffer
	for _, l := range lines {
		in.Write(l.Text)
		in.WriteByte('\n')
	}
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	for _, read := range []int{in.Len(), 333} {
		s := splitter{max: max}
		p := eng.NewProcessor()
		i, cut := 0, 0
		for data := in.Bytes(); len(data) > 0; data = data[min(read, len(data)):] {
			c := s.feed(data[:min(read, len(data))])
			if c == nil {
				continue
			}
			cut += c.Cut
			for _, got := range c.Lines {
				l := lines[i]
				i++
				if len(got) > max {
					t.Fatalf("read %d: a line of %d bytes, max %d", read, len(got), max)
				}
				out, _ := p.Append(nil, got, now)
				if f := cuttest.Leak(out, l.Ident); f != "" {
					t.Errorf("read %d: %s cut after %d bytes: %q survived: …%s", read, l.Ident.Kind, l.Off, f, out[len(out)-min(len(out), 100):])
				}
			}
		}
		if i != len(lines) || cut != len(lines) {
			t.Errorf("read %d: %d lines, %d cut; want %d of each", read, i, cut, len(lines))
		}
	}
}
