package rules

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the expected.log files of the golden tests")

// goldenNow is the processing time of every golden case.
var goldenNow = time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)

// TestGolden runs each testdata/<case>/input.log through <case>/rules.yaml
// with the test key and compares with <case>/expected.log.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "*", "rules.yaml"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases found: %v", err)
	}
	for _, rulesFile := range dirs {
		dir := filepath.Dir(rulesFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cfg, err := LoadConfig(rulesFile)
			if err != nil {
				t.Fatal(err)
			}
			eng, err := Compile(cfg, TestKey)
			if err != nil {
				t.Fatal(err)
			}
			in, err := os.ReadFile(filepath.Join(dir, "input.log"))
			if err != nil {
				t.Fatal(err)
			}
			got := runLines(eng.NewProcessor(), in, goldenNow)
			want := filepath.Join(dir, "expected.log")
			if *update {
				if err := os.WriteFile(want, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test ./rules -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, exp) {
				t.Errorf("output differs from %s\n got:\n%s\nwant:\n%s", want, got, exp)
			}
		})
	}
}

// runLines processes every line of in and joins the kept ones.
func runLines(p *Processor, in []byte, now time.Time) []byte {
	var out []byte
	for _, l := range bytes.SplitAfter(in, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var res Result
		out, res = p.Append(out, bytes.TrimSuffix(l, []byte("\n")), now)
		if res.Reason == Kept {
			out = append(out, '\n')
		}
	}
	return out
}
