package sinks

import (
	"encoding/json"
	"time"
)

// ndjsonEntry is the NDJSON form of an entry.
type ndjsonEntry struct {
	Time   string            `json:"time"`
	Labels map[string]string `json:"labels,omitempty"`
	Line   string            `json:"line"`
}

// AppendEncoded appends e as one output line (with '\n'): the bare line, or
// with ndjson a {"time","labels","line"} object, time in UTC RFC 3339 with
// nanoseconds.
func AppendEncoded(dst []byte, e Entry, ndjson bool) []byte {
	if !ndjson {
		return append(append(dst, e.Line...), '\n')
	}
	labels := make(map[string]string, len(e.Labels))
	for _, l := range e.Labels {
		labels[l.Name] = l.Value
	}
	b, _ := json.Marshal(ndjsonEntry{Time: e.Time.UTC().Format(time.RFC3339Nano), Labels: labels, Line: string(e.Line)})
	return append(append(dst, b...), '\n')
}
