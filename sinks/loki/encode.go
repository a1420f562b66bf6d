package loki

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/golang/snappy"
	"github.com/grafana/loki/pkg/push"

	"github.com/tarn-project/tarn/sinks"
)

// request is the push request of one tenant: streams ordered by their
// labels, each stream's entries ordered by time (stable), so the same
// entries always encode to the same bytes.
type request struct {
	tenant  string
	streams []push.Stream
	labels  [][]sinks.Label // the labels of streams[i] (JSON, Loki's answers)
	idx     [][]int32       // idx[i][j]: the index in the batch of streams[i].Entries[j]
}

// encoder builds and encodes requests, reusing its buffers. It is owned
// by the sink's delivery loop.
type encoder struct {
	json   bool
	key    []byte
	groups map[string]int // tenant + labels → index into accs
	accs   []acc
	meta   []push.LabelAdapter
	pb     []byte
	out    []byte
	names  map[string]string // metadata names not valid in LogQL → their sanitized form
}

// acc accumulates one (tenant, stream) of a batch: the indices of its
// entries, then the entries.
type acc struct {
	tenant string
	info   *streamInfo
	idx    []int32
	stream push.Stream
}

// build groups the entries not older than cutoff by tenant and stream.
// Line strings alias the entries' bytes (which stay unchanged until the
// batch is acknowledged); the requests are valid until the next call.
func (e *encoder) build(entries []sinks.Entry, cutoff time.Time, g *guard, defTenant string) []request {
	if e.groups == nil {
		e.groups = map[string]int{}
	}
	clear(e.groups)
	e.accs = e.accs[:0]
	for i := range entries {
		en := &entries[i]
		if en.Time.Before(cutoff) {
			continue
		}
		a := e.group(cmp.Or(en.Tenant, defTenant), g.stream(en.Labels))
		a.idx = append(a.idx, int32(i))
	}
	e.meta = slices.Grow(e.meta[:0], metaCount(entries, g))
	for i := range e.accs {
		e.fill(&e.accs[i], entries)
	}
	return e.requests()
}

// fill sorts the entries of a by time (stable) and builds them.
func (e *encoder) fill(a *acc, entries []sinks.Entry) {
	slices.SortStableFunc(a.idx, func(x, y int32) int { return entries[x].Time.Compare(entries[y].Time) })
	for _, i := range a.idx {
		en := &entries[i]
		start := len(e.meta)
		e.meta = append(e.meta, a.info.moved...)
		for _, m := range en.Metadata {
			e.meta = append(e.meta, push.LabelAdapter{Name: e.metaName(m.Name), Value: m.Value})
		}
		var sm push.LabelsAdapter
		if len(e.meta) > start {
			sm = e.meta[start:len(e.meta):len(e.meta)]
		}
		a.stream.Entries = append(a.stream.Entries, push.Entry{Timestamp: en.Time, Line: lineString(en.Line), StructuredMetadata: sm})
	}
}

// metaName is a structured metadata name as LogQL can name it: a name
// that is not a valid label name (OTLP attributes such as
// "http.response.status_code") has every other character replaced by
// '_', as Loki's own OTLP endpoint does.
func (e *encoder) metaName(name string) string {
	if sinks.ValidLabelName(name) {
		return name
	}
	if n, ok := e.names[name]; ok {
		return n
	}
	b := []byte(name)
	for i, c := range b {
		if !sinks.LabelNameChar(c, i == 0) {
			b[i] = '_'
		}
	}
	if e.names == nil || len(e.names) > 4096 {
		e.names = map[string]string{}
	}
	e.names[name] = string(b)
	return string(b)
}

// metaCount is how many structured metadata pairs the entries carry at
// most, so the batch's metadata fits one allocation.
func metaCount(entries []sinks.Entry, g *guard) int {
	n := 0
	for i := range entries {
		n += len(entries[i].Metadata) + len(entries[i].Labels) + len(g.external)
	}
	return n
}

// group returns the accumulator of tenant and stream.
func (e *encoder) group(tenant string, info *streamInfo) *acc {
	e.key = append(append(append(e.key[:0], tenant...), 0), info.labels...)
	if i, ok := e.groups[string(e.key)]; ok {
		return &e.accs[i]
	}
	e.groups[string(e.key)] = len(e.accs)
	var idx []int32
	var es []push.Entry
	if len(e.accs) < cap(e.accs) { // reuse the buffers of an earlier batch's stream
		old := e.accs[:len(e.accs)+1][len(e.accs)]
		idx, es = old.idx[:0], old.stream.Entries[:0]
	}
	e.accs = append(e.accs, acc{tenant: tenant, info: info, idx: idx, stream: push.Stream{Labels: info.labels, Entries: es}})
	return &e.accs[len(e.accs)-1]
}

// requests sorts the accumulated streams into one request per tenant.
func (e *encoder) requests() []request {
	slices.SortFunc(e.accs, func(a, b acc) int {
		return cmp.Or(cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.stream.Labels, b.stream.Labels))
	})
	var reqs []request
	for i := range e.accs {
		a := &e.accs[i]
		if len(reqs) == 0 || reqs[len(reqs)-1].tenant != a.tenant {
			reqs = append(reqs, request{tenant: a.tenant})
		}
		r := &reqs[len(reqs)-1]
		r.streams = append(r.streams, a.stream)
		r.labels = append(r.labels, a.info.final)
		r.idx = append(r.idx, a.idx)
	}
	return reqs
}

// lineString returns b as a string without copying. The sink only reads
// it while b is unchanged (until Send returns).
func lineString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (e *encoder) contentType() string {
	if e.json {
		return "application/json"
	}
	return "application/x-protobuf"
}

// encode returns the request body; valid until the next call.
func (e *encoder) encode(r *request) ([]byte, error) {
	if e.json {
		return encodeJSON(r)
	}
	pr := push.PushRequest{Streams: r.streams}
	n := pr.Size()
	if cap(e.pb) < n {
		e.pb = make([]byte, n)
	}
	n, err := pr.MarshalToSizedBuffer(e.pb[:n])
	if err != nil {
		return nil, err
	}
	e.out = snappy.Encode(e.out[:cap(e.out)], e.pb[:n])
	return e.out, nil
}

// jsonStream is one stream of Loki's JSON push format.
type jsonStream struct {
	Stream map[string]string `json:"stream"`
	Values [][]any           `json:"values"`
}

// encodeJSON encodes r in Loki's JSON push format: values are
// [unix-nanoseconds string, line] or [ns, line, {structured metadata}].
// encoding/json sorts map keys, so the bytes are deterministic.
func encodeJSON(r *request) ([]byte, error) {
	streams := make([]jsonStream, len(r.streams))
	for i, s := range r.streams {
		js := jsonStream{Stream: map[string]string{}, Values: make([][]any, len(s.Entries))}
		for _, l := range r.labels[i] {
			js.Stream[l.Name] = l.Value
		}
		for j, en := range s.Entries {
			v := []any{strconv.FormatInt(en.Timestamp.UnixNano(), 10), en.Line}
			if len(en.StructuredMetadata) > 0 {
				m := make(map[string]string, len(en.StructuredMetadata))
				for _, l := range en.StructuredMetadata {
					m[l.Name] = l.Value
				}
				v = append(v, m)
			}
			js.Values[j] = v
		}
		streams[i] = js
	}
	return json.Marshal(struct {
		Streams []jsonStream `json:"streams"`
	}{streams})
}
