// Package benchmarks measures tarn's hot paths on the deterministic corpus
// of benchmarks/corpus. Run:
//
//	go test -run '^$' -bench . -benchmem ./benchmarks/
//
// Every benchmark reports ns/line and allocs/line (ns/op and allocs/op,
// one op = one line). Results are recorded in benchmarks/README.md.
package benchmarks

import (
	"bytes"
	"testing"
	"time"

	"github.com/tarn-project/tarn/benchmarks/corpus"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/ipaddr"
	"github.com/tarn-project/tarn/rules/pseudo"
	"github.com/tarn-project/tarn/rules/useragent"
)

// corpusStart is the time of the first generated line; benchmarks process
// "now" one hour later so nothing is dropped for age.
var corpusStart = time.Date(2026, 11, 20, 13, 55, 36, 0, time.UTC)

// lines returns n generated lines of kind k (without newlines) and their
// total size.
func lines(k corpus.Kind, n int) ([][]byte, int64) {
	g := corpus.New(corpus.Options{Kind: k, Seed: 1, Start: corpusStart})
	var buf []byte
	for range n {
		buf = g.AppendLine(buf)
	}
	ls := bytes.Split(bytes.TrimSuffix(buf, []byte("\n")), []byte("\n"))
	return ls, int64(len(buf))
}

// perLine runs f over the lines, one line per op, cycling.
func perLine(b *testing.B, k corpus.Kind, f func(line []byte)) {
	ls, size := lines(k, 10000)
	b.SetBytes(size / int64(len(ls)))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		f(ls[i])
		if i++; i == len(ls) {
			i = 0
		}
	}
}

func engine(b *testing.B) *rules.Engine {
	cfg, err := rules.LoadConfig("builtin:default")
	if err != nil {
		b.Fatal(err)
	}
	e, err := rules.Compile(cfg, rules.TestKey)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkDefault is the full default pipeline: parse (auto), all field
// actions, detectors, rewrite.
func BenchmarkDefault(b *testing.B) {
	for _, k := range []corpus.Kind{corpus.Combined, corpus.VhostCombined, corpus.JSON} {
		b.Run(k.String(), func(b *testing.B) {
			p := engine(b).NewProcessor()
			now := corpusStart.Add(time.Hour)
			var out []byte
			perLine(b, k, func(l []byte) { out, _ = p.Append(out[:0], l, now) })
		})
	}
}

// BenchmarkParse is parsing alone.
func BenchmarkParse(b *testing.B) {
	for _, c := range []struct {
		k corpus.Kind
		f format.Format
	}{{corpus.Combined, format.Combined}, {corpus.VhostCombined, format.Combined}, {corpus.JSON, format.JSON}, {corpus.Combined, format.Auto}} {
		b.Run(c.k.String()+"/"+c.f.String(), func(b *testing.B) {
			var rec format.Record
			keys := [][]byte{[]byte("time")}
			perLine(b, c.k, func(l []byte) { format.Parse(c.f, l, keys, &rec) })
		})
	}
}

// field returns the value of the named combined field of each line.
func field(b *testing.B, name string) ([][]byte, int64) {
	ls, _ := lines(corpus.Combined, 10000)
	var out [][]byte
	var size int64
	var rec format.Record
	for _, l := range ls {
		format.Parse(format.Combined, l, nil, &rec)
		for _, f := range rec.Fields {
			if string(f.Path) == name {
				v := l[f.Value.Start:f.Value.End]
				out, size = append(out, v), size+int64(len(v))
			}
		}
	}
	if len(out) == 0 {
		b.Fatalf("no field %s", name)
	}
	return out, size
}

func perValue(b *testing.B, name string, f func(v []byte)) {
	vs, size := field(b, name)
	b.SetBytes(size / int64(len(vs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f(vs[i])
		if i++; i == len(vs) {
			i = 0
		}
	}
}

// BenchmarkActions measures each action on its usual field.
func BenchmarkActions(b *testing.B) {
	dst := make([]byte, 0, 4096)
	b.Run("truncate_ip/remote_addr", func(b *testing.B) {
		perValue(b, "remote_addr", func(v []byte) { dst, _ = ipaddr.AppendTruncated(dst[:0], v, ipaddr.DefaultPrefix) })
	})
	b.Run("pseudonymize/remote_addr", func(b *testing.B) {
		ps := pseudo.New(rules.TestKey, pseudo.Daily, 0)
		var norm []byte
		perValue(b, "remote_addr", func(v []byte) {
			norm = rules.Normalize(norm[:0], v)
			dst = pseudo.AppendHex(dst[:0], ps.Sum(corpusStart, norm), 16)
		})
	})
	b.Run("generalize_user_agent", func(b *testing.B) {
		perValue(b, "http_user_agent", func(v []byte) { dst = useragent.Generalize(dst[:0], v) })
	})
	set, err := detect.New(detect.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	var ms []detect.Match
	for _, name := range []string{"request_uri", "http_referer", "http_user_agent"} {
		b.Run("detect/"+name, func(b *testing.B) {
			perValue(b, name, func(v []byte) { ms = set.Scan(v, ms[:0]) })
		})
	}
}
