package format

import (
	"bytes"
	"testing"
	"time"
)

func FuzzParseCRI(f *testing.F) {
	for _, s := range []string{criTS, "2016-10-20T8:39:20,5-24:00", criTS + " stdout F hello\n", criTS + " stderr P:a:b x", "2016-10-20T8:39:20,5+24:00 stdout  x",
		criTS + " stdout F a=1 b=\"2\"", criTS + ` stdout F {"a":[1,{"b":"c"}]}`, "x y z", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := []byte(s)
		checkCRI(t, line)
		got, ok := parseRuntimeTime(line)
		if want, err := time.Parse(time.RFC3339Nano, s); ok != (err == nil) || ok && !got.Equal(want) {
			t.Fatalf("parseRuntimeTime(%q) = %v %v; time.Parse = %v %v", s, got, ok, want, err)
		}
		var rec Record
		if Parse(CRI, line, nil, &rec) {
			checkInvariants(t, &rec)
			checkCRIEdits(t, &rec, []byte("v \"\n"))
		} else if len(rec.Fields) != 0 || rec.Format != Text {
			t.Fatalf("failed Parse(CRI) left %d fields, format %v", len(rec.Fields), rec.Format)
		}
	})
}

func FuzzParseDocker(f *testing.F) {
	for _, s := range []string{`{"log":"hi\n","stream":"stdout","time":"` + criTS + `"}`, `{"log":"\u00e9\"\ud800","stream":"stderr","time":"2016-10-20T18:39:20+01:00","attrs":{}}`, `{}`, `[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var c Container
		line := []byte(s)
		dst, ok := ParseDocker(line, nil, &c)
		lower := bytes.ToLower(line)
		if !ok || bytes.Contains(line, []byte(`\u`)) || !bytes.Equal(lower, line) && (bytes.Count(lower, []byte(`"log"`)) > 1 ||
			bytes.Count(lower, []byte(`"stream"`)) > 1 || bytes.Count(lower, []byte(`"time"`)) > 1) {
			return // escaped or case-folded keys: encoding/json may pick another member
		}
		checkDocker(t, line, &c, dst)
	})
}

var (
	benchCRI    = []byte(criTS + " stdout F " + benchCombined + "\n")
	benchDocker = []byte(`{"log":"83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1\" 200 203023 \"http://semicomplete.com/presentations/logstash-monitorama-2013/\" \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36\"\n","stream":"stdout","time":"2018-02-21T17:26:53.360920913Z"}`)
)

func BenchmarkParseCRI(b *testing.B) {
	var c Container
	b.SetBytes(int64(len(benchCRI)))
	b.ReportAllocs()
	for b.Loop() {
		ParseCRI(benchCRI, &c)
	}
}

func BenchmarkParseDocker(b *testing.B) {
	var c Container
	dst, _ := ParseDocker(benchDocker, nil, &c)
	b.SetBytes(int64(len(benchDocker)))
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = ParseDocker(benchDocker, dst, &c)
	}
}

func BenchmarkParseFormatCRI(b *testing.B) { benchParse(b, CRI, string(benchCRI)) }

// BenchmarkJoiner joins a line split into three 16 KiB records (the
// runtimes' split size), per joined line.
func BenchmarkJoiner(b *testing.B) {
	part := bytes.Repeat([]byte("x"), 16<<10)
	recs := []Container{{Partial: true, Message: part}, {Partial: true, Message: part}, {Message: part}}
	var j Joiner
	b.SetBytes(3 << 14)
	b.ReportAllocs()
	for b.Loop() {
		for k := range recs {
			j.Add(&recs[k])
		}
	}
}

// TestContainerZeroAllocs checks that parsing, unwrapping and joining
// allocate nothing per line once buffers have grown.
func TestContainerZeroAllocs(t *testing.T) {
	var c Container
	var rec Record
	var j Joiner
	dst, _ := ParseDocker(benchDocker, nil, &c)
	part := &Container{Partial: true, Message: []byte("part ")}
	j.Add(part)
	j.Add(&c)
	for name, f := range map[string]func(){
		"ParseCRI":     func() { ParseCRI(benchCRI, &c) },
		"ParseDocker":  func() { dst, _ = ParseDocker(benchDocker, dst, &c) },
		"Parse(CRI)":   func() { Parse(CRI, benchCRI, benchTimeKeys, &rec) },
		"RecordTime":   func() { rec.RecordTime() },
		"Joiner.Add":   func() { j.Add(part); j.Add(&c) },
		"Joiner.Flush": func() { j.Add(part); j.Flush(Stdout) },
	} {
		f() // grow buffers
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %v times per line", name, n)
		}
	}
}
