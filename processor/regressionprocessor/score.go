package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/canary"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// sample is one value to score: series k (quantile q, or -1) of version ver,
// from the source point at.
type sample struct {
	at  *pointRec
	q   float64
	k   series.Key
	ver versionRef
	v   float64
}

// observe scores one value. A versioned value goes to the canary tracker
// first (engine.ObserveVersion): a canary's points and those of versions
// over a cap are judged by the comparison only.
func (p *regressionProcessor) observe(src *srcCtx, s *sample, c *counts) {
	var vd detector.Verdict
	if p.canary != nil && s.ver.hash != 0 {
		var cv canary.Verdict
		scored := p.eng.ObserveVersion(s.k, src.m.rule.model, p.canary, &canary.Point{
			Version: s.ver.hash, Name: s.ver.name(), Start: s.at.start, Time: s.at.ts, Value: s.v,
		}, &cv, &vd)
		c.countCanary(&cv)
		p.em.emitCanary(src, s.at, s.q, &cv, p.emitAll)
		if !scored {
			return
		}
	} else {
		p.eng.ObserveWith(s.k, src.m.rule.model, detector.Point{Time: s.at.ts, Value: s.v, Version: s.ver.hash}, &vd)
	}
	if p.count(&vd, c) {
		p.em.emit(src, s.at, s.q, &vd, p.emitAll, p.band)
	}
}
