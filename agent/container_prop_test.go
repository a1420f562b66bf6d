package agent

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/inputs/reader"
	"github.com/tarn-project/tarn/agent/positions"
	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/agent/tail"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/format"
)

// TestContainerExactlyOnceProperty writes random CRI logs (stdout lines
// split into up to five records, stderr lines in between), reads them in
// chunks of random size and restarts the ingest from its checkpoint at
// random chunk boundaries, as the agent does after a stop: every line must
// reach the spool exactly once and whole.
func TestContainerExactlyOnceProperty(t *testing.T) {
	eng := testEngine(t)
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		log, want := randomCRI(rng, 200)
		got := ingestWithRestarts(t, eng, rng, log)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("seed %d: spooled\n%q\nwant\n%q", seed, got, want)
		}
	}
}

func testEngine(t *testing.T) *rules.Engine {
	t.Helper()
	cfg, err := rules.LoadConfig("builtin:default")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rules.Compile(cfg, rules.TestKey)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// randomCRI returns a CRI log of n lines and the lines in the order their
// last record appears.
func randomCRI(rng *rand.Rand, n int) (string, []string) {
	var b strings.Builder
	var want []string
	ts := time.Now().UTC().Format(time.RFC3339Nano)
	var pending []string // parts of the open stdout line
	var open string
	for i := 0; i < n || len(pending) > 0; i++ {
		if len(pending) == 0 && i < n {
			open = fmt.Sprintf("out %d %s end", i, strings.Repeat("x", rng.IntN(40)))
			pending = splitParts(rng, open, 5)
		}
		if rng.IntN(3) == 0 {
			e := fmt.Sprintf("err %d", i)
			fmt.Fprintf(&b, "%s stderr F %s\n", ts, e)
			want = append(want, e)
		}
		if len(pending) == 0 {
			continue
		}
		tag := "P"
		if len(pending) == 1 {
			tag = "F"
			want = append(want, open)
		}
		fmt.Fprintf(&b, "%s stdout %s %s\n", ts, tag, pending[0])
		pending = pending[1:]
	}
	return b.String(), want
}

// splitParts cuts s into one to max non-empty parts.
func splitParts(rng *rand.Rand, s string, max int) []string {
	var parts []string
	for k := rng.IntN(max); k > 0 && len(s) > 1; k-- {
		i := 1 + rng.IntN(len(s)-1)
		parts, s = append(parts, s[:i]), s[i:]
	}
	return append(parts, s)
}

// ingestWithRestarts feeds log to container ingests in random chunks,
// starting a new ingest from the committed position now and then, and
// returns the spooled lines.
func ingestWithRestarts(t *testing.T, eng *rules.Engine, rng *rand.Rand, log string) []string {
	t.Helper()
	dir := t.TempDir()
	sp, err := spool.Open(spool.Options{Dir: filepath.Join(dir, "spool"), MaxAge: 168 * time.Hour}, []string{"s"})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	store, err := positions.Load(filepath.Join(dir, "positions.json"))
	if err != nil {
		t.Fatal(err)
	}
	cp := &checkpoints{store: store, changed: make(chan struct{}, 1)}
	id := positions.ID{Dev: 1, Ino: 2, Fingerprint: 3, FPLen: 4}
	const path = "/var/log/pods/ns_pod_uid/app/0.log"
	var in *ingest
	var rd *reader.Reader
	offset := int64(0)
	for offset < int64(len(log)) {
		if in == nil || rng.IntN(4) == 0 { // a restart resumes at the checkpoint
			in, rd = containerIngest(eng, sp, cp)
			if p, ok := cp.Get(id); ok {
				offset = p.Offset
			}
		}
		c := chunkAt(log, offset, 1+rng.IntN(6))
		c.Path, c.ID = path, id
		chunks := make(chan *tail.Chunk, 1)
		chunks <- c
		close(chunks)
		if err := rd.Run(t.Context(), in, chunks); err != nil {
			t.Fatal(err)
		}
		offset = c.End
	}
	return spooledLines(t, sp)
}

// containerIngest returns the ingest of a CRI input and the reader that
// feeds it, as the file input does.
func containerIngest(eng *rules.Engine, sp *spool.Spool, cp *checkpoints) (*ingest, *reader.Reader) {
	main := &selection{eng: eng, proc: eng.NewProcessor()}
	in := &ingest{input: "pods", format: format.Text, wrapper: format.CRI, main: main, sels: []*selection{main},
		spool: sp, m: newMetrics(time.Now), log: zap.NewNop(), now: time.Now, sources: map[string]*source{}}
	return in, reader.New(inputs.Env{Format: format.Text, Container: format.CRI, MaxLineBytes: eng.MaxLineBytes(), Positions: cp})
}

// chunkAt returns the chunk of up to n whole lines of log from offset.
func chunkAt(log string, offset int64, n int) *tail.Chunk {
	c := &tail.Chunk{Start: offset, End: offset}
	for range n {
		if c.End >= int64(len(log)) {
			break
		}
		nl := strings.IndexByte(log[c.End:], '\n')
		c.Lines = append(c.Lines, []byte(log[c.End:c.End+int64(nl)]))
		c.End += int64(nl) + 1
		c.Ends = append(c.Ends, c.End)
	}
	return c
}

func spooledLines(t *testing.T, sp *spool.Spool) []string {
	t.Helper()
	b, err := sp.Read("s", 1<<20, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range b.Entries {
		out = append(out, string(e.Line))
	}
	return out
}
