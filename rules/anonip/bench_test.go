package anonip

import (
	"bytes"
	"testing"
)

const (
	combinedV4 = `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`
	combinedV6 = `2001:db8:85a3:8d3:1319:8a2e:370:7348 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`
)

// allocCases are hot-path configurations that must not allocate.
var allocCases = []struct {
	name string
	args []string
	line string
}{
	{"combined v4", nil, combinedV4},
	{"combined v6", nil, combinedV6},
	{"bracketed upper-case v6 port", nil, "[2001:DB8::1]:443 x"},
	{"zone with tab", nil, "[fe80::1%e\tth0]:80 x"},
	{"ip:port", nil, "1.2.3.4:80 x"},
	{"mapped skip-private", []string{"-p"}, "::ffff:10.1.2.3 x"},
	{"replace", []string{"-r", "0.0.0.0"}, "garbage x"},
	{"repeated columns", []string{"-c", "3", "1", "1", "-i", "9"}, "1.2.3.4 b [::1]:8"},
	{"whitespace only", nil, " \t\u3000"},
}

func TestAppendLineAllocs(t *testing.T) {
	for _, c := range allocCases {
		a := mustNew(t, c.args...)
		line := []byte(c.line)
		dst := make([]byte, 0, 4*len(line)+64)
		n := testing.AllocsPerRun(200, func() { dst = a.AppendLine(dst[:0], line) })
		if n != 0 {
			t.Errorf("%s: %v allocs per AppendLine, want 0", c.name, n)
		}
	}
}

func benchLine(b *testing.B, line string, args ...string) {
	a := mustNew(b, args...)
	in := []byte(line)
	dst := make([]byte, 0, 2*len(in))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		dst = a.AppendLine(dst[:0], in)
	}
}

func BenchmarkAppendLineCombinedV4(b *testing.B) { benchLine(b, combinedV4) }
func BenchmarkAppendLineCombinedV6(b *testing.B) { benchLine(b, combinedV6) }
func BenchmarkAppendLineBracketV6Port(b *testing.B) {
	benchLine(b, "[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443 - - x")
}
func BenchmarkAppendLineSkipPrivate(b *testing.B) { benchLine(b, combinedV4, "-p") }
func BenchmarkAppendLineRegex(b *testing.B) {
	benchLine(b, combinedV4, "--regex", `^(\S+) \S+ (\S+)`)
}

// BenchmarkAppendText measures a whole stream: 1000 combined lines.
func BenchmarkAppendText(b *testing.B) {
	a := mustNew(b)
	in := bytes.Repeat([]byte(combinedV4+"\n"+combinedV6+"\n"), 500)
	dst := make([]byte, 0, 2*len(in))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		dst = a.AppendText(dst[:0], in)
	}
}
