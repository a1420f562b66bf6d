package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/sinks"
)

// ingest is the Host of one input (inputs.Host): it turns the input's
// batches into spooled entries, running the rules over each line in one
// call, and returns when they are durable. The input serializes its
// Ingest calls.
type ingest struct {
	input     string
	format    format.Format // of lines, or of messages in container records
	wrapper   format.Format // CRI or Docker for container inputs, else Text
	labels    map[string]string
	infraNets []config.Network  // addresses kept in pushed labels
	tenant    string            // the input's tenant
	nsTenants map[string]string // tenants of Kubernetes namespaces
	host      string            // this machine's name, the host label
	main      *selection        // the configuration's rules
	selects   []selectEntry     // the input's select entries
	sels      []*selection      // every selection, for the metrics
	spool     *spool.Spool
	m         *metrics
	log       *zap.Logger
	now       func() time.Time
	full      time.Duration // wait while the spool is full
	out       rules.Out     // the lines and metadata of one batch
	entries   []sinks.Entry
	sources   map[string]*source // by file path
	agg       *aggregates        // nil without an aggregate section
	cut       int                // lines the input cut, not yet counted
	pushed    pushedLabels       // the labels of records that bring their own
	key, raw  []byte             // anonymize's buffers
	kv        []byte
	// anonymized is inputs[].already_anonymized: lines that parse in
	// the input's format are kept as they are (see addAnonymized).
	anonymized bool
	rec        format.Record // addAnonymized's parse of a line
	// paused is set while appends fail for a full spool; pausedInputs
	// counts the generation's paused inputs, for /readyz.
	paused       atomic.Bool
	pausedInputs *atomic.Int32
	// warnedOld is set once the log said that records were dropped as too
	// old (once per input and start or reload).
	warnedOld bool
}

// selection is one compiled rule set with the ingest's processor for it.
type selection struct {
	eng  *rules.Engine
	proc *rules.Processor
}

// selectEntry is a select entry of the input with its rules.
type selectEntry struct {
	cfg config.Select
	sel *selection
}

// source is what a file's path decides: its stream labels (for container
// inputs one set per output stream, with a stream label), and the rules
// and tenant of its select entry.
type source struct {
	labels [2][]sinks.Label // by format.Stream; [0] for plain lines
	sel    *selection
	tenant string
}

var _ inputs.Host = (*ingest)(nil)

// Ingest runs the rules over the batch's lines and records and spools
// their entries (see inputs.Host).
func (in *ingest) Ingest(ctx context.Context, b *inputs.Batch) error {
	now := in.now()
	in.out.Buf, in.out.Meta, in.entries = in.out.Buf[:0], in.out.Meta[:0], in.entries[:0]
	in.pushed.reset()
	src := in.source(b.Source)
	unlock := in.lockAggregates()
	in.cut += b.Cut
	for _, line := range b.Lines {
		in.add(src, src.labels[0], line, time.Time{}, now, src.tenant)
	}
	for i := range b.Records {
		in.record(src, &b.Records[i], now)
	}
	unlock()
	b.Kept = len(in.entries)
	in.exportStats()
	err := in.append(ctx, in.entries, b.Wait)
	if errors.Is(err, spool.ErrFull) && !b.Wait {
		return fmt.Errorf("%w: %w", inputs.ErrFull, err)
	}
	return err
}

// record adds the entry of one record: a container's (labelled by its
// stream) or one with labels and metadata of its own, which are
// anonymized like the values of keys of the same names.
func (in *ingest) record(src *source, r *inputs.Record, now time.Time) {
	labels := src.labels[r.Stream&1]
	if r.Labels != nil {
		labels = in.pushed.get(in, r.Labels, now)
	}
	n := len(in.entries)
	in.add(src, labels, r.Line, r.Time, now, cmp.Or(r.Tenant, src.tenant))
	if len(in.entries) == n || len(r.Metadata) == 0 {
		return
	}
	e := &in.entries[n]
	start := len(in.out.Meta)
	in.out.Meta = append(in.out.Meta, e.Metadata...)
	for _, m := range r.Metadata {
		if v, ok := in.anonymize(m.Name, m.Value, r.Time); ok {
			in.out.Meta = append(in.out.Meta, sinks.Label{Name: m.Name, Value: v})
		}
	}
	e.Metadata = in.out.Meta[start:len(in.out.Meta):len(in.out.Meta)]
}

// lockAggregates holds the input's aggregation while lines are processed
// and returns the unlock. It is released before spooling: a full spool
// must not stall the aggregates' flush and /metrics.
func (in *ingest) lockAggregates() (unlock func()) {
	if in.agg == nil {
		return func() {}
	}
	in.agg.mu.Lock()
	return in.agg.mu.Unlock
}

// add runs the rules of src's selection over one line and appends its
// entry, with labels, to in.entries unless it is dropped, and counts it
// in the input's aggregates (the caller holds in.agg.mu). A non-zero t is
// when the line was written (a container runtime's or a Loki sender's
// time, see rules.Processor.AppendAt): the entry keeps t as its time. The
// entry's tenant is the one a rule chose, else tenant.
func (in *ingest) add(src *source, labels []sinks.Label, line []byte, t, now time.Time, tenant string) {
	if in.anonymized && in.addAnonymized(src, labels, line, t, now, tenant) {
		return
	}
	r := src.sel.proc.Process(&in.out, line, in.format, t, now, in.agg != nil)
	if r.Reason != rules.Kept {
		return
	}
	if r.Observed {
		in.agg.addLocked(&in.out.Obs)
	}
	in.entries = append(in.entries, sinks.Entry{Time: cmp.Or(t, r.Time), Labels: labels, Line: r.Line,
		Metadata: r.Metadata, Tenant: cmp.Or(r.Tenant, tenant)})
}

// addAnonymized adds the entry of a line anonymized before (by `tarn
// filter`; inputs[].already_anonymized) without running the rules over it
// again: it keeps the line, its time (the time it holds, else t, else
// now) and drops it past the rules' retention, counted like the rules
// count. It returns false, adding nothing, for a line that does not parse
// in the input's format: that line goes through the rules (fail closed).
// The line is not observed for aggregates.
func (in *ingest) addAnonymized(src *source, labels []sinks.Label, line []byte, t, now time.Time, tenant string) bool {
	eng, st := src.sel.eng, &src.sel.proc.Stats
	in.rec.Now = now
	keys := anonymizedTimeKeys
	if k := eng.Config().TimeKeys; k != nil {
		keys = toBytes(k)
	}
	if !format.Parse(in.format, line, keys, &in.rec) {
		return false
	}
	st.Lines++
	st.Bytes += uint64(len(line))
	written := cmp.Or(t, now)
	if rt, ok := in.rec.RecordTime(); ok {
		written = rt
	}
	if now.Sub(written) > eng.MaxAge() {
		st.Records[rules.DropTooOld]++
		return true
	}
	st.Records[rules.Kept]++
	mark := len(in.out.Buf)
	in.out.Buf = append(in.out.Buf, line...)
	in.entries = append(in.entries, sinks.Entry{Time: written, Labels: labels,
		Line: in.out.Buf[mark:len(in.out.Buf):len(in.out.Buf)], Tenant: tenant})
	return true
}

// anonymizedTimeKeys are rules.DefaultTimeKeys as bytes, for
// format.Parse.
var anonymizedTimeKeys = toBytes(rules.DefaultTimeKeys)

func toBytes(ss []string) [][]byte {
	bs := make([][]byte, len(ss))
	for i, s := range ss {
		bs[i] = []byte(s)
	}
	return bs
}

// append writes entries to the spool, splitting a batch too large for one
// spool record. While the spool is full (spool.max_bytes, or no space on
// the disk) it waits (backpressure: reading pauses, nothing is dropped),
// or with wait false returns the spool.ErrFull error; with wait false a
// batch larger than the whole spool is refused whole (inputs.ErrTooLarge)
// rather than stored in part. A waiting input
// counts as paused, for /readyz, until an append succeeds again.
func (in *ingest) append(ctx context.Context, entries []sinks.Entry, wait bool) error {
	if len(entries) == 0 {
		return nil
	}
	for {
		err := in.spool.Append(entries)
		switch {
		case err == nil:
			in.setPaused(false, wait, nil)
			return nil
		case errors.Is(err, spool.ErrTooLarge) && !wait:
			return fmt.Errorf("input %s: %w: %w", in.input, inputs.ErrTooLarge, err)
		case errors.Is(err, spool.ErrTooLarge) && len(entries) > 1:
			h := len(entries) / 2
			return errors.Join(in.append(ctx, entries[:h], wait), in.append(ctx, entries[h:], wait))
		case !errors.Is(err, spool.ErrFull):
			return fmt.Errorf("input %s: %w", in.input, err)
		}
		in.m.backpressure.WithLabelValues(in.input).Inc()
		in.setPaused(true, wait, err)
		if !wait {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(in.full):
		}
	}
}

// setPaused records whether the input is paused by a full spool, logging
// each change once (err says why it paused); a waiting input (counted
// says so) is counted in pausedInputs meanwhile.
func (in *ingest) setPaused(paused, counted bool, err error) {
	if !in.paused.CompareAndSwap(!paused, paused) {
		return
	}
	counted = counted && in.pausedInputs != nil
	if !paused {
		if counted {
			in.pausedInputs.Add(-1)
		}
		in.log.Info("spool has room again, input resumed", zap.String(keyInput, in.input))
		return
	}
	if counted {
		in.pausedInputs.Add(1)
	}
	reason := "spool.max_bytes reached"
	if errors.Is(err, spool.ErrDiskFull) {
		reason = "no space left on the spool's disk"
	}
	in.log.Warn("spool full, input paused", zap.String(keyInput, in.input), zap.String("reason", reason))
}

// exportStats moves the processors' counters (and the lines cut before
// the rules saw them) into the metrics.
func (in *ingest) exportStats() {
	in.main.proc.Stats.Cut += uint64(in.cut)
	in.cut = 0
	for _, sel := range in.sels {
		st := &sel.proc.Stats
		if st.Lines == 0 && st.Cut == 0 {
			continue // a rule set no line of this chunk selected
		}
		in.m.addRules(in.input, sel.eng, st)
		in.warnTooOld(st)
		acts := st.Actions
		clear(acts)
		*st = rules.Stats{Actions: acts}
	}
}

// warnTooOld logs, the first time only, that records of the input were
// dropped for being older than retention.max_age: an old log read by a new
// agent otherwise ships nothing without a word.
func (in *ingest) warnTooOld(st *rules.Stats) {
	n := st.Records[rules.DropTooOld]
	if n == 0 || in.warnedOld {
		return
	}
	in.warnedOld = true
	in.log.Warn("records dropped as older than retention.max_age (not shipped); later ones are only counted in tarn_records_total{outcome=\"dropped_too_old\"}",
		zap.String(keyInput, in.input), zap.Uint64("dropped", n), zap.Uint64("lines", st.Lines),
		zap.String("hint", "to replay an old log, start tarn run with --now at a time just after it, or raise retention.max_age"))
}

// source returns what path decides (cached): the labels of its entries,
// which are the input's static labels, its name, the host name, the file
// name and, for kubelet's pod logs, namespace, pod and container (static
// labels win), plus for container inputs the output stream; and the rules
// and tenant of the first select entry these labels match.
func (in *ingest) source(path string) *source {
	if src, ok := in.sources[path]; ok {
		return src
	}
	base := map[string]string{"input": in.input}
	if in.host != "" {
		base["host"] = in.host
	}
	if path != "-" && path != "" {
		base["filename"] = path
	}
	ns, pod, container, isPod := podLogPath(path)
	if isPod {
		base["namespace"], base["pod"], base["container"] = ns, pod, container
	}
	maps.Copy(base, in.labels)
	src := &source{sel: in.main, tenant: in.tenant}
	if t, ok := in.nsTenants[ns]; ok && isPod {
		src.tenant = t
	}
	for _, se := range in.selects {
		if se.cfg.Matches(func(name string) string { return base[name] }) {
			src.sel, src.tenant = se.sel, cmp.Or(se.cfg.Tenant, src.tenant)
			break
		}
	}
	if in.wrapper == format.Text {
		src.labels[0] = sortedLabels(base)
	} else {
		for _, s := range []format.Stream{format.Stdout, format.Stderr} {
			if _, set := in.labels["stream"]; !set {
				base["stream"] = s.String()
			}
			src.labels[s&1] = sortedLabels(base)
		}
	}
	if len(in.sources) > 1024 {
		clear(in.sources)
	}
	in.sources[path] = src
	return src
}

// sortedLabels returns m as labels sorted by name.
func sortedLabels(m map[string]string) []sinks.Label {
	ls := make([]sinks.Label, 0, len(m))
	for k, v := range m {
		ls = append(ls, sinks.Label{Name: k, Value: v})
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
	return ls
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
