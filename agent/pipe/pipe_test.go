package pipe

import (
	"bytes"
	"fmt"
	"strings"
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
