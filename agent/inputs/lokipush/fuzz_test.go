package lokipush

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grafana/loki/pkg/push"

	"github.com/tarn-project/tarn/sinks"
)

// FuzzDecode checks that Decode never panics, fails only with ErrInvalid or
// ErrTooLarge, and returns only valid label sets. Its seeds run in every
// go test.
func FuzzDecode(f *testing.F) {
	proto := sampleProto(f)
	withMeta := protoBody(f, push.Stream{Labels: `{a="b", c='d', e=` + "`f`" + `}`, Entries: []push.Entry{
		{Timestamp: t1, Line: "x", StructuredMetadata: push.LabelsAdapter{{Name: "1.x", Value: "\xffv"}}},
	}})
	seeds := []struct {
		ct, ce string
		body   []byte
	}{
		{ctProto, "", proto},
		{"", "", withMeta},
		{ctProto, "gzip", gzipBytes(f, proto)},
		{ctProto, "deflate", deflateBytes(f, proto)},
		{ctJSON, "", []byte(sampleJSON)},
		{ctJSON, "gzip", gzipBytes(f, []byte(sampleJSON))},
		{"application/json; charset=utf-8", "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"k":"v"}],null]}]}`)},
		{ctJSON, "", []byte(`{"streams":[{"stream":{"a":""},"values":[]}]}`)},
		{ctProto, "", []byte("garbage")},
		{ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["x"]]}]}`)},
		{ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b\"]"},"x":{"values":1},"values":[null,["1","\\\"],",{}]]}]}`)},
		{ctJSON, "", []byte(`{"streams":[{"stream":{"a":"b"},"values":[["1","\ud83d\ude00 \ud83d \u00e9\t"]]}]}`)},
		{ctJSON, "gzip", []byte("\x1f\x8b garbage")},
		{"text/plain", "br", nil},
	}
	for _, s := range seeds {
		f.Add(s.ct, s.ce, s.body)
	}
	f.Fuzz(func(t *testing.T, ct, ce string, body []byte) {
		for _, decode := range []func(string, string, []byte, int64) ([]Stream, error){Decode, DecodeLegacy} {
			streams, err := decode(ct, ce, body, 1<<20)
			if err != nil {
				if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("error %q wraps neither ErrInvalid nor ErrTooLarge", err)
				}
				continue
			}
			for i, s := range streams {
				if err := checkLabels(s.Labels); err != nil {
					t.Fatalf("stream %d labels %q: %v", i, s.Labels, err)
				}
				for _, e := range s.Entries {
					checkMetadata(t, e.Metadata)
				}
			}
		}
		if mt, _, _ := mime.ParseMediaType(ct); mt == ctJSON && ce == "" {
			compareJSON(t, body)
		}
	})
}

// compareJSON checks the hand-written JSON scanner against encoding/json
// on ASCII bodies that Decode accepts: same streams, entries and lines.
func compareJSON(t *testing.T, body []byte) {
	streams, err := Decode(ctJSON, "", body, 1<<20)
	if err != nil || bytes.ContainsFunc(body, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return
	}
	var ref struct{ Streams []map[string]json.RawMessage }
	if err := json.Unmarshal(body, &ref); err != nil {
		t.Fatalf("Decode accepted what encoding/json rejects: %v", err)
	}
	if len(ref.Streams) != len(streams) {
		t.Fatalf("%d streams, encoding/json %d", len(streams), len(ref.Streams))
	}
	for i, rs := range ref.Streams {
		var values []json.RawMessage
		_ = json.Unmarshal(rs["values"], &values)
		values = slices.DeleteFunc(values, func(v json.RawMessage) bool { return string(v) == "null" })
		if len(values) != len(streams[i].Entries) {
			t.Fatalf("stream %d: %d entries, encoding/json %d", i, len(streams[i].Entries), len(values))
		}
		for j, v := range values {
			var parts []json.RawMessage
			var line string
			if json.Unmarshal(v, &parts) != nil || json.Unmarshal(parts[1], &line) != nil {
				t.Fatalf("stream %d entry %d: encoding/json cannot read %s", i, j, v)
			}
			if got := string(streams[i].Entries[j].Line); got != line {
				t.Fatalf("stream %d entry %d: line %q, encoding/json %q", i, j, got, line)
			}
		}
	}
}

// checkLabels returns an error unless ls is a valid stream label set.
func checkLabels(ls []sinks.Label) error {
	if len(ls) == 0 {
		return errors.New("empty")
	}
	for i, l := range ls {
		switch {
		case !sinks.ValidLabelName(l.Name):
			return errors.New("invalid name")
		case l.Value == "" || !utf8.ValidString(l.Value):
			return errors.New("empty or invalid value")
		case i > 0 && ls[i-1].Name >= l.Name:
			return errors.New("not sorted or duplicate")
		}
	}
	return nil
}

func checkMetadata(t *testing.T, md []sinks.Label) {
	t.Helper()
	for _, l := range md {
		if !sinks.ValidLabelName(l.Name) || strings.Trim(l.Name, "_") == "" || !utf8.ValidString(l.Value) {
			t.Fatalf("invalid metadata %q", l)
		}
	}
}

// FuzzParseLabels checks that accepted label sets are valid and survive
// formatting and parsing again.
func FuzzParseLabels(f *testing.F) {
	for _, s := range []string{`{job="nginx", host="a"}`, `{a='b\'',}`, "{a=`b\nc`}", `{a="\u00e9\x41"}`, `{}`, `{a=""}`, `{a="b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := ParseLabels(s)
		if err != nil {
			return
		}
		if err := checkLabels(ls); err != nil {
			t.Fatalf("ParseLabels(%q) = %q: %v", s, ls, err)
		}
		var b strings.Builder
		b.WriteByte('{')
		for i, l := range ls {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(l.Name + "=" + strconv.Quote(l.Value))
		}
		b.WriteByte('}')
		again, err := ParseLabels(b.String())
		if err != nil || !slices.Equal(again, ls) {
			t.Fatalf("round trip of %q: %q, %v; want %q", s, again, err, ls)
		}
	})
}
