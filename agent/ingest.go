package agent

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/agent/tail"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/sinks"
)

// ingest turns the chunks of one input into spooled entries: rules, then
// the spool, then the checkpoint. One goroutine per input owns it.
type ingest struct {
	input     string
	format    format.Format
	labels    map[string]string
	tenant    string            // the input's tenant
	nsTenants map[string]string // tenants of Kubernetes namespaces
	host      string            // this machine's name, the host label
	eng       *rules.Engine
	proc      *rules.Processor
	spool     *spool.Spool
	cp        *checkpoints // nil for streams
	m         *metrics
	log       *zap.Logger
	now       func() time.Time
	full      time.Duration // wait while the spool is full
	buf       []byte
	entries   []sinks.Entry
	streams   map[string][]sinks.Label // labels by file path
	agg       *aggregates              // nil without an aggregate section
	obs       aggregate.Obs
	meta      []sinks.Label // the entries' metadata of one chunk
}

// run consumes chunks until the channel closes. A chunk is committed only
// after its entries are durable; when ctx ends while the spool is full,
// the chunk is left uncommitted and will be read again after a restart.
func (in *ingest) run(ctx context.Context, chunks <-chan *tail.Chunk) error {
	for c := range chunks {
		if err := in.chunk(ctx, c); err != nil {
			if ctx.Err() != nil {
				for range chunks { // let the reader finish; nothing more is committed
				}
				return nil
			}
			return err
		}
	}
	return nil
}

func (in *ingest) chunk(ctx context.Context, c *tail.Chunk) error {
	now := in.now()
	in.buf, in.entries, in.meta = in.buf[:0], in.entries[:0], in.meta[:0]
	labels := in.streamLabels(c.Path)
	if in.agg != nil {
		in.agg.mu.Lock()
		defer in.agg.mu.Unlock()
	}
	tenant := in.pathTenant(c.Path)
	for _, line := range c.Lines {
		if e, ok := in.process(line, now, tenant); ok {
			e.Labels = labels
			in.entries = append(in.entries, e)
		}
	}
	in.exportStats(c.Cut)
	if err := in.append(ctx, in.entries, true); err != nil {
		return err
	}
	if in.cp != nil && c.Path != "-" {
		in.cp.commit(c.Path, c.ID, c.End, c.Done)
	}
	return nil
}

// process runs the rules over one line and returns its entry (without
// labels), or false when the record is dropped, and counts it in the
// input's aggregates (the caller holds in.agg.mu). The line is appended
// to in.buf, which the caller resets per chunk. The entry's tenant is the
// one a rule chose, else tenant.
func (in *ingest) process(line []byte, now time.Time, tenant string) (sinks.Entry, bool) {
	mark := len(in.buf)
	var res rules.Result
	in.buf, res = in.proc.AppendAs(in.buf, line, in.format, now)
	if res.Reason != rules.Kept {
		in.buf = in.buf[:mark]
		return sinks.Entry{}, false
	}
	e := sinks.Entry{Time: res.Time, Line: in.buf[mark:len(in.buf):len(in.buf)], Tenant: tenant}
	if in.agg != nil && in.proc.Observe(&in.obs) {
		in.agg.addLocked(&in.obs)
	}
	if in.eng.HasRoutes() {
		start := len(in.meta)
		in.meta = in.proc.AppendMetadata(in.meta)
		e.Metadata = in.meta[start:len(in.meta):len(in.meta)]
		if t := in.proc.Tenant(); t != "" {
			e.Tenant = t
		}
	}
	return e, true
}

// append writes entries to the spool, splitting a batch too large for one
// spool record. While the spool is full it waits (backpressure: reading
// pauses, nothing is dropped), or with wait false returns spool.ErrFull.
func (in *ingest) append(ctx context.Context, entries []sinks.Entry, wait bool) error {
	if len(entries) == 0 {
		return nil
	}
	logged := false
	for {
		err := in.spool.Append(entries)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, spool.ErrTooLarge) && len(entries) > 1:
			h := len(entries) / 2
			return errors.Join(in.append(ctx, entries[:h], wait), in.append(ctx, entries[h:], wait))
		case !errors.Is(err, spool.ErrFull):
			return fmt.Errorf("input %s: %w", in.input, err)
		}
		in.m.backpressure.WithLabelValues(in.input).Inc()
		if !wait {
			return err
		}
		if !logged {
			in.log.Warn("spool full, input paused", zap.String(keyInput, in.input))
			logged = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(in.full):
		}
	}
}

// exportStats moves the processor's counters into the metrics.
func (in *ingest) exportStats(cut int) {
	st := &in.proc.Stats
	st.Cut += uint64(cut)
	in.m.addRules(in.input, in.eng, st)
	acts := st.Actions
	clear(acts)
	*st = rules.Stats{Actions: acts}
}

// streamLabels returns the labels of entries read from path: the input's
// static labels, its name, the host name, the file name and, for
// kubelet's pod logs, namespace, pod and container (static labels win);
// sorted by name, cached.
func (in *ingest) streamLabels(path string) []sinks.Label {
	if ls, ok := in.streams[path]; ok {
		return ls
	}
	ls := make([]sinks.Label, 0, len(in.labels)+2)
	for k, v := range in.labels {
		ls = append(ls, sinks.Label{Name: k, Value: v})
	}
	add := func(name, value string) {
		if _, set := in.labels[name]; !set {
			ls = append(ls, sinks.Label{Name: name, Value: value})
		}
	}
	add("input", in.input)
	if in.host != "" {
		add("host", in.host)
	}
	if path != "-" {
		add("filename", path)
	}
	if ns, pod, container, ok := podLogPath(path); ok {
		add("namespace", ns)
		add("pod", pod)
		add("container", container)
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
	if len(in.streams) > 1024 {
		clear(in.streams)
	}
	in.streams[path] = ls
	return ls
}

// pathTenant is the tenant of the entries of path: its namespace's by
// namespace_tenants for a pod log, else the input's.
func (in *ingest) pathTenant(path string) string {
	if len(in.nsTenants) > 0 {
		if ns, _, _, ok := podLogPath(path); ok {
			if t, ok := in.nsTenants[ns]; ok {
				return t
			}
		}
	}
	return in.tenant
}

// podLogPath splits kubelet's pod log path
// .../<namespace>_<pod>_<uid>/<container>/<n>.log. Namespace and pod
// names cannot hold '_' (DNS-1123), so the directory splits exactly.
func podLogPath(path string) (namespace, pod, container string, ok bool) {
	dir, file := filepath.Split(path)
	if !strings.HasSuffix(file, ".log") {
		return "", "", "", false
	}
	dir, container = filepath.Split(strings.TrimSuffix(dir, "/"))
	_, podDir := filepath.Split(strings.TrimSuffix(dir, "/"))
	parts := strings.Split(podDir, "_")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" || container == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], container, true
}
