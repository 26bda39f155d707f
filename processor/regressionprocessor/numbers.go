package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

func (p *regressionProcessor) numbers(src *srcCtx, r *rule, dps pmetric.NumberDataPointSlice, rate bool, c *counts) int64 {
	var maxT int64
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if !admitted(p, src, dp, 1, c) {
			continue
		}
		var v float64
		switch dp.ValueType() {
		case pmetric.NumberDataPointValueTypeInt:
			v = float64(dp.IntValue())
		case pmetric.NumberDataPointValueTypeDouble:
			v = dp.DoubleValue()
		default:
			continue
		}
		maxT = max(maxT, int64(dp.Timestamp()))
		k, ver := p.pointKey(src, dp.Attributes(), -1)
		if rate {
			p.observeRate(src, r, dp, k, ver.hash, v, c)
			continue
		}
		p.observe(src, r, &sample{at: origin{dp.Attributes(), dp.StartTimestamp(), dp.Timestamp()}, q: -1, k: k, ver: ver, v: v}, c)
	}
	return maxT
}

// observeRate scores a cumulative counter point as a rate. The canary
// comparison does not see counters: the engine keeps one counter reference
// per series, not per version.
func (p *regressionProcessor) observeRate(src *srcCtx, r *rule, dp pmetric.NumberDataPoint, k series.Key, ver uint64, v float64, c *counts) {
	vd, rs := p.eng.ObserveRate(k, r.model, int64(dp.StartTimestamp()), int64(dp.Timestamp()), v, ver)
	switch rs {
	case engine.RateFirst:
		c.skipped[skipFirstCumulative]++
		return
	case engine.RateReset:
		c.skipped[skipCounterReset]++
		return
	}
	if p.count(&vd, c) {
		p.em.emit(src, dp.Attributes(), -1, dp.Timestamp(), &vd, p.emitAll, p.band)
	}
}
