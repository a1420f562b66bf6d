package main

import (
	"bytes"
	"io"
	"testing"
)

// TestTortureShort runs the short torture run (20,000 lines, 8 kills,
// about a minute) against this tree and fails if a line was lost.
func TestTortureShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real agent, kills it, runs Loki; about a minute")
	}
	o, err := parseFlags([]string{"-short", "-src", "../.."}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := run(o, &out)
	t.Log(out.String())
	if code != 0 {
		t.Fatalf("torture run exited %d", code)
	}
}
