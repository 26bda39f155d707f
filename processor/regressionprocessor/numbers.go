package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

func (p *regressionProcessor) numbers(src *srcCtx, c *counts) int64 {
	var maxT int64
	pts := src.b.points[src.m.points.off:src.m.points.end()]
	for i := range pts {
		pt := &pts[i]
		if !p.admit(pt.ts, 1, c) {
			continue
		}
		maxT = max(maxT, pt.ts)
		k, ver := p.pointKey(src, pt.attrs, -1)
		if src.m.rate {
			p.observeRate(src, pt, k, ver.hash, c)
			continue
		}
		p.observe(src, &sample{at: pt, q: -1, k: k, ver: ver, v: pt.value}, c)
	}
	return maxT
}

// observeRate scores a cumulative counter point as a rate. The canary
// comparison does not see counters: the engine keeps one counter reference
// per series, not per version.
func (p *regressionProcessor) observeRate(src *srcCtx, pt *pointRec, k series.Key, ver uint64, c *counts) {
	var vd detector.Verdict
	switch p.eng.ObserveRate(k, src.m.rule.model, pt.start, pt.ts, pt.value, ver, &vd) {
	case engine.RateFirst:
		c.skipped[skipFirstCumulative]++
		return
	case engine.RateReset:
		c.skipped[skipCounterReset]++
		return
	}
	if p.count(&vd, c) {
		p.em.emit(src, pt, -1, &vd, p.emitAll, p.band)
	}
}
