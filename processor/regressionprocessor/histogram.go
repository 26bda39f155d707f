package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"math"

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
func (p *regressionProcessor) observeQuantiles(src *srcCtx, pt *pointRec, c *counts, quantile func(q float64) (float64, bool)) {
	k, ver := p.pointKey(src, pt.attrs, -1)
	for qi, q := range p.quantiles {
		v, ok := quantile(q)
		if !ok {
			c.skipped[skipEmptyHistogram] += int64(len(p.quantiles))
			return
		}
		p.observe(src, &sample{at: pt, q: q, k: k.Add(p.qkeys[qi]), ver: ver, v: v}, c)
	}
}

// histRef returns the previous cumulative histogram of a point's series.
// It is kept per version: two versions reporting side by side are two
// cumulative streams.
func (p *regressionProcessor) histRef(src *srcCtx, pt *pointRec) (*histPrev, bool) {
	k, ver := p.pointKey(src, pt.attrs, -1)
	prev, res, _ := p.hists.Get(k.Add(series.Key{Lo: ver.hash}), pt.ts) // never fails: eviction is on
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

// points returns the points of the metric being scored that are not dated
// after the horizon, counting the others, and the latest data time.
func (p *regressionProcessor) points(src *srcCtx, c *counts, fn func(pt *pointRec)) int64 {
	var maxT int64
	pts := src.b.points[src.m.points.off:src.m.points.end()]
	for i := range pts {
		pt := &pts[i]
		if !p.admit(pt.ts, len(p.quantiles), c) {
			continue
		}
		maxT = max(maxT, pt.ts)
		fn(pt)
	}
	return maxT
}

func (p *regressionProcessor) histograms(src *srcCtx, c *counts) int64 {
	b := src.b
	return p.points(src, c, func(pt *pointRec) {
		counts, lo, hi := b.u64Of(pt.a), pt.min, pt.max
		if src.m.cumulative {
			var ok bool
			if counts, ok = p.explicitInterval(src, pt, counts, c); !ok {
				return
			}
			lo, hi = math.NaN(), math.NaN() // min and max are of the whole stream
		}
		bounds := b.f64Of(pt.b)
		p.observeQuantiles(src, pt, c, func(q float64) (float64, bool) {
			return explicitQuantile(q, bounds, counts, lo, hi)
		})
	})
}

// explicitInterval returns the bucket counts of the interval a cumulative
// histogram point closes (its counts − its series' previous point's); false
// when the point is out of order or only sets the reference (first point,
// reset), counted.
func (p *regressionProcessor) explicitInterval(src *srcCtx, pt *pointRec, counts []uint64, c *counts) ([]uint64, bool) {
	prev, created := p.histRef(src, pt)
	switch {
	case !created && pt.ts <= prev.time:
		c.skipped[skipOutOfOrder] += int64(len(p.quantiles))
		return nil, false
	case created || !p.histDelta(prev, pt, counts):
		*prev = histPrev{start: pt.start, time: pt.ts, count: pt.count, counts: append(prev.counts[:0], counts...)}
		p.reference(created, c)
		return nil, false
	}
	return p.scratch, true
}

// histDelta puts counts − prev into p.scratch and moves prev forward; false
// on a reset (new start, fewer observations, other buckets).
func (p *regressionProcessor) histDelta(prev *histPrev, pt *pointRec, counts []uint64) bool {
	if pt.count < prev.count || len(counts) != len(prev.counts) || (pt.start != 0 && prev.start != 0 && pt.start != prev.start) {
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
	prev.start, prev.time, prev.count = pt.start, pt.ts, pt.count
	return true
}

func (p *regressionProcessor) expHistograms(src *srcCtx, c *counts) int64 {
	b := src.b
	return p.points(src, c, func(pt *pointRec) {
		pos, neg, zero := expBucket{pt.posOff, b.u64Of(pt.a)}, expBucket{pt.negOff, b.u64Of(pt.b)}, pt.zero
		if src.m.cumulative {
			var ok bool
			if pos, neg, zero, ok = p.expInterval(src, pt, pos, neg, c); !ok {
				return
			}
		}
		p.observeQuantiles(src, pt, c, func(q float64) (float64, bool) {
			return exponentialQuantile(q, pt.scale, zero, pos, neg)
		})
	})
}

// expInterval returns the buckets of the interval a cumulative exponential
// histogram point closes; false when the point is out of order or only sets
// the reference (first point, reset, change of scale), counted.
func (p *regressionProcessor) expInterval(src *srcCtx, pt *pointRec, pos, neg expBucket, c *counts) (dpos, dneg expBucket, dzero uint64, ok bool) {
	prev, created := p.histRef(src, pt)
	if !created && pt.ts <= prev.time {
		c.skipped[skipOutOfOrder] += int64(len(p.quantiles))
		return dpos, dneg, 0, false
	}
	if !created {
		if dpos, dneg, dzero, ok = p.expDelta(prev, pt, pos, neg); ok {
			return dpos, dneg, dzero, true
		}
	}
	*prev = histPrev{
		start: pt.start, time: pt.ts, count: pt.count, scale: pt.scale, zero: pt.zero,
		pos: expBucket{pos.offset, append(prev.pos.counts[:0], pos.counts...)},
		neg: expBucket{neg.offset, append(prev.neg.counts[:0], neg.counts...)},
	}
	p.reference(created, c)
	return dpos, dneg, 0, false
}

// expDelta returns the per-interval buckets of a cumulative exponential
// histogram and moves prev forward; ok is false on a reset or a change of
// scale.
func (p *regressionProcessor) expDelta(prev *histPrev, pt *pointRec, pos, neg expBucket) (dpos, dneg expBucket, dzero uint64, ok bool) {
	if pt.scale != prev.scale || pt.count < prev.count || pt.zero < prev.zero || (pt.start != 0 && prev.start != 0 && pt.start != prev.start) {
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
	dpos, dneg, dzero = expBucket{pos.offset, p.scratch}, expBucket{neg.offset, p.scratchN}, pt.zero-prev.zero
	prev.start, prev.time, prev.count, prev.zero = pt.start, pt.ts, pt.count, pt.zero
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
