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

// regressionProcessor is the adapter between pdata and the engines: a
// request's watched points are copied out (batch.go) and handed to the
// detection worker (queue.go) or scored in the request; scoring walks the
// batch (processor.go, numbers.go, histogram.go, summary.go; keys:
// identity.go) under one mutex (score.go), appends the derived series
// (emit.go) and counts (telemetry.go); lifecycle.go and persist.go run the
// flush and snapshot loop.
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

	pool       sync.Pool    // of *batch
	queue      *detectQueue // nil: detection in the request
	workDone   chan struct{}
	shedWarned atomic.Bool

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
		if tracker, err = canary.New(cfg.Canary.trackerConfig()); err != nil {
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
	p.pool.New = func() any { return new(batch) }
	if cfg.Queue.Enabled {
		p.queue = newDetectQueue(cfg.Queue)
	}
	for _, o := range opts {
		o(p)
	}
	err = tel.RegisterProcessorRegressionSeriesActiveCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(p.active.Load())
		return nil
	})
	if err == nil {
		err = tel.RegisterProcessorRegressionQueueSizeCallback(func(_ context.Context, o metric.Int64Observer) error {
			if p.queue != nil {
				o.Observe(p.queue.held.Load())
			}
			return nil
		})
	}
	if err != nil {
		tel.Shutdown()
		return nil, err
	}
	return p, nil
}

func (p *regressionProcessor) Capabilities() consumer.Capabilities {
	// The input series are never changed; without the queue the derived
	// series are appended to the request.
	return consumer.Capabilities{MutatesData: p.queue == nil}
}

// maxClockSkew is how far ahead of the wall clock a data timestamp may be.
// Later points are skipped (future_timestamp): scored, one would make every
// later point of its series out of order, hold its series from expiry and
// make every other series look idle.
const maxClockSkew = time.Hour

// ConsumeMetrics copies the watched data points out of md and passes md on
// unchanged. With the queue (the default) the copy goes to the detection
// worker before md goes on, so that detection runs while the pipeline
// exports md (its derived series, which the worker sends in requests of
// their own, may arrive before md); without the queue the points are scored
// here and the derived series appended to md.
func (p *regressionProcessor) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	b := p.pool.Get().(*batch)
	b.wall = p.now()
	p.capture(md, b)
	switch {
	case b.values == 0:
		p.recycle(b)
	case p.queue == nil:
		derived := p.detect(ctx, b)
		derived.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
	default:
		p.enqueue(ctx, b)
	}
	return p.next.ConsumeMetrics(ctx, md)
}

// detect scores a batch, records the self-metrics, returns the batch to the
// pool and returns the derived series.
func (p *regressionProcessor) detect(ctx context.Context, b *batch) pmetric.Metrics {
	var c counts
	derived := pmetric.NewMetrics()
	p.mu.Lock()
	p.horizon = b.wall.Add(maxClockSkew).UnixNano()
	maxT := p.scoreBatch(b, derived, &c)
	if maxT > p.watermark {
		p.watermark, p.markWall = maxT, b.wall
	}
	st := p.eng.Stats()
	evicted := int64(st.Evicted - p.evicted)
	p.evicted = st.Evicted
	p.active.Store(int64(st.Series))
	p.mu.Unlock()
	p.record(ctx, &c, evicted)
	p.recycle(b)
	return derived
}

func (p *regressionProcessor) recycle(b *batch) {
	b.reset()
	p.pool.Put(b)
}

// scoreBatch scores the points of b under the mutex and returns the latest data
// time seen.
func (p *regressionProcessor) scoreBatch(b *batch, derived pmetric.Metrics, c *counts) int64 {
	var maxT int64
	for i := range b.resources {
		res := &b.resources[i]
		resKey, resVer := p.hashAttrs(b, res.attrs)
		p.em.beginResource(derived, b, res)
		for j := res.scopes.off; j < res.scopes.end(); j++ {
			maxT = max(maxT, p.scope(b, res, &b.scopes[j], resKey, resVer, c))
		}
	}
	return maxT
}

// scope scores the metrics of one scope of a resource whose attributes hash
// to resKey.
func (p *regressionProcessor) scope(b *batch, res *resourceRec, sc *scopeRec, resKey series.Key, resVer versionRef, c *counts) int64 {
	p.em.beginScope(sc)
	h := series.NewHasher()
	h.WriteUint64(resKey.Hi)
	h.WriteUint64(resKey.Lo)
	h.WriteString(sc.name)
	h.WriteString(sc.version)
	var maxT int64
	for k := sc.metrics.off; k < sc.metrics.end(); k++ {
		m := &b.metrics[k]
		mh := h
		mh.WriteString(m.name)
		src := srcCtx{b: b, res: res, scope: sc, m: m, prefix: mh.Key(), resVer: resVer}
		maxT = max(maxT, p.metric(&src, c))
	}
	return maxT
}

// metric scores the points of one metric, by type.
func (p *regressionProcessor) metric(src *srcCtx, c *counts) int64 {
	switch src.m.typ {
	case pmetric.MetricTypeGauge, pmetric.MetricTypeSum:
		return p.numbers(src, c)
	case pmetric.MetricTypeHistogram:
		return p.histograms(src, c)
	case pmetric.MetricTypeExponentialHistogram:
		return p.expHistograms(src, c)
	case pmetric.MetricTypeSummary:
		return p.summaries(src, c)
	}
	return 0
}
