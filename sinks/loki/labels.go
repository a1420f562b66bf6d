package loki

import (
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/grafana/loki/pkg/push"

	"github.com/tarn-project/tarn/sinks"
)

// streamInfo is what an entry's label set becomes in Loki: the stream
// selector string, its labels, and the labels moved to structured metadata
// by the cardinality guard.
type streamInfo struct {
	labels string
	final  []sinks.Label
	moved  []push.LabelAdapter
}

// guard turns entry label sets into Loki streams, adding the external
// labels, fixing label names Loki would reject, and moving a label whose
// distinct values exceed the limit to structured metadata (counted). It
// caches the result per label set. Owned by the delivery loop, except
// demotedCount, which Report reads.
//
// Which labels are moved depends only on demoted, which changes only in
// commit, between batches: a label whose values pass the limit in the
// middle of a batch stays a label for the whole batch, so the batch and
// every retry of it encode the same, whatever the order of its entries.
type guard struct {
	limit    int
	external []sinks.Label
	// values holds the distinct values seen per label name that is
	// neither demoted nor pending.
	values map[string]map[string]struct{}
	// demoted are the label names moved to structured metadata.
	demoted map[string]bool
	// pending are the names that passed the limit in the batch in
	// flight; commit demotes them.
	pending      map[string]bool
	cache        map[string]*streamInfo
	key          []byte
	demotedCount atomic.Uint64
}

// maxCachedStreams bounds the label-set cache.
const maxCachedStreams = 10000

func (g *guard) init(limit int, external []sinks.Label) {
	g.limit, g.external = limit, external
	g.values = map[string]map[string]struct{}{}
	g.demoted = map[string]bool{}
	g.pending = map[string]bool{}
	g.cache = map[string]*streamInfo{}
}

// stream returns the Loki stream of a label set.
func (g *guard) stream(ls []sinks.Label) *streamInfo {
	g.key = g.key[:0]
	for _, l := range ls {
		g.key = append(append(append(append(g.key, l.Name...), 0), l.Value...), 0)
	}
	if info, ok := g.cache[string(g.key)]; ok {
		return info
	}
	info := g.compute(ls)
	if len(g.cache) >= maxCachedStreams {
		clear(g.cache)
	}
	g.cache[string(g.key)] = info
	return info
}

// compute merges ls with the external labels (ls wins), drops reserved
// (__*) and empty labels, fixes names, and applies the cardinality guard.
func (g *guard) compute(ls []sinks.Label) *streamInfo {
	merged := make([]sinks.Label, 0, len(ls)+len(g.external))
	seen := map[string]bool{}
	for _, l := range ls {
		name := labelName(l.Name)
		if name == "" || l.Value == "" || seen[name] {
			continue
		}
		seen[name] = true
		merged = append(merged, sinks.Label{Name: name, Value: l.Value})
	}
	for _, l := range g.external {
		if !seen[l.Name] {
			merged = append(merged, l)
		}
	}
	info := &streamInfo{}
	for _, l := range merged {
		if g.track(l) {
			info.final = append(info.final, l)
		} else {
			info.moved = append(info.moved, push.LabelAdapter{Name: l.Name, Value: l.Value})
		}
	}
	if len(info.final) == 0 {
		info.final = []sinks.Label{{Name: "source", Value: "tarn"}}
	}
	slices.SortFunc(info.final, func(a, b sinks.Label) int { return strings.Compare(a.Name, b.Name) })
	info.labels = selector(info.final)
	return info
}

// track records the value of a label and reports whether it stays a
// stream label, which is decided by the names demoted before the batch
// in flight. A label name whose distinct values pass the limit becomes
// pending, and commit demotes it for good. Recording a value again (a
// retry) changes nothing.
func (g *guard) track(l sinks.Label) bool {
	if g.demoted[l.Name] {
		return false
	}
	if g.limit < 0 || g.pending[l.Name] {
		return true
	}
	vs := g.values[l.Name]
	if vs == nil {
		vs = map[string]struct{}{}
		g.values[l.Name] = vs
	}
	vs[l.Value] = struct{}{}
	if len(vs) > g.limit {
		g.pending[l.Name] = true
		delete(g.values, l.Name)
	}
	return true
}

// commit demotes the pending label names for good (counted) and clears
// the cache so later streams move them. The sink calls it when a batch is
// done.
func (g *guard) commit() {
	if len(g.pending) == 0 {
		return
	}
	for name := range g.pending {
		g.demoted[name] = true
		g.demotedCount.Add(1)
	}
	clear(g.pending)
	clear(g.cache)
}

// labelName returns name made valid for Loki ([a-zA-Z_][a-zA-Z0-9_]*,
// other characters become '_'), or "" for a reserved __ name.
func labelName(name string) string {
	if name == "" || strings.HasPrefix(name, "__") {
		return ""
	}
	if sinks.ValidLabelName(name) {
		return name
	}
	b := []byte(name)
	for i := range b {
		if !sinks.LabelNameChar(b[i], i == 0) {
			b[i] = '_'
		}
	}
	return string(b)
}

// selector renders sorted labels in Loki's stream form {a="b", c="d"}.
func selector(ls []sinks.Label) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range ls {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l.Name)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(l.Value))
	}
	b.WriteByte('}')
	return b.String()
}
