package syslog

import (
	"time"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/sinks"
)

// batcher collects the messages of one connection (or of the UDP socket)
// into a batch: each message is copied into one arena, so the read
// buffer can be reused at once and nothing is allocated per message. A
// batcher is used by one goroutine.
type batcher struct {
	in    *Input
	arena []byte
	req   request
	first time.Time // when the batch's first message came
	sets  map[string]*labelSet
	key   []byte
	st    stats
}

// labelSet is the labels and metadata of the messages with one header
// (priority, host, app); the records of a batch share it, so the agent
// anonymizes it once per batch.
type labelSet struct {
	labels, meta []sinks.Label
}

// stats are a batcher's counts, added to the metrics at each flush.
type stats struct {
	messages, truncated, noPriority uint64
}

// maxLabelSets bounds a batcher's label cache; it starts afresh when full.
const maxLabelSets = 512

func (in *Input) newBatcher() *batcher {
	return &batcher{in: in, arena: make([]byte, 0, int(in.s.BatchBytes)+int(in.s.MaxMessageBytes)),
		req:  request{recs: make([]inputs.Record, 0, in.s.BatchMessages), err: make(chan error, 1)},
		sets: map[string]*labelSet{}}
}

// empty reports whether no message waits.
func (b *batcher) empty() bool { return len(b.req.recs) == 0 }

// full reports whether the batch must be ingested now.
func (b *batcher) full() bool {
	return len(b.req.recs) >= b.in.s.BatchMessages || len(b.arena) >= int(b.in.s.BatchBytes)
}

// due reports whether the batch waited its batch_wait, and when it will.
func (b *batcher) due(now time.Time) (bool, time.Time) {
	at := b.first.Add(time.Duration(b.in.s.BatchWait))
	return !now.Before(at), at
}

// add appends one message (cut says it was cut at max_message_bytes).
// Control bytes but tab are escaped as rsyslog does ("#012" for a LF
// inside an octet-counted message), so a message stays one line.
func (b *batcher) add(m []byte, cut bool) {
	if len(b.req.recs) == 0 {
		b.first = time.Now()
	}
	s := len(b.arena)
	b.arena = appendEscaped(b.arena, m)
	line := b.arena[s:len(b.arena):len(b.arena)]
	h := ParseHeader(line)
	set := b.labelSet(&h)
	b.req.recs = append(b.req.recs, inputs.Record{Line: line, Labels: set.labels, Metadata: set.meta})
	b.st.messages++
	if cut {
		b.st.truncated++
	}
	if h.Priority < 0 {
		b.st.noPriority++
	}
}

// appendEscaped appends m with its control bytes but tab as "#ooo".
func appendEscaped(dst, m []byte) []byte {
	for {
		i := 0
		for i < len(m) && (m[i] >= ' ' || m[i] == '\t') {
			i++
		}
		dst = append(dst, m[:i]...)
		if i == len(m) {
			return dst
		}
		c := m[i]
		dst = append(dst, '#', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
		m = m[i+1:]
	}
}

// labelSet returns the (cached) labels and metadata of a header.
func (b *batcher) labelSet(h *Header) *labelSet {
	b.key = append(b.key[:0], byte(h.Priority+1))
	b.key = append(b.key, h.Host...)
	b.key = append(b.key, 0)
	b.key = append(b.key, h.App...)
	if set, ok := b.sets[string(b.key)]; ok {
		return set
	}
	if len(b.sets) >= maxLabelSets {
		clear(b.sets)
	}
	set := &labelSet{labels: b.in.pairs(b.in.s.labels, h), meta: b.in.pairs(b.in.s.meta, h)}
	b.sets[string(b.key)] = set
	return set
}

// pairs returns the header's values of names (sorted) as labels, nil if
// it has none of them.
func (in *Input) pairs(names []string, h *Header) []sinks.Label {
	var ls []sinks.Label
	for _, n := range names {
		var v string
		switch n {
		case "hostname":
			v = string(h.Host)
		case "app":
			v = string(h.App)
		case "facility":
			v = h.Facility()
		case "severity":
			v = h.Severity()
		}
		if v != "" {
			ls = append(ls, sinks.Label{Name: n, Value: v})
		}
	}
	return ls
}

// flush hands the batch to the commit loop, waits until it is durable
// (or failed) and empties it.
func (b *batcher) flush() error {
	if b.empty() {
		return nil
	}
	err := b.in.submit(&b.req)
	b.in.count(&b.st, len(b.req.recs), err)
	clear(b.req.recs)
	b.req.recs, b.arena = b.req.recs[:0], b.arena[:0]
	return err
}
