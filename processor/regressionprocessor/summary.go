package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import "math"

// quantileTolerance: a summary's quantile matches a configured one when they
// differ by less than this, so 0.95 matches however it was encoded while
// 0.95 and 0.951 stay apart.
const quantileTolerance = 1e-9

// summaries scores the configured quantiles each summary point carries, each
// its own series, keyed like a histogram quantile of the same metric. The
// source computed them over its own sliding window, so they are scored as
// reported, whatever the point's start time. A configured quantile the point
// lacks is counted (missing_quantile).
func (p *regressionProcessor) summaries(src *srcCtx, c *counts) int64 {
	return p.points(src, c, func(pt *pointRec) {
		k, ver := p.pointKey(src, pt.attrs, -1)
		qvs := src.b.f64Of(pt.a)
		for qi, q := range p.quantiles {
			v, ok := summaryQuantile(qvs, q)
			if !ok {
				c.skipped[skipMissingQuantile]++
				continue
			}
			p.observe(src, &sample{at: pt, q: q, k: k.Add(p.qkeys[qi]), ver: ver, v: v}, c)
		}
	})
}

// summaryQuantile returns the value of quantile q in qvs, quantile/value
// pairs.
func summaryQuantile(qvs []float64, q float64) (float64, bool) {
	for i := 0; i+1 < len(qvs); i += 2 {
		if math.Abs(qvs[i]-q) < quantileTolerance {
			return qvs[i+1], true
		}
	}
	return 0, false
}
