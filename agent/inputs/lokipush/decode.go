package lokipush

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/golang/snappy"
	"github.com/grafana/loki/pkg/push"

	"github.com/tarn-project/tarn/sinks"
)

// DefaultMaxBodyBytes is the default limit of a push request body after
// decompression.
const DefaultMaxBodyBytes int64 = 16 << 20

var (
	// ErrInvalid marks a push request that cannot be decoded or violates
	// Loki's rules; the handler answers it with 400. The error text says
	// what is wrong and where, never what a log line contains.
	ErrInvalid = errors.New("invalid push request")
	// ErrTooLarge marks a push request whose body, raw or decompressed, is
	// larger than the limit; the handler answers it with 413.
	ErrTooLarge = errors.New("push request too large")
)

// Entry is one pushed log entry.
type Entry struct {
	// Time is the entry's timestamp, in UTC. It is the zero time when a
	// protobuf entry carries none (Loki would reject it as too old).
	Time time.Time
	// Line is the log line; it may be empty (Loki accepts empty lines).
	Line []byte
	// Metadata is the entry's structured metadata in the order sent, names
	// normalized as Loki does (see Decode); nil if there is none.
	Metadata []sinks.Label
}

// Stream is one pushed stream: its labels (sorted by name) and entries.
type Stream struct {
	// Labels is the stream's label set, sorted by name, never empty.
	Labels []sinks.Label
	// Entries are the stream's entries in the order sent; may be empty.
	Entries []Entry
}

// format is a push body format.
type format int

const (
	formatProtobuf   format = iota // snappy block of a push.PushRequest
	formatJSON                     // {"streams":[{"stream":{...},"values":[[ns,line],...]}]}
	formatLegacyJSON               // {"streams":[{"labels":"{...}","entries":[{"ts":...,"line":...}]}]}
)

// Decode parses a push request body according to its Content-Type and
// Content-Encoding headers, as Loki 3.x does on /loki/api/v1/push:
//
//   - Content-Type application/x-protobuf: a snappy block holding a
//     marshalled push.PushRequest; application/json: Loki's JSON push
//     format. Media type parameters such as charset are allowed. An empty
//     Content-Type means protobuf (Loki 2 did that; Loki 3 rejects it);
//     any other type is rejected (Loki would try protobuf on it).
//   - Content-Encoding "" or "snappy" (ignored: the snappy block is part of
//     the protobuf format, as in Loki), "gzip" or "deflate" (raw DEFLATE,
//     compress/flate, as in Loki); case-insensitive. Others are rejected.
//     A gzip or deflate body holds the same as an uncompressed one, so
//     protobuf is still snappy-compressed inside.
//
// maxBytes (DefaultMaxBodyBytes if <= 0) limits the body and every
// decompressed form of it; larger bodies fail with ErrTooLarge, without
// decompressing more than maxBytes+1 bytes. Every other failure wraps
// ErrInvalid and says what is wrong and where, never what a line, label
// value or metadata value contains.
//
// Stream labels keep Loki's rules (see ParseLabels). Structured metadata
// names are normalized like Loki's distributor does it (runs of characters
// outside [a-zA-Z0-9_] become "_", a leading digit gets "key_"), invalid
// UTF-8 is removed from metadata values, and empty or all-underscore
// metadata names are rejected. Entries with an empty line are kept, as
// Loki keeps them; lines are passed on byte for byte, without a UTF-8
// check, as in Loki.
//
// The result does not alias body; the caller may keep it. Decode applies
// the default Limits besides maxBytes; DecodeLimits takes them all.
func Decode(contentType, contentEncoding string, body []byte, maxBytes int64) ([]Stream, error) {
	return DecodeLimits(contentType, contentEncoding, body, Limits{MaxBytes: maxBytes})
}

// DecodeLimits is Decode with every limit of l: besides the bytes, the
// entries of the request and the memory its decoded form would take are
// counted before it is decoded, so a small body claiming millions of
// entries fails fast with ErrTooManyEntries or ErrDecodedTooLarge
// (both wrap ErrTooLarge) instead of being decoded.
func DecodeLimits(contentType, contentEncoding string, body []byte, l Limits) ([]Stream, error) {
	f, err := parseContentType(contentType, formatJSON)
	if err != nil {
		return nil, err
	}
	return decode(f, contentEncoding, body, l)
}

// DecodeLegacy is Decode for Loki's legacy endpoint /api/prom/push, where
// a JSON body has the old form
// {"streams":[{"labels":"{job=\"x\"}","entries":[{"ts":"<RFC 3339>","line":"..."}]}]}.
// Protobuf bodies are the same on both endpoints. Legacy JSON is decoded
// with encoding/json, which replaces invalid UTF-8 in lines with U+FFFD.
func DecodeLegacy(contentType, contentEncoding string, body []byte, maxBytes int64) ([]Stream, error) {
	return DecodeLegacyLimits(contentType, contentEncoding, body, Limits{MaxBytes: maxBytes})
}

// DecodeLegacyLimits is DecodeLegacy with every limit of l (see
// DecodeLimits).
func DecodeLegacyLimits(contentType, contentEncoding string, body []byte, l Limits) ([]Stream, error) {
	f, err := parseContentType(contentType, formatLegacyJSON)
	if err != nil {
		return nil, err
	}
	return decode(f, contentEncoding, body, l)
}

func decode(f format, contentEncoding string, body []byte, l Limits) ([]Stream, error) {
	l = l.withDefaults()
	body, err := decompress(contentEncoding, body, l.MaxBytes)
	if err != nil {
		return nil, err
	}
	switch f {
	case formatJSON:
		return decodeJSON(body, l)
	case formatLegacyJSON:
		return decodeLegacyJSON(body, l)
	default:
		return decodeProtobuf(body, l)
	}
}

// parseContentType maps a Content-Type header to a body format; jsonFormat
// is the format application/json stands for.
func parseContentType(contentType string, jsonFormat format) (format, error) {
	if strings.TrimSpace(contentType) == "" {
		return formatProtobuf, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return 0, fmt.Errorf("%w: invalid content type: %w", ErrInvalid, err)
	}
	switch mt {
	case "application/x-protobuf":
		return formatProtobuf, nil
	case "application/json":
		return jsonFormat, nil
	}
	return 0, invalidf("unsupported content type %q (want application/x-protobuf or application/json)", mt)
}

// decompress undoes the Content-Encoding, reading at most maxBytes+1
// decompressed bytes.
func decompress(encoding string, body []byte, maxBytes int64) ([]byte, error) {
	if int64(len(body)) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	var r io.ReadCloser
	switch enc := strings.ToLower(strings.TrimSpace(encoding)); enc {
	case "", "snappy":
		return body, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("%w: invalid gzip body: %w", ErrInvalid, err)
		}
		r = zr
	case "deflate":
		r = flate.NewReader(bytes.NewReader(body))
	default:
		return nil, invalidf("unsupported content encoding %q (want gzip, deflate or none)", enc)
	}
	defer r.Close()
	var buf bytes.Buffer
	buf.Grow(min(4*len(body), int(maxBytes)) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(r, maxBytes+1)); err != nil {
		return nil, fmt.Errorf("%w: invalid %s body: %w", ErrInvalid, strings.ToLower(encoding), err)
	}
	if int64(buf.Len()) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	return buf.Bytes(), nil
}

// decodeProtobuf decodes a snappy block holding a push.PushRequest.
func decodeProtobuf(body []byte, l Limits) ([]Stream, error) {
	n, err := snappy.DecodedLen(body)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid snappy block: %w", ErrInvalid, err)
	}
	if int64(n) > l.MaxBytes {
		return nil, tooLarge(l.MaxBytes)
	}
	raw, err := snappy.Decode(nil, body)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid snappy block: %w", ErrInvalid, err)
	}
	if err := countProtobuf(raw, newBudget(l, len(raw))); errors.Is(err, ErrTooLarge) {
		return nil, err
	}
	var req push.PushRequest
	if err := req.Unmarshal(raw); err != nil {
		return nil, fmt.Errorf("%w: invalid protobuf message: %w", ErrInvalid, err)
	}
	return fromPush(req.Streams)
}

// decodeLegacyJSON decodes the JSON form of push.PushRequest.
func decodeLegacyJSON(body []byte, l Limits) ([]Stream, error) {
	if !json.Valid(body) {
		var v json.RawMessage
		return nil, jsonError(json.Unmarshal(body, &v))
	}
	if err := countJSON(body, "entries", newBudget(l, len(body))); err != nil {
		return nil, err
	}
	var req push.PushRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, jsonError(err)
	}
	return fromPush(req.Streams)
}

// fromPush converts Loki's push streams. All lines are copied into one
// buffer and all metadata into one slice, so the result is independent of
// the decoded message at the cost of two allocations.
func fromPush(in []push.Stream) ([]Stream, error) {
	var lineBytes, metadata int
	for _, s := range in {
		for _, e := range s.Entries {
			lineBytes += len(e.Line)
			metadata += len(e.StructuredMetadata)
		}
	}
	a := arena{lines: make([]byte, 0, lineBytes), labels: make([]sinks.Label, 0, metadata)}
	out := make([]Stream, len(in))
	for i, s := range in {
		ls, err := ParseLabels(s.Labels)
		if err != nil {
			return nil, invalidf("stream %d: %w", i+1, err)
		}
		out[i] = Stream{Labels: ls, Entries: make([]Entry, len(s.Entries))}
		for j, e := range s.Entries {
			md, err := a.metadata(e.StructuredMetadata)
			if err != nil {
				return nil, invalidf("entry %d of stream %d: %w", j+1, i+1, err)
			}
			out[i].Entries[j] = Entry{Time: e.Timestamp.UTC(), Line: a.line(e.Line), Metadata: md}
		}
	}
	return out, nil
}

// arena hands out capacity-limited pieces of shared backing arrays, so
// that appending to one piece never overwrites the next. If a backing
// array has to grow, earlier pieces keep pointing into the old one.
type arena struct {
	lines   []byte
	labels  []sinks.Label
	members []member          // scratch space of the JSON decoder
	names   map[string]string // normalized metadata names (JSON)
	budget  *budget           // counts metadata pairs (JSON)
}

func (a *arena) line(s string) []byte {
	start := len(a.lines)
	a.lines = append(a.lines, s...)
	return a.lines[start:len(a.lines):len(a.lines)]
}

func (a *arena) metadata(in push.LabelsAdapter) ([]sinks.Label, error) {
	if len(in) == 0 {
		return nil, nil
	}
	start := len(a.labels)
	for _, l := range in {
		md, err := metadataLabel(l.Name, l.Value)
		if err != nil {
			return nil, err
		}
		a.labels = append(a.labels, md)
	}
	return a.labels[start:len(a.labels):len(a.labels)], nil
}

// metadataLabel normalizes one structured metadata pair as Loki does.
func metadataLabel(name, value string) (sinks.Label, error) {
	n, err := metadataName(name)
	if err != nil {
		return sinks.Label{}, err
	}
	return sinks.Label{Name: n, Value: strings.ToValidUTF8(value, "")}, nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

func tooLarge(maxBytes int64) error {
	return fmt.Errorf("%w: body exceeds %d bytes", ErrTooLarge, maxBytes)
}
