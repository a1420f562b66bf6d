package lokipush

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/inputs"
)

// batchRecorder is a host that keeps the lines of every batch, as the spool
// would.
type batchRecorder struct {
	mu      sync.Mutex
	batches int
	lines   map[string]int
}

func (r *batchRecorder) Ingest(_ context.Context, b *inputs.Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches++
	for _, rec := range b.Records {
		r.lines[string(rec.Line)]++
	}
	return nil
}

// TestGroupCommit: requests queued while the commit loop is busy are
// ingested in one batch; every request is answered only after it, and
// every entry is in it exactly once.
func TestGroupCommit(t *testing.T) {
	const n = 24
	s := &Settings{Listen: "127.0.0.1:0", MaxConcurrentRequests: n}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	in, err := New(s, inputs.Env{Name: "push", Registry: prometheus.NewRegistry(), Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer in.ln.Close()
	errs := make(chan error, n)
	for i := range n {
		body := `{"streams":[{"stream":{"app":"x"},"values":[`
		for j := range 10 {
			if j > 0 {
				body += ","
			}
			body += fmt.Sprintf(`[%q,"line %d"]`, fmt.Sprint(time.Now().UnixNano()), 10*i+j)
		}
		streams, err := Decode("application/json", "", []byte(body+`]}]}`), 0)
		if err != nil {
			t.Fatal(err)
		}
		go func() { errs <- in.push(context.Background(), "", streams) }()
	}
	for deadline := time.Now().Add(10 * time.Second); len(in.reqs) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d requests queued", len(in.reqs), n)
		}
	}
	h := &batchRecorder{lines: map[string]int{}}
	stop := make(chan struct{})
	go in.commitLoop(h, stop)
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	<-in.done
	if in.commits != 1 || h.batches != 1 {
		t.Errorf("%d requests queued together took %d batches, want 1", n, in.commits)
	}
	for i := range 10 * n {
		if c := h.lines[fmt.Sprintf("line %d", i)]; c != 1 {
			t.Fatalf("line %d ingested %d times", i, c)
		}
	}
}
