package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// batch is what detection needs of the watched data points of one request,
// copied out of the pdata on the request's path (capture) so that the
// request goes on at once and detection runs beside it, on the detection
// worker (queue.go). It is a flat tree: resources hold spans of scopes,
// scopes of metrics, metrics of points, all in the order of the request, so
// detection sees the points in the order a synchronous pass would. Strings
// are shared, not copied: pdata strings are immutable Go strings. Batches
// are pooled; reset keeps their capacity.
type batch struct {
	wall      time.Time // when the request arrived: the horizon of future timestamps
	resources []resourceRec
	scopes    []scopeRec
	metrics   []metricRec
	points    []pointRec
	attrs     []attrRec
	others    []pcommon.Value // attribute values that are not a string, int, double or bool
	u64       []uint64        // histogram bucket counts
	f64       []float64       // explicit bounds; summary quantile/value pairs
	values    int             // values to score: a histogram or summary point counts one per quantile
	weight    int64           // queue slots held (values, capped at the queue's size)
	done      chan struct{}   // a barrier's: closed when the worker reaches it
}

// span is a range of one of a batch's slices.
type span struct{ off, n int32 }

func (s span) end() int32 { return s.off + s.n }

type resourceRec struct {
	attrs     span
	schemaURL string
	scopes    span
}

type scopeRec struct {
	name, version, schemaURL string
	attrs                    span
	metrics                  span
}

type metricRec struct {
	name, unit string
	rule       *rule
	typ        pmetric.MetricType
	rate       bool // a cumulative monotonic sum, scored as a rate per second
	cumulative bool // a cumulative histogram
	points     span
}

// pointRec is one data point of any type; the fields a type lacks are zero.
type pointRec struct {
	attrs     span
	start, ts int64
	value     float64 // gauge and sum
	count     uint64  // histograms: observations
	min, max  float64 // explicit histogram (delta): NaN when absent
	zero      uint64  // exponential histogram: zero count
	scale     int32   // exponential histogram
	posOff    int32   // exponential histogram: offset of a
	negOff    int32   // exponential histogram: offset of b
	// a and b: explicit histogram: bucket counts (u64) and bounds (f64);
	// exponential: positive and negative bucket counts (u64); summary:
	// quantile/value pairs (f64) in a.
	a, b span
}

// attrRec is one attribute. Types other than string, int, double and bool keep
// a copy of their value in batch.others (num is its index) and their
// AsString form in str, which is what the series key hashes.
type attrRec struct {
	key string
	str string
	num uint64 // int, float64 bits, bool (0/1), or index into others
	typ pcommon.ValueType
}

func (b *batch) reset() {
	b.resources, b.scopes, b.metrics, b.points = b.resources[:0], b.scopes[:0], b.metrics[:0], b.points[:0]
	clear(b.others) // do not pin the values of an old request
	b.attrs, b.others, b.u64, b.f64 = b.attrs[:0], b.others[:0], b.u64[:0], b.f64[:0]
	b.values, b.weight, b.done = 0, 0, nil
}

// addAttrs appends the attributes of m and returns their span.
func (b *batch) addAttrs(m pcommon.Map) span {
	s := span{off: int32(len(b.attrs)), n: int32(m.Len())}
	m.Range(func(k string, v pcommon.Value) bool {
		b.attrs = append(b.attrs, attrRec{})
		a := &b.attrs[len(b.attrs)-1]
		a.key, a.typ = k, v.Type()
		switch v.Type() {
		case pcommon.ValueTypeStr:
			a.str = v.Str()
		case pcommon.ValueTypeInt:
			a.num = uint64(v.Int())
		case pcommon.ValueTypeDouble:
			a.num = math.Float64bits(v.Double())
		case pcommon.ValueTypeBool:
			if v.Bool() {
				a.num = 1
			}
		default:
			a.str, a.num = v.AsString(), uint64(len(b.others))
			c := pcommon.NewValueEmpty()
			v.CopyTo(c)
			b.others = append(b.others, c)
		}
		return true
	})
	return s
}

// addPoint appends a zero point and returns it. Its fields are written in
// place: a record built apart and appended is copied with wide loads from
// narrow stores, which stall (BenchmarkCapture 24.6 → 15.9 ns/point).
func (b *batch) addPoint() *pointRec {
	b.points = append(b.points, pointRec{})
	return &b.points[len(b.points)-1]
}

func (b *batch) attrsOf(s span) []attrRec { return b.attrs[s.off:s.end()] }

// value returns attribute a as a pcommon.Value.
func (b *batch) value(a *attrRec) pcommon.Value {
	switch a.typ {
	case pcommon.ValueTypeStr:
		return pcommon.NewValueStr(a.str)
	case pcommon.ValueTypeInt:
		return pcommon.NewValueInt(int64(a.num))
	case pcommon.ValueTypeDouble:
		return pcommon.NewValueDouble(math.Float64frombits(a.num))
	case pcommon.ValueTypeBool:
		return pcommon.NewValueBool(a.num == 1)
	}
	return b.others[a.num]
}

// putAttrs puts the attributes of span s into m (after what m holds).
func (b *batch) putAttrs(m pcommon.Map, s span) {
	for i := s.off; i < s.end(); i++ {
		a := &b.attrs[i]
		switch a.typ {
		case pcommon.ValueTypeStr:
			m.PutStr(a.key, a.str)
		case pcommon.ValueTypeInt:
			m.PutInt(a.key, int64(a.num))
		case pcommon.ValueTypeDouble:
			m.PutDouble(a.key, math.Float64frombits(a.num))
		case pcommon.ValueTypeBool:
			m.PutBool(a.key, a.num == 1)
		default:
			b.others[a.num].CopyTo(m.PutEmpty(a.key))
		}
	}
}

// addU64 appends v (not through AsRaw, which copies).
func (b *batch) addU64(v pcommon.UInt64Slice) span {
	s := span{off: int32(len(b.u64)), n: int32(v.Len())}
	for _, x := range v.All() {
		b.u64 = append(b.u64, x)
	}
	return s
}

func (b *batch) addF64(v pcommon.Float64Slice) span {
	s := span{off: int32(len(b.f64)), n: int32(v.Len())}
	for _, x := range v.All() {
		b.f64 = append(b.f64, x)
	}
	return s
}

func (b *batch) u64Of(s span) []uint64  { return b.u64[s.off:s.end()] }
func (b *batch) f64Of(s span) []float64 { return b.f64[s.off:s.end()] }

// mark is the length of every slice of a batch, to undo what capture
// appended for a resource, scope or metric that had no watched point.
type mark struct{ resources, scopes, metrics, attrs, others int }

func (b *batch) mark() mark {
	return mark{len(b.resources), len(b.scopes), len(b.metrics), len(b.attrs), len(b.others)}
}

func (b *batch) undo(m mark) {
	b.resources, b.scopes, b.metrics = b.resources[:m.resources], b.scopes[:m.scopes], b.metrics[:m.metrics]
	clear(b.others[m.others:])
	b.attrs, b.others = b.attrs[:m.attrs], b.others[:m.others]
}

// capture appends the watched data points of md to b.
func (p *regressionProcessor) capture(md pmetric.Metrics, b *batch) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		m := b.mark()
		b.resources = append(b.resources, resourceRec{attrs: b.addAttrs(rm.Resource().Attributes()), schemaURL: rm.SchemaUrl()})
		scopes := span{off: int32(len(b.scopes))}
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			if p.captureScope(rm, sms.At(j), b) {
				scopes.n++
			}
		}
		if scopes.n == 0 {
			b.undo(m)
			continue
		}
		b.resources[len(b.resources)-1].scopes = scopes
	}
}

func (p *regressionProcessor) captureScope(rm pmetric.ResourceMetrics, sm pmetric.ScopeMetrics, b *batch) bool {
	m := b.mark()
	sc := sm.Scope()
	b.scopes = append(b.scopes, scopeRec{name: sc.Name(), version: sc.Version(), schemaURL: sm.SchemaUrl(), attrs: b.addAttrs(sc.Attributes())})
	metrics := span{off: int32(len(b.metrics))}
	ms := sm.Metrics()
	for k := 0; k < ms.Len(); k++ {
		if p.captureMetric(rm, sm, ms.At(k), b) {
			metrics.n++
		}
	}
	if metrics.n == 0 {
		b.undo(m)
		return false
	}
	b.scopes[len(b.scopes)-1].metrics = metrics
	return true
}

func (p *regressionProcessor) captureMetric(rm pmetric.ResourceMetrics, sm pmetric.ScopeMetrics, m pmetric.Metric, b *batch) bool {
	r := p.sel.rule(m.Name())
	if !r.watched {
		return false
	}
	rec := metricRec{name: m.Name(), unit: m.Unit(), rule: r, typ: m.Type()}
	in := selectCtx{rm: rm, sm: sm, m: m}
	n0 := len(b.points)
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		p.captureNumbers(&in, m.Gauge().DataPoints(), b)
	case pmetric.MetricTypeSum:
		s := m.Sum()
		rec.rate = s.IsMonotonic() && s.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		p.captureNumbers(&in, s.DataPoints(), b)
	case pmetric.MetricTypeHistogram:
		h := m.Histogram()
		rec.cumulative = h.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		p.captureHistograms(&in, h.DataPoints(), b)
	case pmetric.MetricTypeExponentialHistogram:
		h := m.ExponentialHistogram()
		rec.cumulative = h.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		p.captureExpHistograms(&in, h.DataPoints(), b)
	case pmetric.MetricTypeSummary:
		p.captureSummaries(&in, m.Summary().DataPoints(), b)
	}
	if len(b.points) == n0 {
		return false
	}
	rec.points = span{off: int32(n0), n: int32(len(b.points) - n0)}
	b.metrics = append(b.metrics, rec)
	return true
}

func (p *regressionProcessor) captureNumbers(in *selectCtx, dps pmetric.NumberDataPointSlice, b *batch) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		var v float64
		switch dp.ValueType() {
		case pmetric.NumberDataPointValueTypeInt:
			v = float64(dp.IntValue())
		case pmetric.NumberDataPointValueTypeDouble:
			v = dp.DoubleValue()
		default:
			continue
		}
		if !watchedPoint(p, in, dp) {
			continue
		}
		pt := b.addPoint()
		pt.attrs, pt.start, pt.ts, pt.value = b.addAttrs(dp.Attributes()), int64(dp.StartTimestamp()), int64(dp.Timestamp()), v
		b.values++
	}
}

func (p *regressionProcessor) captureHistograms(in *selectCtx, dps pmetric.HistogramDataPointSlice, b *batch) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if !watchedPoint(p, in, dp) {
			continue
		}
		pt := b.addPoint()
		pt.attrs, pt.start, pt.ts = b.addAttrs(dp.Attributes()), int64(dp.StartTimestamp()), int64(dp.Timestamp())
		pt.count, pt.min, pt.max = dp.Count(), math.NaN(), math.NaN()
		pt.a, pt.b = b.addU64(dp.BucketCounts()), b.addF64(dp.ExplicitBounds())
		if dp.HasMin() {
			pt.min = dp.Min()
		}
		if dp.HasMax() {
			pt.max = dp.Max()
		}
		b.values += len(p.quantiles)
	}
}

func (p *regressionProcessor) captureExpHistograms(in *selectCtx, dps pmetric.ExponentialHistogramDataPointSlice, b *batch) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if !watchedPoint(p, in, dp) {
			continue
		}
		pos, neg := dp.Positive(), dp.Negative()
		pt := b.addPoint()
		pt.attrs, pt.start, pt.ts = b.addAttrs(dp.Attributes()), int64(dp.StartTimestamp()), int64(dp.Timestamp())
		pt.count, pt.zero, pt.scale = dp.Count(), dp.ZeroCount(), dp.Scale()
		pt.posOff, pt.a = pos.Offset(), b.addU64(pos.BucketCounts())
		pt.negOff, pt.b = neg.Offset(), b.addU64(neg.BucketCounts())
		b.values += len(p.quantiles)
	}
}

func (p *regressionProcessor) captureSummaries(in *selectCtx, dps pmetric.SummaryDataPointSlice, b *batch) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if !watchedPoint(p, in, dp) {
			continue
		}
		qvs := dp.QuantileValues()
		qs := span{off: int32(len(b.f64)), n: int32(2 * qvs.Len())}
		for j := 0; j < qvs.Len(); j++ {
			b.f64 = append(b.f64, qvs.At(j).Quantile(), qvs.At(j).Value())
		}
		pt := b.addPoint()
		pt.attrs, pt.start, pt.ts, pt.a = b.addAttrs(dp.Attributes()), int64(dp.StartTimestamp()), int64(dp.Timestamp()), qs
		b.values += len(p.quantiles)
	}
}
