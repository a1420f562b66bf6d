package benchmarks

import (
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
