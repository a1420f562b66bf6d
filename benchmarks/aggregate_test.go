package benchmarks

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/tarn-project/tarn/benchmarks/corpus"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/aggregate"
)

// BenchmarkDefaultAggregate is BenchmarkDefault plus aggregation of every
// kept record (Observe: field roles, visitor MAC; Add: window counters,
// route template, top-k, HyperLogLog). Compare ns/op with
// BenchmarkDefault for the overhead; windows are flushed as they end, as
// the agent does.
func BenchmarkDefaultAggregate(b *testing.B) {
	for _, k := range []corpus.Kind{corpus.Combined, corpus.VhostCombined, corpus.JSON} {
		b.Run(k.String(), func(b *testing.B) {
			p := engine(b).NewProcessor()
			agg := aggregate.New(aggregate.Config{})
			now := corpusStart.Add(time.Hour)
			var out []byte
			var o aggregate.Obs
			n := 0
			perLine(b, k, func(l []byte) {
				var res rules.Result
				out, res = p.Append(out[:0], l, now)
				if res.Reason == rules.Kept && p.Observe(&o) {
					agg.Add(&o)
				}
				if n++; n%10000 == 0 {
					agg.Flush(o.Time.Add(-time.Minute))
				}
			})
		})
	}
}

// BenchmarkAggregateMemoryPerHost reports the heap held per virtual host
// by one minute window and the day's visitor sketch: 1000 hosts, each
// with 50 routes and 2000 distinct visitors (the sketch turns dense at
// that size).
func BenchmarkAggregateMemoryPerHost(b *testing.B) {
	const hosts, perHost = 1000, 2000
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		a := aggregate.New(aggregate.Config{})
		for h := range hosts {
			host := []byte(fmt.Sprintf("site%d.example", h))
			for i := range perHost {
				o := aggregate.Obs{Time: corpusStart, Host: host, Method: []byte("GET"), Status: 200, Bytes: 100,
					URI: fmt.Appendf(nil, "/page%c/x", 'a'+i%50), Duration: -1, Visitor: uint64(h*perHost+i)*0x9e3779b97f4a7c15 | 1, Web: true}
				a.Add(&o)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/hosts/1024, "KiB/host")
		runtime.KeepAlive(a)
	}
}
