package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottldatapoint"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// Skip reasons (self-metric attribute values), built once.
var (
	attrInvalid      = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "invalid_value")))
	attrOutOfOrder   = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "out_of_order")))
	attrCounterReset = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "counter_reset")))
	attrEmptyHist    = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "empty_histogram")))
	attrFuture       = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "future_timestamp")))
	attrSave         = metric.WithAttributeSet(attribute.NewSet(attribute.String("operation", "save")))
	attrRestore      = metric.WithAttributeSet(attribute.NewSet(attribute.String("operation", "restore")))
	attrKinds        = func() []metric.AddOption {
		out := make([]metric.AddOption, detector.KindPostChange+1)
		for k := range out {
			out[k] = metric.WithAttributeSet(attribute.NewSet(attribute.String("kind", detector.Kind(k).String())))
		}
		return out
	}()
)

// ticker is the wall-clock ticker of the flush loop (injectable in tests).
type ticker interface {
	C() <-chan time.Time
	Stop()
}

type realTicker struct{ *time.Ticker }

func (t realTicker) C() <-chan time.Time { return t.Ticker.C }

type option func(*regressionProcessor)

// withClock replaces the wall clock and the tickers (tests).
func withClock(now func() time.Time, newTicker func(time.Duration) ticker) option {
	return func(p *regressionProcessor) { p.now, p.newTicker = now, newTicker }
}

type regressionProcessor struct {
	set    processor.Settings
	cfg    *Config
	next   consumer.Metrics
	tel    *metadata.TelemetryBuilder
	logger *zap.Logger

	now       func() time.Time
	newTicker func(time.Duration) ticker

	versionAttrs []string
	quantiles    []float64
	qkeys        []series.Key // quantileKey of each quantile
	emitAll      bool
	band         bool

	mu        sync.Mutex // guards everything below
	sel       *selector
	eng       *engine.Engine
	hists     *series.Table[histPrev]
	watermark int64     // the latest data time seen (Unix ns)
	horizon   int64     // points after this data time are skipped (wall clock + maxClockSkew)
	markWall  time.Time // wall time when the watermark last moved
	scratch   []uint64
	scratchN  []uint64
	em        emitter
	evicted   uint64 // engine evictions already reported

	active atomic.Int64

	client    storage.Client
	stopCh    chan struct{}
	doneCh    chan struct{}
	startOnce sync.Once
	shutOnce  sync.Once
}

func newProcessor(set processor.Settings, cfg *Config, next consumer.Metrics, opts ...option) (*regressionProcessor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sel, err := newSelector(cfg, set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	ec := engine.DefaultConfig()
	ec.MaxSeries, ec.IdleTTL = cfg.MaxSeries, cfg.IdleTTL
	eng, err := engine.New(ec)
	if err != nil {
		return nil, err
	}
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := &regressionProcessor{
		set:          set,
		cfg:          cfg,
		next:         next,
		tel:          tel,
		logger:       set.Logger,
		now:          time.Now,
		newTicker:    func(d time.Duration) ticker { return realTicker{time.NewTicker(d)} },
		versionAttrs: cfg.VersionAttributes,
		quantiles:    cfg.Quantiles,
		emitAll:      cfg.Emit.Mode == EmitAll,
		band:         cfg.Emit.Band,
		sel:          sel,
		eng:          eng,
		hists:        series.NewTable[histPrev](cfg.MaxSeries, cfg.IdleTTL),
	}
	for _, q := range p.quantiles {
		p.qkeys = append(p.qkeys, quantileKey(q))
	}
	for _, o := range opts {
		o(p)
	}
	err = tel.RegisterProcessorRegressionSeriesActiveCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(p.active.Load())
		return nil
	})
	if err != nil {
		tel.Shutdown()
		return nil, err
	}
	return p, nil
}

func (*regressionProcessor) Capabilities() consumer.Capabilities {
	// The input is not changed, but derived series are appended to it.
	return consumer.Capabilities{MutatesData: true}
}

// Start restores the baselines from the storage extension (if configured)
// and starts the flush loop.
func (p *regressionProcessor) Start(ctx context.Context, host component.Host) error {
	if p.cfg.Storage != nil {
		ext, ok := host.GetExtensions()[*p.cfg.Storage]
		if !ok {
			return fmt.Errorf("regression: storage extension %q not found (add it to service::extensions)", p.cfg.Storage)
		}
		se, ok := ext.(storage.Extension)
		if !ok {
			return fmt.Errorf("regression: extension %q is not a storage extension (use file_storage or another storage extension)", p.cfg.Storage)
		}
		client, err := se.GetClient(ctx, component.KindProcessor, p.set.ID, "")
		if err != nil {
			return fmt.Errorf("regression: storage %q: %w", p.cfg.Storage, err)
		}
		p.client = client
		p.restore(ctx)
	}
	p.startOnce.Do(func() {
		p.stopCh, p.doneCh = make(chan struct{}), make(chan struct{})
		go p.loop()
	})
	return nil
}

// Shutdown stops the loop, saves the baselines and closes the storage
// client. It is idempotent and safe without Start.
func (p *regressionProcessor) Shutdown(ctx context.Context) error {
	var err error
	p.shutOnce.Do(func() {
		if p.stopCh != nil {
			close(p.stopCh)
			<-p.doneCh
		}
		if p.client != nil {
			p.save(ctx)
			err = p.client.Close(ctx)
		}
		p.tel.Shutdown()
	})
	return err
}

func (p *regressionProcessor) loop() {
	defer close(p.doneCh)
	flush := p.newTicker(p.cfg.FlushInterval)
	defer flush.Stop()
	var snapC <-chan time.Time
	if p.client != nil {
		snap := p.newTicker(p.cfg.SnapshotInterval)
		defer snap.Stop()
		snapC = snap.C()
	}
	for {
		select {
		case <-p.stopCh:
			return
		case now := <-flush.C():
			p.flush(now)
		case <-snapC:
			p.save(context.Background())
		}
	}
}

// flush expires idle series. Idleness is measured in data time: the
// latest data time seen, advanced by the wall time elapsed since it was
// seen, so a replay of old data is not expired at once and a silent source
// still expires.
func (p *regressionProcessor) flush(wall time.Time) {
	p.mu.Lock()
	if p.markWall.IsZero() {
		p.mu.Unlock()
		return
	}
	now := time.Unix(0, p.watermark).Add(wall.Sub(p.markWall))
	n := p.eng.Expire(now)
	p.hists.Expire(now.UnixNano(), nil)
	p.active.Store(int64(p.eng.Len()))
	p.mu.Unlock()
	if n > 0 {
		p.tel.ProcessorRegressionSeriesExpired.Add(context.Background(), int64(n))
	}
}

// maxClockSkew is how far ahead of the wall clock a data timestamp may be.
// Later points are skipped (future_timestamp): scored, one would make every
// later point of its series out of order, hold its series from expiry and
// make every other series look idle.
const maxClockSkew = time.Hour

// counts are the per-batch self-metric increments, recorded once per batch.
type counts struct {
	evaluated, invalid, outOfOrder, reset, emptyHist, future int64
	opened                                                   [detector.KindPostChange + 1]int64
}

// ConsumeMetrics scores the watched data points, appends the derived
// series and passes everything on. The input series are not modified.
func (p *regressionProcessor) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	var c counts
	derived := pmetric.NewMetrics()
	p.mu.Lock()
	wall := p.now()
	p.horizon = wall.Add(maxClockSkew).UnixNano()
	maxT := p.process(md, derived, &c)
	if maxT > p.watermark {
		p.watermark, p.markWall = maxT, wall
	}
	st := p.eng.Stats()
	evicted := int64(st.Evicted - p.evicted)
	p.evicted = st.Evicted
	p.active.Store(int64(st.Series))
	p.mu.Unlock()
	p.record(ctx, &c, evicted)
	derived.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
	return p.next.ConsumeMetrics(ctx, md)
}

func (p *regressionProcessor) record(ctx context.Context, c *counts, evicted int64) {
	t := p.tel
	if c.evaluated > 0 {
		t.ProcessorRegressionPointsEvaluated.Add(ctx, c.evaluated)
	}
	if c.invalid > 0 {
		t.ProcessorRegressionPointsSkipped.Add(ctx, c.invalid, attrInvalid)
	}
	if c.outOfOrder > 0 {
		t.ProcessorRegressionPointsSkipped.Add(ctx, c.outOfOrder, attrOutOfOrder)
	}
	if c.reset > 0 {
		t.ProcessorRegressionPointsSkipped.Add(ctx, c.reset, attrCounterReset)
	}
	if c.emptyHist > 0 {
		t.ProcessorRegressionPointsSkipped.Add(ctx, c.emptyHist, attrEmptyHist)
	}
	if c.future > 0 {
		t.ProcessorRegressionPointsSkipped.Add(ctx, c.future, attrFuture)
	}
	for k, n := range c.opened {
		if n > 0 {
			t.ProcessorRegressionAnomaliesOpened.Add(ctx, n, attrKinds[k])
		}
	}
	if evicted > 0 {
		t.ProcessorRegressionSeriesEvicted.Add(ctx, evicted)
	}
}

// srcCtx is the identity of the data point being scored.
type srcCtx struct {
	rm     pmetric.ResourceMetrics
	sm     pmetric.ScopeMetrics
	m      pmetric.Metric
	prefix series.Key // hash of resource, scope and metric name
	resVer uint64
	rate   bool // a cumulative counter scored as a rate per second
}

// process walks md under the mutex and returns the latest data time seen.
func (p *regressionProcessor) process(md, derived pmetric.Metrics, c *counts) int64 {
	var maxT int64
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		resKey, resVer := p.hashAttrs(rm.Resource().Attributes())
		p.em.beginResource(derived, rm)
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			p.em.beginScope(sm)
			h := series.NewHasher()
			h.WriteUint64(resKey.Hi)
			h.WriteUint64(resKey.Lo)
			h.WriteString(sm.Scope().Name())
			h.WriteString(sm.Scope().Version())
			ms := sm.Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				r := p.sel.rule(m.Name())
				if !r.watched {
					continue
				}
				mh := h
				mh.WriteString(m.Name())
				src := srcCtx{rm: rm, sm: sm, m: m, prefix: mh.Key(), resVer: resVer}
				var t int64
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					t = p.numbers(&src, r, m.Gauge().DataPoints(), false, c)
				case pmetric.MetricTypeSum:
					s := m.Sum()
					src.rate = s.IsMonotonic() && s.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
					t = p.numbers(&src, r, s.DataPoints(), src.rate, c)
				case pmetric.MetricTypeHistogram:
					t = p.histograms(&src, r, m.Histogram(), c)
				case pmetric.MetricTypeExponentialHistogram:
					t = p.expHistograms(&src, r, m.ExponentialHistogram(), c)
				}
				maxT = max(maxT, t)
			}
		}
	}
	return maxT
}

// hashAttrs returns the order-independent hash of a map without the version
// attributes, and the hash of the first version attribute found (0 = none).
func (p *regressionProcessor) hashAttrs(m pcommon.Map) (key series.Key, version uint64) {
	m.Range(func(k string, v pcommon.Value) bool {
		for _, va := range p.versionAttrs {
			if k == va {
				if version == 0 {
					h := series.NewHasher()
					writeValue(&h, v)
					version = h.Key().Lo | 1 // never 0
				}
				return true
			}
		}
		h := series.NewHasher()
		h.WriteString(k)
		writeValue(&h, v)
		key = key.Add(h.Key())
		return true
	})
	return key, version
}

func writeValue(h *series.Hasher, v pcommon.Value) {
	_ = h.WriteByte(byte(v.Type()))
	switch v.Type() {
	case pcommon.ValueTypeStr:
		h.WriteString(v.Str())
	case pcommon.ValueTypeInt:
		h.WriteUint64(uint64(v.Int()))
	case pcommon.ValueTypeDouble:
		h.WriteUint64(math.Float64bits(v.Double()))
	case pcommon.ValueTypeBool:
		if v.Bool() {
			h.WriteUint64(1)
		} else {
			h.WriteUint64(0)
		}
	default:
		h.WriteString(v.AsString())
	}
}

// selected evaluates the OTTL conditions on one data point; callers check
// p.sel.conds != nil first (boxing dp allocates).
func (p *regressionProcessor) selected(src *srcCtx, dp any) bool {
	tc := ottldatapoint.NewTransformContext(src.rm, src.sm, src.m, dp)
	ok, err := p.sel.conds.Eval(context.Background(), tc)
	tc.Close()
	return err == nil && ok
}

// pointKey returns the series key of a data point (quantile index qi, or -1) and its
// version. The key is the lane-wise sum of the hash of resource, scope and
// name (itself a hash of the resource's attribute hash), of the point's
// attributes and of the quantile: each part is a 128-bit FNV-1a hash, so a
// collision is as unlikely as between random keys, and the sum costs no
// hashing per point.
func (p *regressionProcessor) pointKey(src *srcCtx, attrs pcommon.Map, qi int) (series.Key, uint64) {
	ak, ver := p.hashAttrs(attrs)
	if src.resVer != 0 {
		ver = src.resVer
	}
	k := src.prefix.Add(ak)
	if qi >= 0 {
		k = k.Add(p.qkeys[qi])
	}
	return k, ver
}

func quantileKey(q float64) series.Key {
	h := series.NewHasher()
	h.WriteString("aiops.quantile")
	h.WriteUint64(math.Float64bits(q))
	return h.Key()
}

func (p *regressionProcessor) numbers(src *srcCtx, r *rule, dps pmetric.NumberDataPointSlice, rate bool, c *counts) int64 {
	var maxT int64
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if dp.Flags().NoRecordedValue() || (p.sel.conds != nil && !p.selected(src, dp)) {
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
		t := int64(dp.Timestamp())
		if t > p.horizon {
			c.future++
			continue
		}
		maxT = max(maxT, t)
		k, ver := p.pointKey(src, dp.Attributes(), -1)
		var vd detector.Verdict
		if rate {
			var rs engine.RateSkip
			vd, rs = p.eng.ObserveRate(k, r.model, int64(dp.StartTimestamp()), t, v, ver)
			if rs == engine.RateReset {
				c.reset++
				continue
			}
		} else {
			vd = p.eng.ObserveWith(k, r.model, detector.Point{Time: t, Value: v, Version: ver})
		}
		if p.count(&vd, c) {
			p.em.emit(src, dp.Attributes(), -1, dp.Timestamp(), &vd, p.emitAll, p.band)
		}
	}
	return maxT
}

// count updates the batch counters and reports whether the verdict was
// evaluated.
func (p *regressionProcessor) count(vd *detector.Verdict, c *counts) bool {
	switch vd.Skip {
	case detector.SkipInvalid:
		c.invalid++
		return false
	case detector.SkipOutOfOrder:
		c.outOfOrder++
		return false
	}
	c.evaluated++
	if vd.Decision == detector.DecisionOpen && int(vd.Kind) < len(c.opened) {
		c.opened[vd.Kind]++
	}
	return true
}

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
// distribution.
func (p *regressionProcessor) observeQuantiles(src *srcCtx, r *rule, attrs pcommon.Map, ts pcommon.Timestamp, c *counts, quantile func(q float64) (float64, bool)) {
	for qi, q := range p.quantiles {
		v, ok := quantile(q)
		if !ok {
			c.emptyHist++
			return
		}
		k, ver := p.pointKey(src, attrs, qi)
		vd := p.eng.ObserveWith(k, r.model, detector.Point{Time: int64(ts), Value: v, Version: ver})
		if p.count(&vd, c) {
			p.em.emit(src, attrs, q, ts, &vd, p.emitAll, p.band)
		}
	}
}

func (p *regressionProcessor) histograms(src *srcCtx, r *rule, h pmetric.Histogram, c *counts) int64 {
	cumulative := h.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
	var maxT int64
	dps := h.DataPoints()
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if dp.Flags().NoRecordedValue() || (p.sel.conds != nil && !p.selected(src, dp)) {
			continue
		}
		t := int64(dp.Timestamp())
		if t > p.horizon {
			c.future += int64(len(p.quantiles))
			continue
		}
		maxT = max(maxT, t)
		counts := dp.BucketCounts().AsRaw()
		lo, hi := math.NaN(), math.NaN()
		if cumulative {
			k, _ := p.pointKey(src, dp.Attributes(), -1)
			prev, res, _ := p.hists.Get(k, t)
			switch {
			case !res.Created && t <= prev.time:
				c.outOfOrder += int64(len(p.quantiles))
				continue
			case res.Created || !p.histDelta(prev, dp, counts):
				*prev = histPrev{start: int64(dp.StartTimestamp()), time: t, count: dp.Count(), counts: append(prev.counts[:0], counts...)}
				c.reset += int64(len(p.quantiles))
				continue
			}
			counts = p.scratch
		} else {
			if dp.HasMin() {
				lo = dp.Min()
			}
			if dp.HasMax() {
				hi = dp.Max()
			}
		}
		bounds := dp.ExplicitBounds().AsRaw()
		p.observeQuantiles(src, r, dp.Attributes(), dp.Timestamp(), c, func(q float64) (float64, bool) {
			return explicitQuantile(q, bounds, counts, lo, hi)
		})
	}
	return maxT
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
		if dp.Flags().NoRecordedValue() || (p.sel.conds != nil && !p.selected(src, dp)) {
			continue
		}
		t := int64(dp.Timestamp())
		if t > p.horizon {
			c.future += int64(len(p.quantiles))
			continue
		}
		maxT = max(maxT, t)
		pos := expBucket{dp.Positive().Offset(), dp.Positive().BucketCounts().AsRaw()}
		neg := expBucket{dp.Negative().Offset(), dp.Negative().BucketCounts().AsRaw()}
		zero := dp.ZeroCount()
		if cumulative {
			k, _ := p.pointKey(src, dp.Attributes(), -1)
			prev, res, _ := p.hists.Get(k, t)
			if !res.Created && t <= prev.time {
				c.outOfOrder += int64(len(p.quantiles))
				continue
			}
			var ok bool
			if !res.Created {
				pos, neg, zero, ok = p.expDelta(prev, dp, pos, neg, zero)
			}
			if !ok {
				*prev = histPrev{
					start: int64(dp.StartTimestamp()), time: t, count: dp.Count(), scale: dp.Scale(), zero: dp.ZeroCount(),
					pos: expBucket{dp.Positive().Offset(), append(prev.pos.counts[:0], dp.Positive().BucketCounts().AsRaw()...)},
					neg: expBucket{dp.Negative().Offset(), append(prev.neg.counts[:0], dp.Negative().BucketCounts().AsRaw()...)},
				}
				c.reset += int64(len(p.quantiles))
				continue
			}
		}
		scale := dp.Scale()
		p.observeQuantiles(src, r, dp.Attributes(), dp.Timestamp(), c, func(q float64) (float64, bool) {
			return exponentialQuantile(q, scale, zero, pos, neg)
		})
	}
	return maxT
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
