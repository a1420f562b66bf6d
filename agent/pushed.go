package agent

import (
	"maps"
	"time"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/sinks"
)

// pushedLabels are the stream labels of the records of one batch that
// bring their own (a push request's streams): the entries of a stream
// share one label slice, anonymized once. Ingest resets it per batch, so
// a buffer a decoder reuses for another request is never mistaken for
// the same labels.
type pushedLabels struct {
	raw, out []sinks.Label
	// seen holds the other label slices of the batch by their first
	// element, for inputs whose records alternate between a few label
	// sets (a syslog connection's programs).
	seen map[*sinks.Label]pushedSet
}

// pushedSet is the entries' labels of one raw label slice of n labels.
type pushedSet struct {
	n   int
	out []sinks.Label
}

// reset forgets the labels of the last batch.
func (p *pushedLabels) reset() {
	p.raw, p.out = nil, nil
	clear(p.seen)
}

// get returns the entries' labels for the raw labels of a record: the
// input's name and static labels, then the pushed labels with their
// values anonymized like structured metadata (a sender's label may hold
// a user name or an e-mail address): by the key catalogue, the detectors
// for a name it does not know. A pushed label stays a stream label, as
// the sender chose: its pseudonym has as many values as the raw value it
// replaces (one more per key epoch), truncation and redaction fewer, and
// the Loki sink's max_label_values guard moves a label with too many
// values to structured metadata. A label the rules drop (drop_field, or
// a name holding an identifier) is left out; a label whose whole value is
// an address in the input's infrastructure_networks (a pod's
// instance="10.1.2.3:8080") keeps it; static labels win.
func (p *pushedLabels) get(in *ingest, raw []sinks.Label, now time.Time) []sinks.Label {
	if len(raw) > 0 && len(p.raw) == len(raw) && &p.raw[0] == &raw[0] {
		return p.out
	}
	if s, ok := p.seen[firstLabel(raw)]; ok && s.n == len(raw) {
		p.raw, p.out = raw, s.out
		return s.out
	}
	m := make(map[string]string, len(in.labels)+len(raw)+1)
	for _, l := range raw {
		v, ok := in.anonymize(l.Name, l.Value, now)
		if !ok {
			continue
		}
		if v != l.Value && config.InfrastructureAddress(in.infraNets, l.Value) {
			v = l.Value // an address of the operator's infrastructure_networks
		}
		m[l.Name] = v
	}
	m["input"] = in.input
	maps.Copy(m, in.labels)
	p.raw, p.out = raw, sortedLabels(m)
	if len(raw) > 0 && len(p.seen) < 1024 {
		if p.seen == nil {
			p.seen = map[*sinks.Label]pushedSet{}
		}
		p.seen[&raw[0]] = pushedSet{len(raw), p.out}
	}
	return p.out
}

// firstLabel is &raw[0], nil for no labels.
func firstLabel(raw []sinks.Label) *sinks.Label {
	if len(raw) == 0 {
		return nil
	}
	return &raw[0]
}

// anonymize runs a pushed label or metadata value through the rules as
// the value of a JSON or logfmt key named name (rules.AppendKeyValue:
// user is pseudonymized, client_ip truncated, password redacted, an
// unknown name's value scrubbed by the detectors, a trace_id kept), with
// pseudonyms taken at t. ok is false when the pair is dropped. An
// unchanged value is returned as it is, without a copy.
func (in *ingest) anonymize(name, v string, t time.Time) (string, bool) {
	in.key = append(in.key[:0], name...)
	in.raw = append(in.raw[:0], v...)
	var ok bool
	in.kv, ok = in.main.proc.AppendKeyValue(in.kv[:0], in.key, in.raw, t)
	if !ok {
		return "", false
	}
	if string(in.kv) == v {
		return v, true
	}
	return string(in.kv), true
}
