package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/tarn-project/tarn/rules/cuttest"
	"github.com/tarn-project/tarn/rules/detect"
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

// wordReader reads n bytes of repeated words: a huge line that is never in
// memory as a whole.
type wordReader struct{ n, off int }

const words = "lorem 192.0.2.1 ipsum "

func (r *wordReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.n > 0 {
		c := copy(p[k:min(len(p), k+r.n)], words[r.off:])
		k, r.n, r.off = k+c, r.n-c, (r.off+c)%len(words)
	}
	return k, nil
}

// TestFilterAnonipHugeLine streams a 64 MiB line through anonip mode, from
// stdin and from --input: it is cut like in the default mode, with buffers
// far smaller than the line (anonip mode used to hold it whole), and its
// kept part and the lines around it come out as tarn writes them for the
// cut line alone.
func TestFilterAnonipHugeLine(t *testing.T) {
	const huge = 64 << 20
	head, tail := "203.0.113.7 a\n198.51.100.9 ", "\n192.0.2.200 - last\r\n"
	cut := make([]byte, anonipMaxLine+1)
	io.ReadFull(io.MultiReader(strings.NewReader("198.51.100.9 "), &wordReader{n: huge}), cut)
	small := "203.0.113.7 a\n" + string(cut[:detect.CutEnd(cut[:anonipMaxLine], cut[anonipMaxLine])]) + tail
	want := mustTarn(t, small, "filter", "--anonip").stdout
	if lines := splitLines(want); len(lines) != 3 || len(lines[1]) > anonipMaxLine+1 {
		t.Fatalf("reference output: %d lines", len(lines))
	}
	input := func() io.Reader {
		return io.MultiReader(strings.NewReader(head), &wordReader{n: huge}, strings.NewReader(tail))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := tarnIO(t, input(), "filter", "--anonip")
	runtime.ReadMemStats(&after)
	// Holding the line whole allocates at least its size; the pipe's
	// buffers are a few chunks of 256 KiB.
	if a := after.TotalAlloc - before.TotalAlloc; a > huge/4 {
		t.Errorf("allocated %d MiB for a line of %d MiB: the line was buffered", a>>20, huge>>20)
	}
	if r.code != 0 || r.stdout != want {
		t.Errorf("stdin: exit %d, %d bytes out, want %d: %.80q", r.code, len(r.stdout), len(want), r.stdout)
	}
	path := filepath.Join(t.TempDir(), "in.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, input()); err != nil || f.Close() != nil {
		t.Fatal(err)
	}
	r = mustTarn(t, "", "filter", "--anonip", "--input", path)
	if r.stdout != want {
		t.Errorf("--input: %d bytes out, want %d: %.80q", len(r.stdout), len(want), r.stdout)
	}
}
