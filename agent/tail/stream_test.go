package tail

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// collect runs ReadStream over r and returns its chunks.
func collect(t *testing.T, r io.Reader, o Options, st *Stats) ([]*Chunk, error) {
	t.Helper()
	out := make(chan *Chunk)
	var chunks []*Chunk
	done := make(chan struct{})
	go func() {
		for c := range out {
			chunks = append(chunks, c)
		}
		close(done)
	}()
	err := ReadStream(context.Background(), r, o, st, out)
	close(out)
	<-done
	return chunks, err
}

func TestReadStream(t *testing.T) {
	in := "a\r\nb\n\nab cdefgh\nend"
	st := new(Stats)
	// One byte per Read: every line spans reads.
	chunks, err := collect(t, iotest.OneByteReader(strings.NewReader(in)), Options{MaxLineBytes: 4, ChunkBytes: 3}, st)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	cut := 0
	for _, c := range chunks {
		if c.Path != "-" || c.Done {
			t.Errorf("chunk path %q done %v", c.Path, c.Done)
		}
		for _, l := range c.Lines {
			lines = append(lines, string(l))
		}
		cut += c.Cut
	}
	// The cut at 4 bytes drops the word it falls in (detect.CutEnd).
	if got := strings.Join(lines, "|"); got != "a|b||ab |end" {
		t.Errorf("lines = %q", got)
	}
	if cut != 1 || st.Cut.Load() != 1 || st.Lines.Load() != 5 || st.Bytes.Load() != uint64(len(in)) {
		t.Errorf("cut %d, stats cut %d lines %d bytes %d", cut, st.Cut.Load(), st.Lines.Load(), st.Bytes.Load())
	}
	if end := chunks[len(chunks)-1].End; end != int64(len(in)) {
		t.Errorf("End = %d", end)
	}
}

func TestReadStreamError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("ok\n"), iotest.ErrReader(boom))
	chunks, err := collect(t, r, Options{}, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if len(chunks) != 1 || string(chunks[0].Lines[0]) != "ok" {
		t.Errorf("chunks = %v", chunks)
	}
}

// TestReadStreamCancel ends ctx while the reader blocks: ReadStream
// returns nil without waiting for the reader.
func TestReadStreamCancel(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan *Chunk, 1)
	errc := make(chan error, 1)
	go func() { errc <- ReadStream(ctx, pr, Options{}, nil, out) }()
	if _, err := pw.Write([]byte("x\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-out:
		if string(c.Lines[0]) != "x" || c.End != 2 {
			t.Errorf("chunk %q end %d", c.Lines, c.End)
		}
	case <-time.After(deadline):
		t.Fatal("no chunk")
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("ReadStream did not return after cancel")
	}
}
