package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/canary"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// regressionProcessor is the adapter between pdata and the engines: it walks
// the watched points (ingest: processor.go, numbers.go, histogram.go,
// summary.go; keys: identity.go), scores them under one mutex (score.go),
// appends the derived series (emit.go), counts (telemetry.go), and runs the
// flush and snapshot loop (lifecycle.go, persist.go).
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
	canary    *canary.Tracker // nil when the canary comparison is off
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
	var tracker *canary.Tracker
	if cfg.Canary.Enabled {
		if tracker, err = canary.New(cfg.Canary.trackerConfig(cfg.MaxSeries)); err != nil {
			return nil, err
		}
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
		canary:       tracker,
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

// maxClockSkew is how far ahead of the wall clock a data timestamp may be.
// Later points are skipped (future_timestamp): scored, one would make every
// later point of its series out of order, hold its series from expiry and
// make every other series look idle.
const maxClockSkew = time.Hour

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
			maxT = max(maxT, p.scope(rm, sms.At(j), resKey, resVer, c))
		}
	}
	return maxT
}

// scope scores the watched metrics of one scope of a resource whose
// attributes hash to resKey.
func (p *regressionProcessor) scope(rm pmetric.ResourceMetrics, sm pmetric.ScopeMetrics, resKey series.Key, resVer versionRef, c *counts) int64 {
	p.em.beginScope(sm)
	h := series.NewHasher()
	h.WriteUint64(resKey.Hi)
	h.WriteUint64(resKey.Lo)
	h.WriteString(sm.Scope().Name())
	h.WriteString(sm.Scope().Version())
	var maxT int64
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
		maxT = max(maxT, p.metric(&src, r, c))
	}
	return maxT
}

// metric scores the points of one watched metric, by type.
func (p *regressionProcessor) metric(src *srcCtx, r *rule, c *counts) int64 {
	m := src.m
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		return p.numbers(src, r, m.Gauge().DataPoints(), false, c)
	case pmetric.MetricTypeSum:
		s := m.Sum()
		src.rate = s.IsMonotonic() && s.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		return p.numbers(src, r, s.DataPoints(), src.rate, c)
	case pmetric.MetricTypeHistogram:
		return p.histograms(src, r, m.Histogram(), c)
	case pmetric.MetricTypeExponentialHistogram:
		return p.expHistograms(src, r, m.ExponentialHistogram(), c)
	case pmetric.MetricTypeSummary:
		return p.summaries(src, r, m.Summary().DataPoints(), c)
	}
	return 0
}
