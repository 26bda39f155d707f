package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/canary"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
)

// Derived series names and attributes (see README.md, "Derived series").
const (
	MetricScore        = "aiops.anomaly.score"
	MetricExpected     = "aiops.baseline.expected"
	MetricLower        = "aiops.baseline.lower"
	MetricUpper        = "aiops.baseline.upper"
	MetricAnomaly      = "aiops.anomaly"
	MetricTimeToLimit  = "aiops.forecast.time_to_limit"
	MetricCanaryScore  = "aiops.canary.score"
	MetricCanaryEffect = "aiops.canary.effect_size"
	MetricCanaryChange = "aiops.canary.relative_change"

	AttrMetricName      = "aiops.metric.name"
	AttrMetricUnit      = "aiops.metric.unit"
	AttrQuantile        = "aiops.quantile"
	AttrKind            = "aiops.anomaly.kind"
	AttrDirection       = "aiops.anomaly.direction"
	AttrState           = "aiops.anomaly.state"
	AttrCanaryVersion   = "aiops.canary.version"
	AttrBaselineVersion = "aiops.canary.baseline_version"
)

const (
	idxScore = iota
	idxExpected
	idxLower
	idxUpper
	idxAnomaly
	idxTTL
	idxCanaryScore
	idxCanaryEffect
	idxCanaryChange
	numDerived
)

var derivedDefs = [numDerived]struct{ name, desc, unit string }{
	{MetricScore, "Anomaly score in [0, 1] of the source series (aiops.metric.name); an anomaly opens at the threshold.", "1"},
	{MetricExpected, "Value the baseline expected for the source series (in its unit, per second for counters).", ""},
	{MetricLower, "Lower edge of the normal band of the source series.", ""},
	{MetricUpper, "Upper edge of the normal band of the source series.", ""},
	{MetricAnomaly, "Anomaly event of the source series: 1 while open (state open, then ongoing), 0 on close.", "1"},
	{MetricTimeToLimit, "Forecast time until the source series reaches its configured limit.", "s"},
	{MetricCanaryScore, "Score in [0, 1] of the canary version (aiops.canary.version) against the baseline version running side by side: 0 unless the rank test and the effect-size gates flag it.", "1"},
	{MetricCanaryEffect, "Cliff's delta in [-1, 1] of the canary's window against the baseline's points over the same span: positive when the canary is higher.", "1"},
	{MetricCanaryChange, "Relative change of the canary's median against the baseline's (0.3 = 30 % higher).", "1"},
}

// emitter builds the derived series into a separate pmetric.Metrics, one
// resource and scope per source resource and scope that produced any, so
// they keep the source's identity; it is used under the processor's mutex.
type emitter struct {
	out      pmetric.Metrics
	b        *batch
	srcRes   *resourceRec
	srcScope *scopeRec
	rm       pmetric.ResourceMetrics
	sm       pmetric.ScopeMetrics
	haveRM   bool
	haveSM   bool
	metrics  [numDerived]pmetric.Metric
	haveM    [numDerived]bool
	base     pcommon.Map
	baseInit bool
}

func (e *emitter) beginResource(out pmetric.Metrics, b *batch, res *resourceRec) {
	e.out, e.b, e.srcRes, e.haveRM = out, b, res, false
}

func (e *emitter) beginScope(sc *scopeRec) {
	e.srcScope, e.haveSM = sc, false
	e.haveM = [numDerived]bool{}
}

func (e *emitter) metric(i int) pmetric.Metric {
	if e.haveM[i] {
		return e.metrics[i]
	}
	if !e.haveRM {
		e.rm = e.out.ResourceMetrics().AppendEmpty()
		e.b.putAttrs(e.rm.Resource().Attributes(), e.srcRes.attrs)
		e.rm.SetSchemaUrl(e.srcRes.schemaURL)
		e.haveRM = true
	}
	if !e.haveSM {
		e.sm = e.rm.ScopeMetrics().AppendEmpty()
		sc := e.sm.Scope()
		sc.SetName(e.srcScope.name)
		sc.SetVersion(e.srcScope.version)
		e.b.putAttrs(sc.Attributes(), e.srcScope.attrs)
		e.sm.SetSchemaUrl(e.srcScope.schemaURL)
		e.haveSM = true
	}
	m := e.sm.Metrics().AppendEmpty()
	d := derivedDefs[i]
	m.SetName(d.name)
	m.SetDescription(d.desc)
	m.SetUnit(d.unit)
	m.SetEmptyGauge()
	e.metrics[i], e.haveM[i] = m, true
	return m
}

// emit adds the derived points of one verdict: the score and the band for
// every evaluated point (all) or only while an anomaly is open or closes
// (anomalous), plus the anomaly event on open/ongoing/close and the time to
// limit when a limit is forecast.
func (e *emitter) emit(src *srcCtx, pt *pointRec, q float64, vd *detector.Verdict, all, band bool) {
	if !all && vd.Decision == detector.DecisionNormal {
		return
	}
	ts := pcommon.Timestamp(pt.ts)
	e.setBase(src, pt, q)
	e.point(idxScore, ts).SetDoubleValue(vd.Score)
	if band && isFinite(vd.Expected) {
		e.point(idxExpected, ts).SetDoubleValue(vd.Expected)
		e.point(idxLower, ts).SetDoubleValue(vd.Lower)
		e.point(idxUpper, ts).SetDoubleValue(vd.Upper)
	}
	if isFinite(vd.TimeToLimit) {
		e.point(idxTTL, ts).SetDoubleValue(vd.TimeToLimit)
	}
	if vd.Decision != detector.DecisionNormal {
		e.event(ts, vd.Decision, vd.Kind.String(), vd.Direction)
	}
}

// emitCanary adds the derived points of the canary comparison: its score,
// effect size and relative change for each comparison made (all) or only
// while the canary is flagged and when it stops being flagged (anomalous),
// plus the anomaly event of kind canary on open, ongoing and close. They
// carry the names of both versions compared.
func (e *emitter) emitCanary(src *srcCtx, pt *pointRec, q float64, cv *canary.Verdict, all bool) {
	event := cv.Decision != detector.DecisionNormal
	if !event && (!all || !cv.Compared) {
		return
	}
	ts := pcommon.Timestamp(pt.ts)
	e.setBase(src, pt, q)
	e.base.PutStr(AttrCanaryVersion, cv.Version)
	e.base.PutStr(AttrBaselineVersion, cv.Baseline)
	if cv.Compared {
		e.point(idxCanaryScore, ts).SetDoubleValue(cv.Score)
		e.point(idxCanaryEffect, ts).SetDoubleValue(cv.Effect)
		if isFinite(cv.RelChange) { // ±Inf only for medians near ±MaxFloat64
			e.point(idxCanaryChange, ts).SetDoubleValue(cv.RelChange)
		}
	}
	if event {
		e.event(ts, cv.Decision, kindName(kindCanary), cv.Direction)
	}
}

// setBase sets the attributes every derived point of a source value
// carries: the source point's, its metric name and unit, and its quantile
// (q < 0: none).
func (e *emitter) setBase(src *srcCtx, pt *pointRec, q float64) {
	if !e.baseInit {
		e.base, e.baseInit = pcommon.NewMap(), true
	}
	e.base.Clear()
	src.b.putAttrs(e.base, pt.attrs)
	e.base.PutStr(AttrMetricName, src.m.name)
	if u := src.m.unit; u != "" {
		if src.m.rate {
			u += "/s"
		}
		e.base.PutStr(AttrMetricUnit, u)
	}
	if q >= 0 {
		e.base.PutDouble(AttrQuantile, q)
	}
}

// event adds an anomaly event: 1 on open and ongoing, 0 on close.
func (e *emitter) event(ts pcommon.Timestamp, d detector.Decision, kind string, dir detector.Direction) {
	dp := e.point(idxAnomaly, ts)
	if d == detector.DecisionClose {
		dp.SetIntValue(0)
	} else {
		dp.SetIntValue(1)
	}
	a := dp.Attributes()
	a.PutStr(AttrKind, kind)
	a.PutStr(AttrDirection, dir.String())
	a.PutStr(AttrState, d.String())
}

func (e *emitter) point(i int, ts pcommon.Timestamp) pmetric.NumberDataPoint {
	dp := e.metric(i).Gauge().DataPoints().AppendEmpty()
	e.base.CopyTo(dp.Attributes())
	dp.SetTimestamp(ts)
	return dp
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
