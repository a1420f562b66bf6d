package aggregate

import "math"

// Bounds are the upper bounds, in seconds, of the duration histogram's
// buckets (Prometheus' defaults); a last bucket holds the rest.
var Bounds = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Histogram counts durations into the fixed buckets of Bounds.
type Histogram struct {
	// Count is the number of observations.
	Count uint64 `json:"count"`
	// Sum is their sum in seconds.
	Sum float64 `json:"sum"`
	// Buckets[i] counts observations ≤ Bounds[i] and > Bounds[i-1]; the
	// last counts those above every bound.
	Buckets [len(Bounds) + 1]uint64 `json:"buckets"`
}

// Observe adds one duration in seconds. A value that is not finite is
// ignored: a sum of +Inf or NaN cannot be written as JSON.
func (h *Histogram) Observe(s float64) {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return
	}
	h.Count++
	h.Sum += s
	i := 0
	for i < len(Bounds) && s > Bounds[i] {
		i++
	}
	h.Buckets[i]++
}

// Merge adds o's observations to h.
func (h *Histogram) Merge(o *Histogram) {
	h.Count += o.Count
	h.Sum += o.Sum
	for i, n := range o.Buckets {
		h.Buckets[i] += n
	}
}
