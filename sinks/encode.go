package sinks

import (
	"encoding/json"
	"time"

	"github.com/tarn-project/tarn/rules/strictyaml"
)

// ndjsonEntry is the NDJSON form of an entry.
type ndjsonEntry struct {
	Time     string            `json:"time"`
	Tenant   string            `json:"tenant,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	Line     string            `json:"line"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// AppendEncoded appends e as one output line (with '\n'): the bare line, or
// with ndjson a {"time","tenant","labels","line","metadata"} object (empty
// members left out), time in UTC RFC 3339 with nanoseconds.
func AppendEncoded(dst []byte, e Entry, ndjson bool) []byte {
	if !ndjson {
		return append(append(dst, e.Line...), '\n')
	}
	b, _ := json.Marshal(ndjsonEntry{Time: e.Time.UTC().Format(time.RFC3339Nano), Tenant: e.Tenant,
		Labels: labelMap(e.Labels), Line: string(e.Line), Metadata: labelMap(e.Metadata)})
	return append(append(dst, b...), '\n')
}

func labelMap(ls []Label) map[string]string {
	if len(ls) == 0 {
		return nil
	}
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Name] = l.Value
	}
	return m
}

// LineFormat is the `format` key of sinks that write lines: line (the
// anonymized line) or ndjson (time, tenant, labels, line, metadata).
type LineFormat string

// NDJSON reports whether the format is ndjson.
func (f LineFormat) NDJSON() bool { return f == "ndjson" }

// Validate checks the format; path is the key's path.
func (f LineFormat) Validate(path string) error {
	if f != "line" && f != "ndjson" {
		return strictyaml.Errorf(path, "must be line or ndjson, got %q", string(f))
	}
	return nil
}
