package lokipush

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestElements(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`[]`, nil},
		{` [ ] `, nil},
		{`["a\\", "b"]`, []string{`"a\\"`, `"b"`}},
		{`["a\\\"]", {"]":[1,{"}":"\""}]}, -1.5e3 ,null,true]`, []string{`"a\\\"]"`, `{"]":[1,{"}":"\""}]}`, `-1.5e3`, `null`, `true`}},
		{"[\n\"x\"\t]", []string{`"x"`}},
	}
	for _, tt := range tests {
		got, ok := elements([]byte(tt.in), nil)
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if !ok || !reflect.DeepEqual(gs, tt.want) {
			t.Errorf("elements(%s) = %q, %v; want %q", tt.in, gs, ok, tt.want)
		}
	}
	if _, ok := elements([]byte(`{"a":1}`), nil); ok {
		t.Error("elements of an object: ok")
	}
}

func TestStringMembers(t *testing.T) {
	got, err := stringMembers([]byte(`{ "b" : "1", "a\u0041":"x\"y" ,"b":"2"}`), nil)
	want := []member{{[]byte("b"), []byte("1")}, {[]byte("aA"), []byte(`x"y`)}, {[]byte("b"), []byte("2")}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("stringMembers = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{`[]`, `{"a":1}`, `{"a":null}`, `{"a":{}}`, `"x"`} {
		if _, err := stringMembers([]byte(bad), nil); err == nil {
			t.Errorf("stringMembers(%s): no error", bad)
		}
	}
}

// FuzzJSONString checks appendString against encoding/json on valid,
// UTF-8 JSON strings.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{`""`, `"plain"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u00e9\u00E9"`,
		`"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`, `"\udc00\ud83d\ude00"`, `"\ud83d\u0041"`, `"é\\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '"' || !json.Valid(raw) || !utf8.Valid(raw) {
			return
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := appendString(nil, raw)
		if !ok || string(got) != want {
			t.Fatalf("appendString(%s) = %q, %v; want %q", raw, got, ok, want)
		}
		prefixed, _ := appendString([]byte("p"), raw)
		if string(prefixed) != "p"+want {
			t.Fatalf("appendString with dst = %q", prefixed)
		}
	})
}

// TestAppendString decodes escapes as encoding/json does (the decoding is
// rules/format's), returns raw's own bytes when there is nothing to decode
// and dst is nil, and appends to dst otherwise.
func TestAppendString(t *testing.T) {
	for _, raw := range []string{`""`, `"plain"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u00e9\u00E9"`, `"\ud83d\ude00"`,
		`"\ud83d"`, `"\ud83dx"`, `"\udc00\ud83d\ude00"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`, `"é\\"`, `"\u0000"`} {
		var want string
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatal(err)
		}
		if got, ok := appendString(nil, []byte(raw)); !ok || string(got) != want {
			t.Errorf("appendString(%s) = %q, %v; want %q", raw, got, ok, want)
		}
		if got, _ := appendString([]byte("p"), []byte(raw)); string(got) != "p"+want {
			t.Errorf("appendString(p, %s) = %q", raw, got)
		}
	}
	raw := []byte(`"plain"`)
	if got, _ := jsonString(raw); &got[0] != &raw[1] {
		t.Error("an unescaped string is copied")
	}
	for _, bad := range []string{``, `"`, `x"`, `1`} {
		if _, ok := jsonString([]byte(bad)); ok {
			t.Errorf("jsonString(%s): ok", bad)
		}
	}
}
