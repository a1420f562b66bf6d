package lokipush

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tarn-project/tarn/sinks"
)

func lbls(kv ...string) []sinks.Label {
	out := make([]sinks.Label, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		out = append(out, sinks.Label{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestParseLabels(t *testing.T) {
	tests := []struct {
		in   string
		want []sinks.Label
	}{
		{`{job="nginx"}`, lbls("job", "nginx")},
		{`{job="nginx", host="a"}`, lbls("host", "a", "job", "nginx")},
		{`{job="nginx",host="a",}`, lbls("host", "a", "job", "nginx")},
		{" \t{ job = \"x\" ,\n host=\"a\" }\r\n", lbls("host", "a", "job", "x")},
		{`{_a="1", A9_="2"}`, lbls("A9_", "2", "_a", "1")},
		{`{__name__="x"}`, lbls("__name__", "x")},
		{`{msg="a \"quoted\" \\ value\n\t\u00e9\x41"}`, lbls("msg", "a \"quoted\" \\ value\n\té"+"A")},
		{`{msg='single "double" \' ok'}`, lbls("msg", `single "double" ' ok`)},
		{"{msg=`raw \\n \"x\"\nline`}", lbls("msg", "raw \\n \"x\"\nline")},
		{`{job="x", empty=""}`, lbls("job", "x")},
		{`{job="日本語"}`, lbls("job", "日本語")},
		{`{job="a}b,c=d"}`, lbls("job", "a}b,c=d")},
	}
	for _, tt := range tests {
		got, err := ParseLabels(tt.in)
		if err != nil {
			t.Errorf("ParseLabels(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseLabels(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseLabelsErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{``, `expected "{"`},
		{`job="x"`, `expected "{"`},
		{`foo{job="x"}`, `expected "{"`},
		{`{}`, "at least one label"},
		{`{job=""}`, "at least one label"},
		{`{job="x"`, `expected "," or "}" after label "job"`},
		{`{job="x" host="y"}`, `expected "," or "}" after label "job"`},
		{`{job="x"} extra`, `unexpected text after "}"`},
		{`{1job="x"}`, "expected label name"},
		{`{"job"="x"}`, "expected label name"},
		{`{job.name="x"}`, `expected "=" after label "job"`},
		{`{job:x="x"}`, `expected "=" after label "job"`},
		{`{job=x}`, `expected quoted value of label "job"`},
		{`{job=}`, `expected quoted value of label "job"`},
		{`{job="x}`, `unterminated value of label "job"`},
		{"{job=`x}", `unterminated value of label "job"`},
		{`{job="x\"}`, `unterminated value of label "job"`},
		{"{job=\"a\nb\"}", `newline in value of label "job"`},
		{`{job="a\qb"}`, `invalid escape sequence in value of label "job"`},
		{`{job='a"b\"'}`, `invalid escape sequence in value of label "job"`},
		{`{job="\xff"}`, `value of label "job" is not valid UTF-8`},
		{"{job=\"\xff\"}", `value of label "job" is not valid UTF-8`},
		{`{job="x", job="y"}`, `duplicate label name "job"`},
		{`{job="x", ,}`, "expected label name"},
		{`{,}`, "expected label name"},
		{`{job="x"}}`, `unexpected text after "}"`},
	}
	for _, tt := range tests {
		got, err := ParseLabels(tt.in)
		if err == nil {
			t.Errorf("ParseLabels(%q) = %v, want error %q", tt.in, got, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseLabels(%q) error %q, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

func TestParseLabelsErrorHidesValue(t *testing.T) {
	for _, in := range []string{
		`{user="alice@example.com`,
		"{user=\"alice@example.com\n\"}",
		`{user="alice@example.com\q"}`,
		`{user="alice@example.com" x}`,
		`{user="alice@example.com", user="alice@example.com"}`,
	} {
		_, err := ParseLabels(in)
		if err == nil || strings.Contains(err.Error(), "alice") {
			t.Errorf("ParseLabels(%q) error %v: want an error without the value", in, err)
		}
	}
}

func TestMetadataName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"trace_id", "trace_id"},
		{"trace.id", "trace_id"},
		{"http.request..method", "http_request_method"},
		{"a_.b", "a__b"},
		{"1st", "key_1st"},
		{"名前x", "_x"},
		{"__meta__", "__meta__"},
	}
	for _, tt := range tests {
		got, err := metadataName(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("metadataName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "_", "___", "..", "日本"} {
		if got, err := metadataName(bad); err == nil {
			t.Errorf("metadataName(%q) = %q, want error", bad, got)
		}
	}
}
