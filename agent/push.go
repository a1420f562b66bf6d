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
	"strings"
	"sync"
	"time"

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
// keep their meaning. Requests are processed one at a time (the rules
// processor is single-threaded, as for a tailed file).
type pushInput struct {
	cfg      config.Input
	in       *ingest
	mu       sync.Mutex
	raw, out []byte // scrub's buffers
}

// pushReader binds the input's address (so a taken port fails the start)
// and returns the function that serves it until ctx ends. In run-once
// mode a push input has nothing to read to its end and serves nothing;
// what it spooled earlier is still delivered.
func (g *generation) pushReader(ic config.Input, in *ingest) (func(context.Context, chan<- *tail.Chunk) error, error) {
	if g.a.o.Once {
		return func(context.Context, chan<- *tail.Chunk) error { return nil }, nil
	}
	ln, err := net.Listen("tcp", ic.Push.Listen)
	if err != nil {
		return nil, err
	}
	p := &pushInput{cfg: ic, in: in}
	token := ""
	if ic.Push.BearerTokenFile != "" {
		b, err := os.ReadFile(ic.Push.BearerTokenFile)
		if err != nil {
			ln.Close()
			return nil, err
		}
		token = strings.TrimSpace(string(b))
	}
	h := lokipush.NewHandler(lokipush.Options{MaxBodyBytes: int64(ic.Push.MaxBodyBytes), BearerToken: token,
		Push: p.push, Logger: g.a.log.With(zap.String(keyInput, ic.Name))}) // the receiver adds its component
	return func(ctx context.Context, _ chan<- *tail.Chunk) error {
		return serve(ctx, ln, h)
	}, nil
}

// serve serves h on ln until ctx ends, then lets the requests in flight
// finish (up to 5 s) before it returns, so none touches a closed spool.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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

// push anonymizes one request's streams and appends them to the spool.
func (p *pushInput) push(ctx context.Context, tenant string, streams []lokipush.Stream) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	in := p.in
	now := in.now()
	in.buf, in.entries, in.meta = in.buf[:0], in.entries[:0], in.meta[:0]
	tenant = cmp.Or(p.tenant(tenant), in.tenant)
	unlock := in.lockAggregates()
	for _, s := range streams {
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
	unlock()
	in.exportStats()
	err := in.append(ctx, in.entries, false)
	if errors.Is(err, spool.ErrFull) {
		return fmt.Errorf("%w: %w", lokipush.ErrBusy, err)
	}
	return err
}

// entry runs one pushed entry through the rules. The entry keeps the
// sender's timestamp (Loki's meaning), and is dropped when that is past
// retention; the sender's structured metadata is scrubbed like free text.
func (p *pushInput) entry(pe lokipush.Entry, now time.Time, tenant string) (sinks.Entry, bool) {
	in := p.in
	e, ok := in.process(in.main, pe.Line, pe.Time, now, tenant)
	if !ok {
		return e, false
	}
	for _, m := range pe.Metadata {
		e.Metadata = append(e.Metadata, sinks.Label{Name: m.Name, Value: p.scrub(m.Value, pe.Time)})
	}
	return e, true
}

// labels are the input's static labels and name, then the pushed labels
// with their values scrubbed (a sender's label may hold personal data).
func (p *pushInput) labels(pushed []sinks.Label, now time.Time) []sinks.Label {
	m := make(map[string]string, len(p.cfg.Labels)+len(pushed)+1)
	for _, l := range pushed {
		m[l.Name] = p.scrub(l.Value, now)
	}
	m["input"] = p.cfg.Name
	maps.Copy(m, p.cfg.Labels)
	return sortedLabels(m)
}

// scrub runs the detectors over a pushed label or metadata value; an
// unchanged value is returned as it is, without a copy.
func (p *pushInput) scrub(v string, t time.Time) string {
	p.raw = append(p.raw[:0], v...)
	p.out = p.in.main.proc.AppendScrubbed(p.out[:0], p.raw, t)
	if string(p.out) == v {
		return v
	}
	return string(p.out)
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
