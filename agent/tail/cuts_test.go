package tail

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestChunkCutsNameTheCutLines tails a real file of short and overlong
// lines (the last one without a newline, sent at EOF), read in one piece
// and in reads smaller than a line: Chunk.Cuts lists exactly the lines
// that were cut, by their index in the chunk, and agrees with Chunk.Cut.
func TestChunkCutsNameTheCutLines(t *testing.T) {
	const max = 300
	var want []bool // by line: whether it is cut
	var b strings.Builder
	for i := range 40 {
		n := 10 + (i*37)%(3*max) // some lines shorter than max, some longer
		if i%7 == 0 {
			n = max // exactly max bytes: not cut
		}
		line := fmt.Sprintf("%03d ", i) + strings.Repeat("zq ", n)[:n-4]
		b.WriteString(line)
		if i < 39 {
			b.WriteString("\n")
		}
		want = append(want, n > max)
	}
	for _, read := range []int{64 << 10, 100} {
		t.Run(fmt.Sprint("read ", read), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			writeFile(t, path, b.String())
			h := start(t, Options{Paths: []string{path}, MaxLineBytes: max, ChunkBytes: read, Once: true})
			h.wait(t)
			var got []bool
			for _, c := range h.all() {
				if len(c.Cuts) != c.Cut {
					t.Errorf("chunk with Cut %d lists %d cut lines", c.Cut, len(c.Cuts))
				}
				cut := make([]bool, len(c.Lines))
				for k, i := range c.Cuts {
					if k > 0 && i <= c.Cuts[k-1] || i >= len(c.Lines) {
						t.Fatalf("Cuts %v of %d lines not ascending indexes", c.Cuts, len(c.Lines))
					}
					cut[i] = true
				}
				got = append(got, cut...)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("cut lines\n got %v\nwant %v", got, want)
			}
		})
	}
}
