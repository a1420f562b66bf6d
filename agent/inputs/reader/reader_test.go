package reader

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/tail"
	"github.com/tarn-project/tarn/rules/format"
)

// counter is a host that counts the records it is handed.
type counter struct{ records, cut int }

func (c *counter) Ingest(_ context.Context, b *inputs.Batch) error {
	c.records, c.cut = len(b.Records), b.Cut
	return nil
}

// cri formats a CRI record written at t.
func cri(t time.Time, stream, tag, msg string) string {
	return t.Format(time.RFC3339Nano) + " " + stream + " " + tag + " " + msg + "\n"
}

// chunkOf is the chunk of the whole lines of log, each cut at max as the
// tailer cuts them.
func chunkOf(log string, max int) *tail.Chunk {
	c := &tail.Chunk{}
	for _, l := range strings.SplitAfter(log, "\n") {
		if l == "" {
			continue
		}
		c.End += int64(len(l))
		line := []byte(strings.TrimSuffix(l, "\n"))
		if len(line) > max {
			line, c.Cuts, c.Cut = line[:max-3], append(c.Cuts, len(c.Lines)), c.Cut+1
		}
		c.Lines, c.Ends = append(c.Lines, line), append(c.Ends, c.End)
	}
	return c
}

// TestContainerChunkAllocatesNothing runs chunks of joined, cut and
// dropped CRI records through the reader again and again: once its
// buffers have grown it allocates nothing per line, and it hands the host
// the four lines the records make, two of them cut.
func TestContainerChunkAllocatesNothing(t *testing.T) {
	const max = 1024
	now := time.Now().UTC().Truncate(time.Second)
	long := strings.Repeat("zq ", max)
	log := cri(now, "stdout", "P", "zq split a") + cri(now, "stderr", "F", "zq err") +
		cri(now, "stdout", "F", " b") + cri(now, "stdout", "P", long) + cri(now, "stdout", "P", "x") +
		cri(now, "stdout", "F", "y") + cri(now, "stderr", "F", "zq err 2")
	c := chunkOf(log, max)
	rd := New(inputs.Env{Format: format.Text, Container: format.CRI, MaxLineBytes: max})
	h := &counter{}
	run := func() {
		for _, st := range rd.conts { // read the same records again
			st.next = c.Start
		}
		if err := rd.chunk(context.Background(), h, c); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if h.records != 4 || h.cut != 1 {
		t.Fatalf("%d records, %d cut; want 4, 1", h.records, h.cut)
	}
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Errorf("%v allocations per chunk of %d records", n, len(c.Lines))
	}
}
