package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/agent/lokipush"
	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/agent/tail"
	"github.com/tarn-project/tarn/sinks"
)

// pushInput is a loki_push input: Loki's push API served on its own
// address. Each request runs through the input's rules and is answered
// only after its entries are durable in the spool, so a sender's retries
// keep their meaning. One commit loop per input runs the rules (the rules
// processor is single-threaded, as for a tailed file) and appends to the
// spool; requests that arrive while it appends and fsyncs are processed
// and appended together in its next append (group commit).
type pushInput struct {
	cfg           config.Input
	in            *ingest
	reqs          chan *pushRequest // to the commit loop
	done          chan struct{}     // closed when the commit loop ended
	commits       int               // spool appends of the commit loop (for tests)
	key, raw, out []byte            // anonymize's buffers
}

// pushRequest is one decoded request waiting for its append.
type pushRequest struct {
	ctx     context.Context
	tenant  string
	streams []lokipush.Stream
	err     chan error // the append's result, sent once
}

// errStopped answers requests that came after the input stopped.
var errStopped = fmt.Errorf("%w: the input is stopping", lokipush.ErrBusy)

// pushReader binds the input's address (so a taken port fails the start)
// and returns the function that serves it until ctx ends. In run-once
// mode a push input has nothing to read to its end and serves nothing;
// what it spooled earlier is still delivered.
func (g *generation) pushReader(ic config.Input, in *ingest) (func(context.Context, chan<- *tail.Chunk) error, error) {
	if g.a.o.Once {
		return func(context.Context, chan<- *tail.Chunk) error { return nil }, nil
	}
	log := g.a.log.With(zap.String(keyInput, ic.Name)) // the receiver adds its component
	token := ""
	if ic.Push.BearerTokenFile != "" {
		b, err := os.ReadFile(ic.Push.BearerTokenFile)
		if err != nil {
			return nil, err
		}
		token = strings.TrimSpace(string(b))
	}
	tc, err := serverTLS(ic.Push.TLS, log)
	if err != nil {
		return nil, err
	}
	ln, err := listenTLS(ic.Push.Listen, tc)
	if err != nil {
		return nil, err
	}
	for _, w := range ic.Push.Warnings(g.inputPath(ic.Name)) {
		log.Warn(w)
	}
	p := newPushInput(ic, in)
	rejected := pushRejected(g.a.m.reg)
	h := lokipush.NewHandler(lokipush.Options{MaxBodyBytes: int64(ic.Push.MaxBodyBytes), BearerToken: token,
		MaxEntries: ic.Push.MaxEntriesPerRequest, MaxDecodedBytes: int64(ic.Push.MaxDecodedBytes),
		MaxConcurrent: ic.Push.MaxConcurrentRequests, ReadTimeout: time.Duration(ic.Push.ReadTimeout),
		Rejected: func(reason string) { rejected.WithLabelValues(ic.Name, reason).Inc() },
		Push:     p.push, Logger: log})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Duration(ic.Push.IdleTimeout),
		ErrorLog: httpErrorLog(log.With(zap.String(keyComponent, "lokipush")))}
	return func(ctx context.Context, _ chan<- *tail.Chunk) error {
		stop := make(chan struct{})
		go p.commitLoop(stop)
		defer func() { close(stop); <-p.done }()
		return serve(ctx, ln, srv)
	}, nil
}

// newPushInput returns the push input of ic; its commitLoop must run.
func newPushInput(ic config.Input, in *ingest) *pushInput {
	return &pushInput{cfg: ic, in: in, reqs: make(chan *pushRequest, max(ic.Push.MaxConcurrentRequests, 1)), done: make(chan struct{})}
}

// inputPath is the configuration path of the named input, inputs[i].
func (g *generation) inputPath(name string) string {
	for i, ic := range g.cfg.Inputs {
		if ic.Name == name {
			return "inputs[" + strconv.Itoa(i) + "]"
		}
	}
	return "inputs"
}

// pushRejected returns the agent's counter of rejected push requests,
// registering it on first use (it outlives reloads like every metric).
func pushRejected(reg *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tarn_push_rejected_requests_total",
		Help: "Push requests not answered 204, by input and reason: unauthorized, too_many_requests, body_too_large, too_many_entries, decoded_too_large, read_timeout, invalid, method_not_allowed, busy, canceled, failed."},
		[]string{"input", "reason"})
	var are prometheus.AlreadyRegisteredError
	if err := reg.Register(c); errors.As(err, &are) {
		return are.ExistingCollector.(*prometheus.CounterVec)
	} else if err != nil {
		panic(err)
	}
	return c
}

// serve serves srv on ln until ctx ends, then lets the requests in flight
// finish (up to 5 s) before it returns, so none touches a closed spool.
func serve(ctx context.Context, ln net.Listener, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	return err
}

// push hands one request to the commit loop and waits for the append that
// holds its entries.
func (p *pushInput) push(ctx context.Context, tenant string, streams []lokipush.Stream) error {
	r := &pushRequest{ctx: ctx, tenant: tenant, streams: streams, err: make(chan error, 1)}
	select {
	case p.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-p.done:
		return errStopped
	}
	select {
	case err := <-r.err:
		return err
	case <-p.done:
		select {
		case err := <-r.err:
			return err
		default:
			return errStopped
		}
	}
}

// commitLoop appends batches of requests until stop is closed: it waits
// for one request, takes every request queued meanwhile (while the last
// append was fsynced), appends them together and answers them all. A
// batch holds at most max_concurrent_requests requests: the others wait
// for a slot in the handler.
func (p *pushInput) commitLoop(stop <-chan struct{}) {
	defer close(p.done)
	var batch []*pushRequest
	for {
		select {
		case r := <-p.reqs:
			batch = p.queued(append(batch[:0], r))
		case <-stop:
			for _, r := range p.queued(batch[:0]) {
				r.err <- errStopped
			}
			return
		}
		err := p.commit(batch)
		p.commits++
		for _, r := range batch {
			r.err <- cmp.Or(r.ctx.Err(), err)
		}
		clear(batch)
	}
}

// queued appends the requests waiting in p.reqs to batch.
func (p *pushInput) queued(batch []*pushRequest) []*pushRequest {
	for {
		select {
		case r := <-p.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
}

// commit anonymizes the streams of a batch of requests and appends them
// to the spool in one append. A request whose client went away is skipped.
func (p *pushInput) commit(batch []*pushRequest) error {
	in := p.in
	now := in.now()
	in.buf, in.entries, in.meta = in.buf[:0], in.entries[:0], in.meta[:0]
	unlock := in.lockAggregates()
	for _, r := range batch {
		if r.ctx.Err() != nil {
			continue
		}
		tenant := cmp.Or(p.tenant(r.tenant), in.tenant)
		for _, s := range r.streams {
			labels := p.labels(s.Labels, now)
			for _, pe := range s.Entries {
				e, ok := p.entry(pe, now, tenant)
				if !ok {
					continue
				}
				e.Labels = labels
				in.entries = append(in.entries, e)
			}
		}
	}
	unlock()
	in.exportStats()
	err := in.append(context.Background(), in.entries, false)
	if errors.Is(err, spool.ErrFull) {
		return fmt.Errorf("%w: %w", lokipush.ErrBusy, err)
	}
	return err
}

// entry runs one pushed entry through the rules. The entry keeps the
// sender's timestamp (Loki's meaning), and is dropped when that is past
// retention. The sender's structured metadata goes through the rules' key
// catalogue as JSON and logfmt keys do (see anonymize), pseudonyms taken
// at the entry's time.
func (p *pushInput) entry(pe lokipush.Entry, now time.Time, tenant string) (sinks.Entry, bool) {
	in := p.in
	e, ok := in.process(in.main, pe.Line, pe.Time, now, tenant)
	if !ok {
		return e, false
	}
	for _, m := range pe.Metadata {
		if v, ok := p.anonymize(m.Name, m.Value, pe.Time); ok {
			e.Metadata = append(e.Metadata, sinks.Label{Name: m.Name, Value: v})
		}
	}
	return e, true
}

// labels are the input's static labels and name, then the pushed labels
// with their values anonymized like structured metadata (a sender's label
// may hold a user name or an e-mail address): by the key catalogue, the
// detectors for a name it does not know. A pushed label stays a stream
// label, as the sender chose: its pseudonym has as many values as the raw
// value it replaces (one more per key epoch), truncation and redaction
// fewer, and the Loki sink's max_label_values guard moves a label with
// too many values to structured metadata. A label the rules drop
// (drop_field, or a name holding an identifier) is left out.
func (p *pushInput) labels(pushed []sinks.Label, now time.Time) []sinks.Label {
	m := make(map[string]string, len(p.cfg.Labels)+len(pushed)+1)
	for _, l := range pushed {
		if v, ok := p.anonymize(l.Name, l.Value, now); ok {
			m[l.Name] = v
		}
	}
	m["input"] = p.cfg.Name
	maps.Copy(m, p.cfg.Labels)
	return sortedLabels(m)
}

// anonymize runs a pushed label or metadata value through the rules as
// the value of a JSON or logfmt key named name (rules.AppendKeyValue:
// user is pseudonymized, client_ip truncated, password redacted, an
// unknown name's value scrubbed by the detectors, a trace_id kept), with
// pseudonyms taken at t. ok is false when the pair is dropped. An
// unchanged value is returned as it is, without a copy.
func (p *pushInput) anonymize(name, v string, t time.Time) (string, bool) {
	p.key = append(p.key[:0], name...)
	p.raw = append(p.raw[:0], v...)
	var ok bool
	p.out, ok = p.in.main.proc.AppendKeyValue(p.out[:0], p.key, p.raw, t)
	if !ok {
		return "", false
	}
	if string(p.out) == v {
		return v, true
	}
	return string(p.out), true
}

// tenant is the tenant a request's entries get when no rule sets one:
// the sender's X-Scope-OrgID with pass_tenant (mapped by tenant_map),
// else the input's tenant.
func (p *pushInput) tenant(header string) string {
	if !p.cfg.Push.PassTenant || header == "" {
		return ""
	}
	if t, ok := p.cfg.Push.TenantMap[header]; ok {
		return t
	}
	return header
}
