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
type guard struct {
	limit        int
	external     []sinks.Label
	values       map[string]map[string]struct{}
	demoted      map[string]bool
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
// stream label. A label name whose distinct values pass the limit is
// demoted for good: the cache is cleared so later streams move it too.
func (g *guard) track(l sinks.Label) bool {
	if g.demoted[l.Name] {
		return false
	}
	if g.limit < 0 {
		return true
	}
	vs := g.values[l.Name]
	if vs == nil {
		vs = map[string]struct{}{}
		g.values[l.Name] = vs
	}
	vs[l.Value] = struct{}{}
	if len(vs) <= g.limit {
		return true
	}
	g.demoted[l.Name] = true
	delete(g.values, l.Name)
	clear(g.cache)
	g.demotedCount.Add(1)
	return false
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
