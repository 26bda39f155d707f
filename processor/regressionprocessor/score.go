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
// first: while versions run side by side the series' baseline follows the
// baseline version only, so a canary's points (judged by the comparison)
// and those of versions over a cap do not enter it.
func (p *regressionProcessor) observe(src *srcCtx, s *sample, c *counts) {
	if p.canary != nil && s.ver.hash != 0 {
		cv := p.canary.Observe(s.k, &canary.Point{
			Version: s.ver.hash, Name: s.ver.name(), Start: s.at.start, Time: s.at.ts, Value: s.v,
		})
		c.countCanary(&cv)
		p.em.emitCanary(src, s.at, s.q, &cv, p.emitAll)
		if cv.Role == canary.RoleCanary || cv.Role == canary.RoleCapped {
			return
		}
	}
	vd := p.eng.ObserveWith(s.k, src.m.rule.model, detector.Point{Time: s.at.ts, Value: s.v, Version: s.ver.hash})
	if p.count(&vd, c) {
		p.em.emit(src, s.at, s.q, &vd, p.emitAll, p.band)
	}
}
