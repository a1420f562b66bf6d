package pipe

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// upper is a Func that upper-cases each chunk, so order and completeness of
// the output are easy to check.
func upper() Func {
	return func(dst, chunk []byte) []byte { return append(dst, bytes.ToUpper(chunk)...) }
}

func TestRunKeepsOrder(t *testing.T) {
	var in strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&in, "line %d abc\n", i)
	}
	in.WriteString("last without newline")
	for _, workers := range []int{1, 2, 4} {
		var out bytes.Buffer
		err := Run(iotest.HalfReader(strings.NewReader(in.String())), &out, Options{Workers: workers, ChunkBytes: 1000}, upper)
		if err != nil {
			t.Fatal(err)
		}
		if out.String() != strings.ToUpper(in.String()) {
			t.Fatalf("workers=%d: output differs from input (len %d vs %d)", workers, out.Len(), in.Len())
		}
	}
}

func TestRunCutsLongLines(t *testing.T) {
	long := strings.Repeat("x", 10<<20)
	in := "a\n" + long + "\nb\n" + long
	var out bytes.Buffer
	if err := Run(strings.NewReader(in), &out, Options{Workers: 2, MaxLineBytes: 100}, upper); err != nil {
		t.Fatal(err)
	}
	cut := strings.Repeat("X", 101)
	if want := "A\n" + cut + "\nB\n" + cut; out.String() != want {
		t.Fatalf("got %d bytes %q…", out.Len(), out.String()[:min(out.Len(), 80)])
	}
}

func TestRunEmpty(t *testing.T) {
	var out bytes.Buffer
	if err := Run(strings.NewReader(""), &out, Options{}, upper); err != nil || out.Len() != 0 {
		t.Fatalf("got %q, %v", out.String(), err)
	}
}

func TestRunReadError(t *testing.T) {
	var out bytes.Buffer
	err := Run(iotest.TimeoutReader(strings.NewReader(strings.Repeat("a\n", 100000))), &out, Options{ChunkBytes: 1000}, upper)
	if err == nil {
		t.Fatal("read error not reported")
	}
}

// repeatReader reads n bytes of a pattern repeated: a huge line that is
// never in memory as a whole.
type repeatReader struct {
	pattern string
	n, off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.n > 0 {
		c := copy(p[k:min(len(p), k+r.n)], r.pattern[r.off:])
		k, r.n, r.off = k+c, r.n-c, (r.off+c)%len(r.pattern)
	}
	return k, nil
}

// countReader counts the reads of r.
type countReader struct {
	r     io.Reader
	reads int
}

func (c *countReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

// TestRunBoundsBuffers streams a 64 MiB line: the chunks handed to the
// Func stay within the chunk size plus the cut line, in both framings, and
// reads stay large while the rest of the line is skipped.
func TestRunBoundsBuffers(t *testing.T) {
	const chunk, maxLine = 256 << 10, 256 << 10 // the defaults
	for _, universal := range []bool{false, true} {
		pattern := "ab cd "
		if universal {
			pattern = "ab cd\r"
		}
		// The first read ends a line and brings a few bytes of the long one.
		in := &countReader{r: io.MultiReader(strings.NewReader("first\nab "), &repeatReader{pattern: pattern, n: 64 << 20}, strings.NewReader("\nlast\n"))}
		var mu sync.Mutex
		biggest := 0
		f := func() Func {
			return func(dst, c []byte) []byte {
				mu.Lock()
				biggest = max(biggest, cap(c))
				mu.Unlock()
				return append(dst, c...)
			}
		}
		var out bytes.Buffer
		if err := Run(in, &out, Options{Workers: 2, ChunkBytes: chunk, MaxLineBytes: maxLine, Universal: universal}, f); err != nil {
			t.Fatal(err)
		}
		if limit := 2 * (chunk + maxLine + 1); biggest > limit {
			t.Errorf("universal=%v: a chunk buffer of %d bytes, want at most %d", universal, biggest, limit)
		}
		if limit := 2*(64<<20)/chunk + 16; in.reads > limit {
			t.Errorf("universal=%v: %d reads, want at most %d (reads of half a chunk)", universal, in.reads, limit)
		}
		if !universal && (out.Len() != len("first\n")+maxLine+1+len("\nlast\n") || !strings.HasSuffix(out.String(), "\nlast\n")) {
			t.Errorf("%d bytes out", out.Len())
		}
		if universal && out.Len() != len("first\nab ")+64<<20+len("\nlast\n") {
			t.Errorf("universal: %d bytes out, want all of the short CR-ended lines", out.Len())
		}
	}
}

// TestRunUniversal reads lines ending in "\n", "\r\n" and a lone "\r" one
// byte at a time: long lines are cut at their own end and no chunk ends
// between the "\r" and "\n" of a "\r\n".
func TestRunUniversal(t *testing.T) {
	in := "a\r\nbb\rccc\n" + strings.Repeat("x", 50) + "\ry\r\n" + strings.Repeat("z", 30) + "\r\r\nend\r"
	var chunks []string
	f := func() Func {
		return func(dst, c []byte) []byte {
			chunks = append(chunks, string(c))
			return append(dst, c...)
		}
	}
	var out bytes.Buffer
	err := Run(iotest.OneByteReader(strings.NewReader(in)), &out, Options{Workers: 1, MaxLineBytes: 10, Universal: true}, f)
	if err != nil {
		t.Fatal(err)
	}
	want := "a\r\nbb\rccc\n" + strings.Repeat("x", 11) + "\ry\r\n" + strings.Repeat("z", 11) + "\r\r\nend\r"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	for i := 1; i < len(chunks); i++ {
		if strings.HasSuffix(chunks[i-1], "\r") && strings.HasPrefix(chunks[i], "\n") {
			t.Errorf("chunks %q and %q split a CRLF", chunks[i-1], chunks[i])
		}
	}
	if len(chunks) < 3 {
		t.Errorf("only %d chunks: lines were not passed on as they came", len(chunks))
	}
}

// cutRef is what Run passes on, written the simple way: every line keeps
// at most max+1 bytes and its end.
func cutRef(in []byte, max int, universal bool) []byte {
	var out []byte
	n := 0
	for _, b := range in {
		if b == '\n' || (universal && b == '\r') {
			out, n = append(out, b), 0
			continue
		}
		if n <= max {
			out = append(out, b)
		}
		n++
	}
	return out
}

// TestRunCutMatchesReference compares Run with cutRef on random lines read
// in random pieces.
func TestRunCutMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aaaabbbb  \r\n"
	for iter := range 400 {
		universal := iter%2 == 1
		in := make([]byte, r.IntN(300))
		for i := range in {
			in[i] = alphabet[r.IntN(len(alphabet))]
		}
		max := 1 + r.IntN(12)
		var src io.Reader = bytes.NewReader(in)
		switch iter % 3 {
		case 0:
			src = iotest.OneByteReader(src)
		case 1:
			src = iotest.HalfReader(src)
		}
		var out bytes.Buffer
		o := Options{Workers: 2, ChunkBytes: 1 + r.IntN(64), MaxLineBytes: max, Universal: universal}
		if err := Run(src, &out, o, upper); err != nil {
			t.Fatal(err)
		}
		if want := bytes.ToUpper(cutRef(in, max, universal)); !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("universal=%v max=%d in %q:\n got %q\nwant %q", universal, max, in, out.Bytes(), want)
		}
	}
}

// TestRunStage checks that the stage sees every chunk once, in input
// order, and that what it appends at the end of the stream comes last.
func TestRunStage(t *testing.T) {
	var in, want strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&in, "line %d\n", i)
		fmt.Fprintf(&want, "LINE %d #%d\n", i, i)
	}
	want.WriteString("END 20000\n")
	for _, workers := range []int{1, 3} {
		n := 0 // the stage numbers the lines: it must see them in order
		stage := func(dst, chunk []byte) []byte {
			if chunk == nil {
				return fmt.Appendf(dst, "end %d\n", n)
			}
			for line := range bytes.Lines(chunk) {
				dst = fmt.Appendf(dst, "%s #%d\n", bytes.TrimSuffix(line, []byte("\n")), n)
				n++
			}
			return dst
		}
		var out bytes.Buffer
		o := Options{Workers: workers, ChunkBytes: 1000, Stage: stage}
		if err := Run(iotest.HalfReader(strings.NewReader(in.String())), &out, o, upper); err != nil {
			t.Fatal(err)
		}
		if out.String() != want.String() {
			t.Fatalf("workers=%d: output differs (len %d vs %d)", workers, out.Len(), want.Len())
		}
	}
}

// TestRunStagePassesChunks checks a stage that passes most chunks on
// unchanged (returning them) and rewrites some.
func TestRunStagePassesChunks(t *testing.T) {
	var in strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&in, "line %d\n", i)
	}
	calls := 0
	stage := func(dst, chunk []byte) []byte {
		if chunk == nil {
			return append(dst, "end\n"...)
		}
		calls++
		if calls%3 == 0 {
			return append(dst, chunk...) // a copy, into the stage's buffer
		}
		return chunk
	}
	var out bytes.Buffer
	o := Options{Workers: 2, ChunkBytes: 1000, Stage: stage}
	if err := Run(iotest.HalfReader(strings.NewReader(in.String())), &out, o, upper); err != nil {
		t.Fatal(err)
	}
	if want := strings.ToUpper(in.String()) + "END\n"; out.String() != want {
		t.Fatalf("output differs (len %d vs %d)", out.Len(), len(want))
	}
}
