package format

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

// dump renders rec's fields as "path:kind=raw", with "!" for Escaped and
// "^parent" for sub-fields, so table tests can compare whole parses.
func dump(rec *Record) []string {
	out := make([]string, 0, len(rec.Fields))
	for _, f := range rec.Fields {
		s := fmt.Sprintf("%s:%s=%s", f.Path, f.Kind, rec.Line[f.Value.Start:f.Value.End])
		if f.Escaped {
			s += "!"
		}
		if f.Parent >= 0 {
			s += "^" + string(rec.Fields[f.Parent].Path)
		}
		out = append(out, s)
	}
	return out
}

type parseCase struct {
	name   string
	format Format // format passed to Parse
	line   string
	ok     bool
	want   Format   // rec.Format after Parse
	fields []string // dump(rec)
	time   string   // path of the time field, "" for none
}

// runParseCases checks each case's result, format, fields and time field,
// and that Rewrite without edits reproduces the line.
func runParseCases(t *testing.T, cases []parseCase, timeKeys [][]byte) {
	t.Helper()
	var rec Record
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok := Parse(c.format, []byte(c.line), timeKeys, &rec)
			if ok != c.ok || rec.Format != c.want {
				t.Fatalf("Parse = %v, format %v; want %v, %v", ok, rec.Format, c.ok, c.want)
			}
			if got := dump(&rec); !slices.Equal(got, c.fields) {
				t.Errorf("fields:\n got %q\nwant %q", got, c.fields)
			}
			gotTime := ""
			if rec.Time >= 0 {
				gotTime = string(rec.Fields[rec.Time].Path)
			}
			if gotTime != c.time {
				t.Errorf("time field = %q, want %q", gotTime, c.time)
			}
			checkInvariants(t, &rec)
		})
	}
}

// checkInvariants checks spans and parents and that Rewrite with no edits
// reproduces the line exactly.
func checkInvariants(t testing.TB, rec *Record) {
	t.Helper()
	n := len(rec.Line)
	prev := -1
	for i, f := range rec.Fields {
		if f.Value.Start < 0 || f.Value.Start > f.Value.End || f.Value.End > n {
			t.Fatalf("field %d value span %v out of bounds (len %d)", i, f.Value, n)
		}
		if f.Key != (Span{}) && (f.Key.Start < 0 || f.Key.Start >= f.Key.End || f.Key.End > f.Value.Start) {
			t.Fatalf("field %d key span %v bad (value %v)", i, f.Key, f.Value)
		}
		if f.Value.Start < prev {
			t.Fatalf("field %d starts at %d before previous field at %d", i, f.Value.Start, prev)
		}
		prev = f.Value.Start
		if f.Parent >= i || f.Parent < -1 {
			t.Fatalf("field %d parent %d", i, f.Parent)
		}
		if p := f.Parent; p >= 0 && (f.Value.Start < rec.Fields[p].Value.Start || f.Value.End > rec.Fields[p].Value.End) {
			t.Fatalf("field %d %v not inside parent %v", i, f.Value, rec.Fields[p].Value)
		}
	}
	if rec.Format == Auto || (rec.Time < -1 || rec.Time >= len(rec.Fields)) {
		t.Fatalf("format %v time %d", rec.Format, rec.Time)
	}
	if out := Rewrite(nil, rec, nil); !bytes.Equal(out, rec.Line) {
		t.Fatalf("Rewrite without edits changed the line (len %d -> %d)", n, len(out))
	}
}

// keys turns strings into a timeKeys list.
func keys(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, k := range s {
		out[i] = []byte(k)
	}
	return out
}
