package lokipush

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tarn-project/tarn/sinks"
)

// decodeJSON decodes Loki's JSON push format
// {"streams":[{"stream":{"job":"x"},"values":[["<ns>","<line>",{"k":"v"}]]}]}.
//
// As in Loki, unknown fields and null entries are ignored, a missing or
// null "streams" or "values" means none, and an entry is [timestamp, line]
// or [timestamp, line, metadata] where the timestamp is a string of Unix
// nanoseconds, the line a string and the metadata an object of strings.
// Lines without escapes are kept byte for byte (Loki does not check their
// UTF-8 either).
//
// json.Valid checks the syntax in one pass; jscan then walks the valid
// document without allocating per value.
func decodeJSON(body []byte, l Limits) ([]Stream, error) {
	if !json.Valid(body) {
		var v json.RawMessage
		return nil, jsonError(json.Unmarshal(body, &v))
	}
	b := newBudget(l, len(body))
	s := jscan{b: body}
	if s.peek() == 'n' { // null
		return nil, nil
	}
	if !s.open('{') {
		return nil, invalidf("JSON body must be an object")
	}
	var streams []byte
	for first := true; s.next(first); first = false {
		k, _ := jsonString(s.value())
		s.colon()
		if v := s.value(); bytes.EqualFold(k, []byte("streams")) {
			streams = v
		}
	}
	if len(streams) == 0 || string(streams) == "null" {
		return nil, nil
	}
	raws, ok, err := b.elements(streams, 1, 0)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalidf(`"streams" must be an array`)
	}
	a := arena{lines: make([]byte, 0, len(body)), budget: b}
	out := make([]Stream, len(raws))
	for i, raw := range raws {
		var err error
		if out[i], err = a.jsonStream(i, raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// jsonStream decodes element i of "streams".
func (a *arena) jsonStream(i int, raw []byte) (Stream, error) {
	s := jscan{b: raw}
	if !s.open('{') {
		return Stream{}, invalidf("stream %d: must be an object", i+1)
	}
	var labels, values []byte
	for first := true; s.next(first); first = false {
		k, _ := jsonString(s.value())
		s.colon()
		switch v := s.value(); string(k) {
		case "stream":
			labels = v
		case "values":
			values = v
		}
	}
	ls, err := jsonLabels(labels)
	if err != nil {
		return Stream{}, invalidf("stream %d: %w", i+1, err)
	}
	st := Stream{Labels: ls}
	if len(values) == 0 || string(values) == "null" {
		return st, nil
	}
	raws, ok, err := a.budget.elements(values, 0, 1)
	if err != nil {
		return Stream{}, err
	}
	if !ok {
		return Stream{}, invalidf(`stream %d: "values" must be an array`, i+1)
	}
	st.Entries = make([]Entry, 0, len(raws))
	for j, raw := range raws {
		if string(raw) == "null" {
			continue
		}
		e, err := a.jsonEntry(raw)
		if err != nil {
			return Stream{}, invalidf("entry %d of stream %d: %w", j+1, i+1, err)
		}
		st.Entries = append(st.Entries, e)
	}
	return st, nil
}

// jsonLabels decodes a stream's "stream" object.
func jsonLabels(raw []byte) ([]sinks.Label, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return finishLabels(nil)
	}
	ms, err := stringMembers(raw, nil)
	if err != nil {
		return nil, fmt.Errorf(`"stream": %w`, err)
	}
	ls := make([]sinks.Label, len(ms))
	for i, m := range ms {
		ls[i] = sinks.Label{Name: string(m.name), Value: string(m.value)}
	}
	return finishLabels(ls)
}

var errEntryShape = errors.New("must be an array [timestamp, line] or [timestamp, line, metadata]")

// jsonEntry decodes one element of "values".
func (a *arena) jsonEntry(raw []byte) (Entry, error) {
	var buf [3][]byte
	parts, ok := elements(raw, buf[:0])
	if !ok || len(parts) < 2 || len(parts) > 3 {
		return Entry{}, errEntryShape
	}
	t, err := jsonTimestamp(parts[0])
	if err != nil {
		return Entry{}, err
	}
	line, ok := a.jsonLine(parts[1])
	if !ok {
		return Entry{}, errors.New("line is not a string")
	}
	e := Entry{Time: t, Line: line}
	if len(parts) == 3 {
		if e.Metadata, err = a.jsonMetadata(parts[2]); err != nil {
			return Entry{}, err
		}
	}
	return e, nil
}

// jsonLine unescapes a JSON string into the line buffer.
func (a *arena) jsonLine(raw []byte) ([]byte, bool) {
	start := len(a.lines)
	lines, ok := appendString(a.lines, raw)
	if !ok {
		return nil, false
	}
	a.lines = lines
	return lines[start:len(lines):len(lines)], true
}

// jsonTimestamp decodes a timestamp: a JSON string of Unix nanoseconds.
func jsonTimestamp(raw []byte) (time.Time, error) {
	s, ok := jsonString(raw)
	if !ok {
		return time.Time{}, errors.New("timestamp is not a string (want Unix nanoseconds as a string)")
	}
	ns, ok := parseNanos(s)
	if !ok {
		return time.Time{}, errors.New("timestamp is not a number of Unix nanoseconds")
	}
	return time.Unix(0, ns).UTC(), nil
}

// parseNanos parses an optionally negative decimal int64 without
// allocating.
func parseNanos(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return int64(-n), true // two's complement; n == 1<<63 gives MinInt64
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

// jsonMetadata decodes an entry's structured metadata object, normalized
// as Loki does; nil if empty.
func (a *arena) jsonMetadata(raw []byte) ([]sinks.Label, error) {
	var err error
	if a.members, err = stringMembers(raw, a.members[:0]); err != nil {
		return nil, fmt.Errorf("structured metadata: %w", err)
	}
	if len(a.members) == 0 {
		return nil, nil
	}
	if err := a.budget.add(0, 0, len(a.members)); err != nil {
		return nil, err
	}
	start := len(a.labels)
	for _, m := range a.members {
		name, err := a.metadataName(m.name)
		if err != nil {
			return nil, err
		}
		a.labels = append(a.labels, sinks.Label{Name: name, Value: strings.ToValidUTF8(string(m.value), "")})
	}
	return a.labels[start:len(a.labels):len(a.labels)], nil
}

// metadataName normalizes a metadata name, once per distinct name and
// request: names repeat on every entry.
func (a *arena) metadataName(raw []byte) (string, error) {
	if n, ok := a.names[string(raw)]; ok {
		return n, nil
	}
	n, err := metadataName(string(raw))
	if err != nil {
		return "", err
	}
	if a.names == nil {
		a.names = make(map[string]string)
	}
	a.names[string(raw)] = n
	return n, nil
}

// jsonError describes an encoding/json error by position only: the errors
// of encoding/json and time can quote parts of the input.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tim *time.ParseError
	switch {
	case errors.As(err, &syn):
		return invalidf("invalid JSON at byte offset %d", syn.Offset)
	case errors.As(err, &typ):
		return invalidf("invalid JSON at byte offset %d: field %q has the wrong type", typ.Offset, typ.Field)
	case errors.As(err, &tim):
		return invalidf("invalid timestamp (want RFC 3339)")
	}
	return invalidf("invalid JSON")
}
