package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"math"
)

// explicitQuantile returns the q-quantile of an explicit-bucket histogram
// (counts[i] in (bounds[i-1], bounds[i]], the last bucket unbounded),
// interpolating linearly inside the bucket like Prometheus'
// histogram_quantile. lo/hi (NaN if unknown) are the observed min and max and
// tighten the first and last buckets. ok is false without observations.
func explicitQuantile(q float64, bounds []float64, counts []uint64, lo, hi float64) (float64, bool) {
	var total uint64
	for _, c := range counts {
		total += c
	}
	if total == 0 || len(counts) == 0 {
		return 0, false
	}
	if len(bounds) != len(counts)-1 {
		return 0, false
	}
	rank := q * float64(total)
	var cum float64
	for i, c := range counts {
		if c == 0 {
			continue
		}
		next := cum + float64(c)
		if next >= rank || i == len(counts)-1 {
			var lower, upper float64
			switch {
			case i > 0:
				lower = bounds[i-1]
			case !math.IsNaN(lo):
				lower = lo
			case len(bounds) > 0 && bounds[0] > 0:
				lower = 0
			case len(bounds) > 0:
				lower = bounds[0]
			}
			switch {
			case i < len(bounds):
				upper = bounds[i]
			case !math.IsNaN(hi):
				upper = hi
			default: // +Inf bucket: the highest finite bound
				upper = lower
			}
			if !math.IsNaN(lo) && lower < lo {
				lower = lo
			}
			if !math.IsNaN(hi) && upper > hi {
				upper = hi
			}
			if upper < lower {
				upper = lower
			}
			f := (rank - cum) / float64(c)
			f = max(0, min(1, f))
			return lower + (upper-lower)*f, true
		}
		cum = next
	}
	return 0, false
}

// expBucket is one side of an exponential histogram: counts[i] covers
// (base^(offset+i), base^(offset+i+1)].
type expBucket struct {
	offset int32
	counts []uint64
}

// exponentialQuantile returns the q-quantile of an exponential histogram,
// interpolating linearly inside the bucket; ok is false without observations
// or when the bucket bounds overflow float64.
func exponentialQuantile(q float64, scale int32, zero uint64, pos, neg expBucket) (float64, bool) {
	v, ok := expQuantile(q, scale, zero, pos, neg)
	return v, ok && isFinite(v)
}

func expQuantile(q float64, scale int32, zero uint64, pos, neg expBucket) (float64, bool) {
	var total = zero
	for _, c := range pos.counts {
		total += c
	}
	for _, c := range neg.counts {
		total += c
	}
	if total == 0 {
		return 0, false
	}
	base := math.Exp2(math.Exp2(-float64(scale)))
	bound := func(idx int32) float64 { return math.Pow(base, float64(idx)) }
	rank := q * float64(total)
	var cum float64
	// Negative values, most negative first.
	for i := len(neg.counts) - 1; i >= 0; i-- {
		c := neg.counts[i]
		if c == 0 {
			continue
		}
		if cum+float64(c) >= rank {
			idx := neg.offset + int32(i)
			lower, upper := -bound(idx+1), -bound(idx)
			return lower + (upper-lower)*(rank-cum)/float64(c), true
		}
		cum += float64(c)
	}
	if zero > 0 {
		if cum+float64(zero) >= rank {
			return 0, true
		}
		cum += float64(zero)
	}
	last := 0.0
	for i, c := range pos.counts {
		if c == 0 {
			continue
		}
		idx := pos.offset + int32(i)
		lower, upper := bound(idx), bound(idx+1)
		last = upper
		if cum+float64(c) >= rank {
			return lower + (upper-lower)*(rank-cum)/float64(c), true
		}
		cum += float64(c)
	}
	return last, true
}
