package lokipush

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/httpserve"
	"github.com/tarn-project/tarn/agent/inputs"
)

// Input is a loki_push input: Loki's push API served on its own address.
// Each request is answered only after its entries are durable in the
// spool, so a sender's retries keep their meaning. One commit loop per
// input hands requests to the agent's ingest (which runs the rules, one
// batch at a time, as for a tailed file); requests that arrive while it
// appends and fsyncs are ingested together in its next batch (group
// commit).
type Input struct {
	s       *Settings
	env     inputs.Env
	ln      net.Listener
	srv     *http.Server
	reqs    chan *request // to the commit loop
	done    chan struct{} // closed when the commit loop ended
	commits int           // batches of the commit loop (for tests)
	b       inputs.Batch
}

var _ inputs.Input = (*Input)(nil)

func init() {
	inputs.Register("loki_push", inputs.Factory{
		Settings: func() inputs.Settings { return &Settings{} },
		New:      func(s inputs.Settings, env inputs.Env) (inputs.Input, error) { return New(s.(*Settings), env) },
	})
}

// request is one decoded request waiting for its batch.
type request struct {
	ctx     context.Context
	tenant  string
	streams []Stream
	err     chan error // the batch's result, sent once
}

// errStopped answers requests that came after the input stopped.
var errStopped = fmt.Errorf("%w: the input is stopping", ErrBusy)

// New binds the input's address (so a taken port fails the start). In
// run-once mode a push input has nothing to read to its end: it binds
// and serves nothing.
func New(s *Settings, env inputs.Env) (*Input, error) {
	in := &Input{s: s, env: env, reqs: make(chan *request, max(s.MaxConcurrentRequests, 1)), done: make(chan struct{})}
	if env.Once {
		return in, nil
	}
	log := env.Logger // the handler adds its component
	token := ""
	if s.BearerTokenFile != "" {
		b, err := os.ReadFile(s.BearerTokenFile)
		if err != nil {
			return nil, err
		}
		token = strings.TrimSpace(string(b))
	}
	tc, err := httpserve.TLS(s.TLS, log)
	if err != nil {
		return nil, err
	}
	if in.ln, err = httpserve.Listen(s.Listen, tc); err != nil {
		return nil, err
	}
	rejected := inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_push_rejected_requests_total",
		Help: "Push requests not answered 204, by input and reason: unauthorized, too_many_requests, body_too_large, too_many_entries, decoded_too_large, read_timeout, invalid, method_not_allowed, busy, canceled, failed."},
		"input", "reason")
	h := NewHandler(Options{MaxBodyBytes: int64(s.MaxBodyBytes), BearerToken: token,
		MaxEntries: s.MaxEntriesPerRequest, MaxDecodedBytes: int64(s.MaxDecodedBytes),
		MaxConcurrent: s.MaxConcurrentRequests, ReadTimeout: time.Duration(s.ReadTimeout),
		Rejected: func(reason string) { rejected.WithLabelValues(env.Name, reason).Inc() },
		Push:     in.push, Logger: log})
	in.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Duration(s.IdleTimeout),
		ErrorLog: httpserve.ErrorLog(log.With(zap.String("component", "lokipush")))}
	return in, nil
}

// Run serves the push API until ctx ends, then lets the requests in
// flight finish.
func (in *Input) Run(ctx context.Context, h inputs.Host) error {
	if in.srv == nil {
		return nil
	}
	stop := make(chan struct{})
	go in.commitLoop(h, stop)
	defer func() { close(stop); <-in.done }()
	return httpserve.Serve(ctx, in.ln, in.srv)
}

// push hands one request to the commit loop and waits for the batch that
// holds its entries.
func (in *Input) push(ctx context.Context, tenant string, streams []Stream) error {
	r := &request{ctx: ctx, tenant: tenant, streams: streams, err: make(chan error, 1)}
	select {
	case in.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-in.done:
		return errStopped
	}
	select {
	case err := <-r.err:
		return err
	case <-in.done:
		select {
		case err := <-r.err:
			return err
		default:
			return errStopped
		}
	}
}

// commitLoop ingests batches of requests until stop is closed: it waits
// for one request, takes every request queued meanwhile (while the last
// batch was fsynced), ingests them together and answers them all. A
// batch holds at most max_concurrent_requests requests: the others wait
// for a slot in the handler.
func (in *Input) commitLoop(h inputs.Host, stop <-chan struct{}) {
	defer close(in.done)
	var batch []*request
	for {
		select {
		case r := <-in.reqs:
			batch = in.queued(append(batch[:0], r))
		case <-stop:
			for _, r := range in.queued(batch[:0]) {
				r.err <- errStopped
			}
			return
		}
		err := in.commit(h, batch)
		in.commits++
		for _, r := range batch {
			r.err <- cmp.Or(r.ctx.Err(), err)
		}
		clear(batch)
	}
}

// queued appends the requests waiting in in.reqs to batch.
func (in *Input) queued(batch []*request) []*request {
	for {
		select {
		case r := <-in.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
}

// commit ingests the streams of a batch of requests in one batch, without
// waiting for a full spool (the sender is answered 503 and retries). A
// request whose client went away is skipped. Every entry keeps the
// sender's timestamp (Loki's meaning), labels and metadata, which the
// ingest anonymizes.
func (in *Input) commit(h inputs.Host, batch []*request) error {
	in.b.Reset()
	for _, r := range batch {
		if r.ctx.Err() != nil {
			continue
		}
		tenant := in.tenant(r.tenant)
		for _, s := range r.streams {
			for _, e := range s.Entries {
				in.b.Records = append(in.b.Records, inputs.Record{Line: e.Line, Time: e.Time, Labels: s.Labels, Metadata: e.Metadata, Tenant: tenant})
			}
		}
	}
	err := h.Ingest(context.Background(), &in.b)
	if errors.Is(err, inputs.ErrFull) {
		return fmt.Errorf("%w: %w", ErrBusy, err)
	}
	if errors.Is(err, inputs.ErrTooLarge) {
		return fmt.Errorf("%w: %w", ErrTooLarge, err)
	}
	return err
}

// tenant is the tenant a request's entries get when no rule sets one:
// the sender's X-Scope-OrgID with pass_tenant (mapped by tenant_map),
// else "" (the input's tenant).
func (in *Input) tenant(header string) string {
	if !in.s.PassTenant || header == "" {
		return ""
	}
	if t, ok := in.s.TenantMap[header]; ok {
		return t
	}
	return header
}
