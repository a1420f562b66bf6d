package lokipush

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang/snappy"
	"github.com/grafana/loki/pkg/push"
)

const (
	ctProto = "application/x-protobuf"
	ctJSON  = "application/json"
	secret  = "alice@example.com"
)

var (
	t1 = time.Unix(1570818238, 123456789).UTC()
	t2 = time.Unix(1570818239, 0).UTC()
)

// protoBody marshals streams as Promtail does: snappy block of a
// push.PushRequest.
func protoBody(t testing.TB, streams ...push.Stream) []byte {
	t.Helper()
	raw, err := (&push.PushRequest{Streams: streams}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return snappy.Encode(nil, raw)
}

// sampleProto is a two-stream request with metadata and an empty line.
func sampleProto(t testing.TB) []byte {
	return protoBody(t,
		push.Stream{Labels: `{job="nginx", host="a"}`, Entries: []push.Entry{
			{Timestamp: t1, Line: "GET / 200"},
			{Timestamp: t2, Line: "", StructuredMetadata: push.LabelsAdapter{{Name: "trace.id", Value: "abc"}}},
		}},
		push.Stream{Labels: `{job="api"}`, Entries: []push.Entry{{Timestamp: t2, Line: "ok"}}},
	)
}

// sampleWant is what sampleProto and sampleJSON decode to.
func sampleWant() []Stream {
	return []Stream{
		{Labels: lbls("host", "a", "job", "nginx"), Entries: []Entry{
			{Time: t1, Line: []byte("GET / 200")},
			{Time: t2, Line: []byte{}, Metadata: lbls("trace_id", "abc")},
		}},
		{Labels: lbls("job", "api"), Entries: []Entry{{Time: t2, Line: []byte("ok")}}},
	}
}

const sampleJSON = `{"streams":[
 {"stream":{"job":"nginx","host":"a"},"values":[["1570818238123456789","GET / 200"],["1570818239000000000","",{"trace.id":"abc"}]]},
 {"stream":{"job":"api"},"values":[["1570818239000000000","ok"]]}]}`

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflateBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// equalStreams compares decoded streams, treating nil and empty lines alike.
func equalStreams(t *testing.T, got, want []Stream) {
	t.Helper()
	norm := func(ss []Stream) []Stream {
		out := make([]Stream, len(ss))
		for i, s := range ss {
			out[i] = Stream{Labels: s.Labels, Entries: make([]Entry, len(s.Entries))}
			for j, e := range s.Entries {
				e.Line = append([]byte{}, e.Line...)
				out[i].Entries[j] = e
			}
		}
		return out
	}
	if g, w := norm(got), norm(want); !reflect.DeepEqual(g, w) {
		t.Errorf("decoded\n%+v\nwant\n%+v", g, w)
	}
}

func TestDecodeFormats(t *testing.T) {
	proto := sampleProto(t)
	tests := []struct {
		name, ct, ce string
		body         []byte
	}{
		{"protobuf", ctProto, "", proto},
		{"protobuf, empty content type", "", "", proto},
		{"protobuf, content-encoding snappy", ctProto, "snappy", proto},
		{"protobuf+gzip", ctProto, "gzip", gzipBytes(t, proto)},
		{"protobuf+deflate", ctProto, "deflate", deflateBytes(t, proto)},
		{"json", ctJSON, "", []byte(sampleJSON)},
		{"json with charset", "application/json; charset=utf-8", "", []byte(sampleJSON)},
		{"json+gzip", ctJSON, "gzip", gzipBytes(t, []byte(sampleJSON))},
		{"json+gzip upper case", ctJSON, "GZIP", gzipBytes(t, []byte(sampleJSON))},
		{"json+deflate", ctJSON, "deflate", deflateBytes(t, []byte(sampleJSON))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.ct, tt.ce, tt.body, 0)
			if err != nil {
				t.Fatal(err)
			}
			equalStreams(t, got, sampleWant())
		})
	}
}

func TestDecodeJSONWithoutMetadata(t *testing.T) {
	body := `{"streams":[{"stream":{"job":"x"},"values":[["1","a"],null,["-5","b"]]},{"stream":{"job":"y"}}],"extra":1}`
	got, err := Decode(ctJSON, "", []byte(body), 0)
	if err != nil {
		t.Fatal(err)
	}
	equalStreams(t, got, []Stream{
		{Labels: lbls("job", "x"), Entries: []Entry{
			{Time: time.Unix(0, 1).UTC(), Line: []byte("a")},
			{Time: time.Unix(0, -5).UTC(), Line: []byte("b")},
		}},
		{Labels: lbls("job", "y"), Entries: []Entry{}},
	})
	if got[0].Entries[0].Metadata != nil {
		t.Errorf("metadata = %v, want nil", got[0].Entries[0].Metadata)
	}
}

func TestDecodeJSONMetadataOrderAndEscapes(t *testing.T) {
	body := `{"streams":[{"stream":{"job":"x"},"values":[["1","l\u00e9\n",{"z":"1","a":"multi\nline","1x":"y"}]]}]}`
	got, err := Decode(ctJSON, "", []byte(body), 0)
	if err != nil {
		t.Fatal(err)
	}
	e := got[0].Entries[0]
	if string(e.Line) != "lé\n" {
		t.Errorf("line = %q", e.Line)
	}
	if want := lbls("z", "1", "a", "multi\nline", "key_1x", "y"); !reflect.DeepEqual(e.Metadata, want) {
		t.Errorf("metadata = %v, want %v", e.Metadata, want)
	}
}

func TestDecodeJSONEdgeCases(t *testing.T) {
	body := "{\"Streams\" : [ {\"values\":[[\"-9223372036854775808\",\"\xff raw\"]],\"stream\":{\"j\\u006fb\":\"x\\\"y\"},\"x\":[{\"]\":1}]} ] , \"streams2\":1}"
	got, err := Decode(ctJSON, "", []byte(body), 0)
	if err != nil {
		t.Fatal(err)
	}
	equalStreams(t, got, []Stream{{Labels: lbls("job", "x\"y"), Entries: []Entry{
		{Time: time.Unix(0, -9223372036854775808).UTC(), Line: []byte("\xff raw")},
	}}})
	for _, body := range []string{"null", `{"streams":null}`, ` { } `} {
		if got, err := Decode(ctJSON, "", []byte(body), 0); err != nil || len(got) != 0 {
			t.Errorf("Decode(%s) = %v, %v; want no streams", body, got, err)
		}
	}
}

func TestDecodeLegacyJSON(t *testing.T) {
	body := `{"streams":[{"labels":"{job=\"x\"}","entries":[{"ts":"2019-10-11T18:23:58.123456789Z","line":"hello"}]}]}`
	got, err := DecodeLegacy(ctJSON, "", []byte(body), 0)
	if err != nil {
		t.Fatal(err)
	}
	equalStreams(t, got, []Stream{{Labels: lbls("job", "x"), Entries: []Entry{{Time: t1, Line: []byte("hello")}}}})
	// Protobuf is the same on the legacy endpoint.
	if _, err := DecodeLegacy(ctProto, "", sampleProto(t), 0); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeDoesNotAliasBody(t *testing.T) {
	for _, ce := range []string{"", "gzip"} {
		body := []byte(sampleJSON)
		if ce == "gzip" {
			body = gzipBytes(t, body)
		}
		got, err := Decode(ctJSON, ce, body, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := range body {
			body[i] = 'X'
		}
		equalStreams(t, got, sampleWant())
	}
	// Appending to one line must not overwrite the next.
	got, err := Decode(ctProto, "", sampleProto(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(got[0].Entries[0].Line, "!!!!!!!!!!!!"...)
	equalStreams(t, got, sampleWant())
}

func TestDecodeErrors(t *testing.T) {
	s := secret
	proto := func(streams ...push.Stream) []byte { return protoBody(t, streams...) }
	entry := push.Entry{Timestamp: t1, Line: s}
	tests := []struct {
		name, ct, ce string
		body         []byte
		want         string
	}{
		{"empty protobuf", ctProto, "", nil, "invalid snappy block"},
		{"garbage snappy", ctProto, "", []byte("\x05" + s), "invalid snappy block"},
		{"plain text as protobuf", "", "", []byte(s), "invalid snappy block"},
		{"uncompressed protobuf", ctProto, "", mustMarshal(t, entry), "invalid snappy block"},
		{"bad protobuf", ctProto, "", snappy.Encode(nil, []byte("\x0a\x50"+s)), "invalid protobuf message"},
		{"bad stream labels", ctProto, "", proto(push.Stream{Labels: `{user="` + s, Entries: []push.Entry{entry}}), "stream 1: invalid labels at offset"},
		{"no labels", ctProto, "", proto(push.Stream{Labels: `{}`, Entries: []push.Entry{entry}}), "stream 1: at least one label"},
		{"bad metadata name", ctProto, "", proto(push.Stream{Labels: `{a="b"}`, Entries: []push.Entry{entry, {Line: s, StructuredMetadata: push.LabelsAdapter{{Name: "", Value: s}}}}}), "entry 2 of stream 1: structured metadata name is empty"},
		{"unsupported content type", "text/plain", "", []byte(sampleJSON), `unsupported content type "text/plain"`},
		{"bad content type", "application/json; charsetutf-8", "", []byte(sampleJSON), "invalid content type"},
		{"unsupported encoding", ctJSON, "br", []byte(sampleJSON), `unsupported content encoding "br"`},
		{"bad gzip", ctJSON, "gzip", []byte(s), "invalid gzip body"},
		{"truncated gzip", ctJSON, "gzip", gzipBytes(t, []byte(sampleJSON))[:30], "invalid gzip body"},
		{"bad deflate", ctJSON, "deflate", []byte("\xff" + s), "invalid deflate body"},
		{"json as snappy encoding", ctJSON, "snappy", gzipBytes(t, []byte(sampleJSON)), "invalid JSON at byte offset"},
		{"empty json", ctJSON, "", nil, "invalid JSON"},
		{"json syntax", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"` + s + `"},]}`), "invalid JSON at byte offset"},
		{"json bad escape", ctJSON, "", []byte(`{"streams":[{"values":[["1","\` + s + `"]]}]}`), "invalid JSON at byte offset"},
		{"json bad unicode escape", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","\u12` + s + `"]]}]}`), "invalid JSON at byte offset"},
		{"json vertical tab escape", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"\v` + s + `"},"values":[]}]}`), "invalid JSON at byte offset"},
		{"json lone backslash", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","` + s + `\"]]}]}`), "invalid JSON"},
		{"json streams not array", ctJSON, "", []byte(`{"streams":"` + s + `"}`), `"streams" must be an array`},
		{"json body not object", ctJSON, "", []byte(`["` + s + `"]`), "JSON body must be an object"},
		{"json stream null", ctJSON, "", []byte(`{"streams":[null]}`), "stream 1: must be an object"},
		{"json values not array", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":{"x":"` + s + `"}}]}`), `stream 1: "values" must be an array`},
		{"json timestamp overflow", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["9223372036854775808","x"]]}]}`), "timestamp is not a number"},
		{"json timestamp plus", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["+1","x"]]}]}`), "timestamp is not a number"},
		{"json timestamp empty", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["","x"]]}]}`), "timestamp is not a number"},
		{"json label invalid utf-8", ctJSON, "", []byte("{\"streams\":[{\"stream\":{\"a\":\"\xff\"}}]}"), `value of label "a" is not valid UTF-8`},
		{"json stream not object", ctJSON, "", []byte(`{"streams":[{"stream":["` + s + `"],"values":[]}]}`), `stream 1: "stream": must be an object with string values`},
		{"json label not string", ctJSON, "", []byte(`{"streams":[{"stream":{"a":1},"values":[]}]}`), `stream 1: "stream": must be an object`},
		{"json no labels", ctJSON, "", []byte(`{"streams":[{"values":[["1","` + s + `"]]}]}`), "stream 1: at least one label"},
		{"json bad label name", ctJSON, "", []byte(`{"streams":[{"stream":{"` + s + `":"x"}}]}`), "stream 1: name of label 1 is invalid"},
		{"json value not array", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":["` + s + `"]}]}`), "entry 1 of stream 1: must be an array"},
		{"json short value", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1"]]}]}`), "entry 1 of stream 1: must be an array"},
		{"json long value", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","x",{},"` + s + `"]]}]}`), "entry 1 of stream 1: must be an array"},
		{"json numeric timestamp", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","x"],[1,"` + s + `"]]}]}`), "entry 2 of stream 1: timestamp is not a string"},
		{"json bad timestamp", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["` + s + `","x"]]}]}`), "entry 1 of stream 1: timestamp is not a number"},
		{"json float timestamp", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1.5","x"]]}]}`), "timestamp is not a number"},
		{"json line not string", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1",{"x":"` + s + `"}]]}]}`), "entry 1 of stream 1: line is not a string"},
		{"json metadata not object", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","x",["` + s + `"]]]}]}`), "entry 1 of stream 1: structured metadata: must be an object"},
		{"json metadata null", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","x",null]]}]}`), "structured metadata: must be an object"},
		{"json metadata value not string", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"k":1}]]}]}`), "structured metadata: must be an object"},
		{"json metadata bad name", ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"__":"` + s + `"}]]}]}`), "only of underscores"},
		{"legacy bad time", ctJSON, "", []byte(`{"streams":[{"labels":"{a=\"b\"}","entries":[{"ts":"` + s + `","line":"x"}]}]}`), "invalid timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decode := Decode
			if strings.HasPrefix(tt.name, "legacy") {
				decode = DecodeLegacy
			}
			got, err := decode(tt.ct, tt.ce, tt.body, 0)
			if err == nil {
				t.Fatalf("decoded %+v, want error", got)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "alice") {
				t.Errorf("error %q quotes record content", err)
			}
		})
	}
}

func mustMarshal(t *testing.T, e push.Entry) []byte {
	t.Helper()
	b, err := (&push.PushRequest{Streams: []push.Stream{{Labels: `{a="b"}`, Entries: []push.Entry{e}}}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeTooLarge(t *testing.T) {
	const limit = 1 << 10
	big := protoBody(t, push.Stream{Labels: `{a="b"}`, Entries: []push.Entry{{Timestamp: t1, Line: strings.Repeat("x", 4*limit)}}})
	zeros := make([]byte, 64*limit)
	tests := []struct {
		name, ct, ce string
		body         []byte
	}{
		{"raw body", ctJSON, "", bytes.Repeat([]byte(" "), limit+1)},
		{"snappy decoded length", ctProto, "", big},
		{"gzip", ctJSON, "gzip", gzipBytes(t, zeros)},
		{"deflate", ctJSON, "deflate", deflateBytes(t, zeros)},
		{"gzip of protobuf", ctProto, "gzip", gzipBytes(t, snappy.Encode(nil, zeros))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.body) > limit && tt.ce != "" {
				t.Fatalf("compressed test body too big: %d", len(tt.body))
			}
			_, err := Decode(tt.ct, tt.ce, tt.body, limit)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge", err)
			}
		})
	}
	// Exactly at the limit is fine.
	body := []byte(`{"streams":[]}` + strings.Repeat(" ", limit-14))
	if _, err := Decode(ctJSON, "gzip", gzipBytes(t, body), limit); err != nil {
		t.Fatalf("body of exactly the limit: %v", err)
	}
}

func TestDecodeProtobufTimestamps(t *testing.T) {
	// A zero or missing timestamp decodes as the zero time, as in Loki
	// (whose validator then rejects it as too old).
	entry := []byte("\x12\x01x") // Entry{Line: "x"}, no timestamp field
	labels := `{a="b"}`
	stream := append([]byte{0x0a, byte(len(labels))}, labels...)
	stream = append(append(stream, 0x12, byte(len(entry))), entry...)
	missing := snappy.Encode(nil, append([]byte{0x0a, byte(len(stream))}, stream...))
	zero := protoBody(t, push.Stream{Labels: labels, Entries: []push.Entry{{Line: "x"}}})
	for _, body := range [][]byte{missing, zero} {
		got, err := Decode(ctProto, "", body, 0)
		if err != nil {
			t.Fatal(err)
		}
		e := got[0].Entries[0]
		if !e.Time.IsZero() || string(e.Line) != "x" {
			t.Errorf("entry = %+v, want zero time and line x", e)
		}
		if e.Metadata != nil {
			t.Errorf("metadata = %#v, want nil", e.Metadata)
		}
	}
}
