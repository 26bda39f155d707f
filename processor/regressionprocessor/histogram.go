package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// histPrev is the previous cumulative histogram of a series, to turn
// cumulative bucket counts into per-interval counts.
type histPrev struct {
	start, time int64
	count       uint64
	scale       int32
	zero        uint64
	pos, neg    expBucket
	counts      []uint64
}

// observeQuantiles scores each configured quantile of one interval's
// distribution, each its own series.
func (p *regressionProcessor) observeQuantiles(src *srcCtx, r *rule, at origin, c *counts, quantile func(q float64) (float64, bool)) {
	k, ver := p.pointKey(src, at.attrs, -1)
	for qi, q := range p.quantiles {
		v, ok := quantile(q)
		if !ok {
			c.skipped[skipEmptyHistogram] += int64(len(p.quantiles))
			return
		}
		p.observe(src, r, &sample{at: at, q: q, k: k.Add(p.qkeys[qi]), ver: ver, v: v}, c)
	}
}

// histRef returns the previous cumulative histogram of a point's series.
// It is kept per version: two versions reporting side by side are two
// cumulative streams.
func (p *regressionProcessor) histRef(src *srcCtx, attrs pcommon.Map, t int64) (*histPrev, bool) {
	k, ver := p.pointKey(src, attrs, -1)
	prev, res, _ := p.hists.Get(k.Add(series.Key{Lo: ver.hash}), t) // never fails: eviction is on
	return prev, res.Created
}

// reference counts the quantiles of a cumulative point that only set the
// reference: the first point of its series, or a reset.
func (p *regressionProcessor) reference(created bool, c *counts) {
	if created {
		c.skipped[skipFirstCumulative] += int64(len(p.quantiles))
	} else {
		c.skipped[skipCounterReset] += int64(len(p.quantiles))
	}
}

func (p *regressionProcessor) histograms(src *srcCtx, r *rule, h pmetric.Histogram, c *counts) int64 {
	cumulative := h.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
	var maxT int64
	dps := h.DataPoints()
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if !admitted(p, src, dp, len(p.quantiles), c) {
			continue
		}
		maxT = max(maxT, int64(dp.Timestamp()))
		counts := dp.BucketCounts().AsRaw()
		lo, hi := math.NaN(), math.NaN()
		if cumulative {
			var ok bool
			if counts, ok = p.explicitInterval(src, dp, counts, c); !ok {
				continue
			}
		} else {
			if dp.HasMin() {
				lo = dp.Min()
			}
			if dp.HasMax() {
				hi = dp.Max()
			}
		}
		bounds := dp.ExplicitBounds().AsRaw()
		p.observeQuantiles(src, r, origin{dp.Attributes(), dp.StartTimestamp(), dp.Timestamp()}, c, func(q float64) (float64, bool) {
			return explicitQuantile(q, bounds, counts, lo, hi)
		})
	}
	return maxT
}

// explicitInterval returns the bucket counts of the interval a cumulative
// histogram point closes (its counts − its series' previous point's); false
// when the point is out of order or only sets the reference (first point,
// reset), counted.
func (p *regressionProcessor) explicitInterval(src *srcCtx, dp pmetric.HistogramDataPoint, counts []uint64, c *counts) ([]uint64, bool) {
	t := int64(dp.Timestamp())
	prev, created := p.histRef(src, dp.Attributes(), t)
	switch {
	case !created && t <= prev.time:
		c.skipped[skipOutOfOrder] += int64(len(p.quantiles))
		return nil, false
	case created || !p.histDelta(prev, dp, counts):
		*prev = histPrev{start: int64(dp.StartTimestamp()), time: t, count: dp.Count(), counts: append(prev.counts[:0], counts...)}
		p.reference(created, c)
		return nil, false
	}
	return p.scratch, true
}

// histDelta puts counts − prev into p.scratch and moves prev forward; false
// on a reset (new start, fewer observations, other buckets).
func (p *regressionProcessor) histDelta(prev *histPrev, dp pmetric.HistogramDataPoint, counts []uint64) bool {
	start := int64(dp.StartTimestamp())
	if dp.Count() < prev.count || len(counts) != len(prev.counts) || (start != 0 && prev.start != 0 && start != prev.start) {
		return false
	}
	p.scratch = p.scratch[:0]
	for i, n := range counts {
		if n < prev.counts[i] {
			return false
		}
		p.scratch = append(p.scratch, n-prev.counts[i])
	}
	copy(prev.counts, counts)
	prev.start, prev.time, prev.count = start, int64(dp.Timestamp()), dp.Count()
	return true
}

func (p *regressionProcessor) expHistograms(src *srcCtx, r *rule, h pmetric.ExponentialHistogram, c *counts) int64 {
	cumulative := h.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
	var maxT int64
	dps := h.DataPoints()
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if !admitted(p, src, dp, len(p.quantiles), c) {
			continue
		}
		maxT = max(maxT, int64(dp.Timestamp()))
		pos := expBucket{dp.Positive().Offset(), dp.Positive().BucketCounts().AsRaw()}
		neg := expBucket{dp.Negative().Offset(), dp.Negative().BucketCounts().AsRaw()}
		zero := dp.ZeroCount()
		if cumulative {
			var ok bool
			if pos, neg, zero, ok = p.expInterval(src, dp, pos, neg, zero, c); !ok {
				continue
			}
		}
		scale := dp.Scale()
		p.observeQuantiles(src, r, origin{dp.Attributes(), dp.StartTimestamp(), dp.Timestamp()}, c, func(q float64) (float64, bool) {
			return exponentialQuantile(q, scale, zero, pos, neg)
		})
	}
	return maxT
}

// expInterval returns the buckets of the interval a cumulative exponential
// histogram point closes; false when the point is out of order or only sets
// the reference (first point, reset, change of scale), counted.
func (p *regressionProcessor) expInterval(src *srcCtx, dp pmetric.ExponentialHistogramDataPoint, pos, neg expBucket, zero uint64, c *counts) (dpos, dneg expBucket, dzero uint64, ok bool) {
	t := int64(dp.Timestamp())
	prev, created := p.histRef(src, dp.Attributes(), t)
	if !created && t <= prev.time {
		c.skipped[skipOutOfOrder] += int64(len(p.quantiles))
		return dpos, dneg, 0, false
	}
	if !created {
		if dpos, dneg, dzero, ok = p.expDelta(prev, dp, pos, neg, zero); ok {
			return dpos, dneg, dzero, true
		}
	}
	*prev = histPrev{
		start: int64(dp.StartTimestamp()), time: t, count: dp.Count(), scale: dp.Scale(), zero: zero,
		pos: expBucket{pos.offset, append(prev.pos.counts[:0], pos.counts...)},
		neg: expBucket{neg.offset, append(prev.neg.counts[:0], neg.counts...)},
	}
	p.reference(created, c)
	return dpos, dneg, 0, false
}

// expDelta returns the per-interval buckets of a cumulative exponential
// histogram and moves prev forward; ok is false on a reset or a change of
// scale.
func (p *regressionProcessor) expDelta(prev *histPrev, dp pmetric.ExponentialHistogramDataPoint, pos, neg expBucket, zero uint64) (dpos, dneg expBucket, dzero uint64, ok bool) {
	start := int64(dp.StartTimestamp())
	if dp.Scale() != prev.scale || dp.Count() < prev.count || zero < prev.zero || (start != 0 && prev.start != 0 && start != prev.start) {
		return dpos, dneg, 0, false
	}
	p.scratch, ok = subBuckets(p.scratch[:0], pos, prev.pos)
	if !ok {
		return dpos, dneg, 0, false
	}
	p.scratchN, ok = subBuckets(p.scratchN[:0], neg, prev.neg)
	if !ok {
		return dpos, dneg, 0, false
	}
	dpos, dneg, dzero = expBucket{pos.offset, p.scratch}, expBucket{neg.offset, p.scratchN}, zero-prev.zero
	prev.start, prev.time, prev.count, prev.zero = start, int64(dp.Timestamp()), dp.Count(), zero
	prev.pos = expBucket{pos.offset, append(prev.pos.counts[:0], pos.counts...)}
	prev.neg = expBucket{neg.offset, append(prev.neg.counts[:0], neg.counts...)}
	return dpos, dneg, dzero, true
}

// subBuckets appends cur − prev (aligned by bucket index) to dst; false when
// a bucket of prev decreased or fell outside cur's range.
func subBuckets(dst []uint64, cur, prev expBucket) ([]uint64, bool) {
	for i, n := range prev.counts {
		idx := prev.offset + int32(i)
		j := idx - cur.offset
		if n > 0 && (j < 0 || int(j) >= len(cur.counts) || cur.counts[j] < n) {
			return dst, false
		}
	}
	for i, n := range cur.counts {
		j := cur.offset + int32(i) - prev.offset
		if j >= 0 && int(j) < len(prev.counts) {
			n -= prev.counts[j]
		}
		dst = append(dst, n)
	}
	return dst, true
}
