package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

// quantileTolerance: a summary's quantile matches a configured one when they
// differ by less than this, so 0.95 matches however it was encoded while
// 0.95 and 0.951 stay apart.
const quantileTolerance = 1e-9

// summaries scores the configured quantiles each summary point carries, each
// its own series, keyed like a histogram quantile of the same metric. The
// source computed them over its own sliding window, so they are scored as
// reported, whatever the point's start time. A configured quantile the point
// lacks is counted (missing_quantile).
func (p *regressionProcessor) summaries(src *srcCtx, r *rule, dps pmetric.SummaryDataPointSlice, c *counts) int64 {
	var maxT int64
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if !admitted(p, src, dp, len(p.quantiles), c) {
			continue
		}
		maxT = max(maxT, int64(dp.Timestamp()))
		k, ver := p.pointKey(src, dp.Attributes(), -1)
		at := origin{dp.Attributes(), dp.StartTimestamp(), dp.Timestamp()}
		qvs := dp.QuantileValues()
		for qi, q := range p.quantiles {
			v, ok := summaryQuantile(qvs, q)
			if !ok {
				c.skipped[skipMissingQuantile]++
				continue
			}
			p.observe(src, r, &sample{at: at, q: q, k: k.Add(p.qkeys[qi]), ver: ver, v: v}, c)
		}
	}
	return maxT
}

// summaryQuantile returns the value of quantile q in qvs.
func summaryQuantile(qvs pmetric.SummaryDataPointValueAtQuantileSlice, q float64) (float64, bool) {
	for i := 0; i < qvs.Len(); i++ {
		if qv := qvs.At(i); math.Abs(qv.Quantile()-q) < quantileTolerance {
			return qv.Value(), true
		}
	}
	return 0, false
}
