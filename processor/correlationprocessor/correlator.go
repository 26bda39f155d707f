package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/metadata"
)

// snapshotKey is the storage key of the engine snapshot.
const snapshotKey = "engine"

// correlator is the state shared by every instance (metrics, logs, traces
// pipelines) of one component ID: the engine, its classifiers, the logs
// consumers incidents go to, the flush ticker and the storage client.
//
// Locks: mu guards the engine and everything it touches; emitMu orders the
// delivery of updates. A caller takes emitMu before releasing mu, so updates
// leave in the order the engine produced them; consumers never call back
// into the processor, so the order of the two locks cannot deadlock.
type correlator struct {
	id     component.ID
	cfg    *Config
	logger *zap.Logger
	tel    *metadata.TelemetryBuilder
	res    pcommon.Resource // the collector's own resource, for incident records

	logsC    *logClassifier
	metricsC *metricClassifier
	tracesC  traceClassifier

	mu         sync.Mutex
	eng        *engine.Engine
	seen       *seenCache   // entities observed recently
	entityKeys entityKeySet // the entity attributes, for observeResource
	dirty      bool         // state changed since the last save
	lastSave   time.Time
	lastStats  engine.Stats

	emitMu    sync.Mutex
	consumers []consumer.Logs // logs pipelines' next consumers, in creation order

	// test seams
	now       func() time.Time
	newTicker func(time.Duration) (<-chan time.Time, func())

	// lifecycle, guarded by the registry mutex
	refs    int
	started bool
	stop    chan struct{}
	done    chan struct{}
	client  storage.Client
	saveMu  sync.Mutex
}

func newCorrelator(set processor.Settings, cfg *Config) (*correlator, error) {
	eng, err := engine.New(cfg.engineConfig())
	if err != nil {
		return nil, fmt.Errorf("correlation: %w", err)
	}
	rules, err := compileRules(cfg, set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("correlation: telemetry: %w", err)
	}
	source := set.ID.String()
	sev, err := incident.ParseSeverity(cfg.Anomalies.Severity)
	if err != nil {
		sev = incident.SeverityWarning
	}
	entity := entityKeys(cfg.EntityAttributes, cfg.MatchAttributes)
	c := &correlator{
		id:         set.ID,
		cfg:        cfg,
		logger:     set.Logger,
		res:        pcommon.NewResource(),
		tel:        tel,
		logsC:      &logClassifier{rules: rules, source: source},
		metricsC:   &metricClassifier{metric: cfg.Anomalies.Metric, scoreMetric: cfg.Anomalies.ScoreMetric, severity: sev, entity: entity, source: source},
		tracesC:    traceClassifier{errorSpans: cfg.Traces.ErrorSpans, edges: cfg.Traces.Edges, entity: entity, source: source},
		eng:        eng,
		seen:       new(seenCache),
		entityKeys: newEntityKeySet(entity),
		now:        time.Now,
		newTicker: func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		},
	}
	set.Resource.CopyTo(c.res)
	c.res.Attributes().PutStr(attrCorrelationID, set.ID.String())
	if err := tel.RegisterProcessorCorrelationIncidentsOpenCallback(func(_ context.Context, o metric.Int64Observer) error {
		c.mu.Lock()
		n := c.lastStats.OpenIncidents
		c.mu.Unlock()
		o.Observe(int64(n))
		return nil
	}); err != nil {
		tel.Shutdown()
		return nil, fmt.Errorf("correlation: telemetry: %w", err)
	}
	return c, nil
}

// registry holds one correlator per component ID (the otlp receiver's
// sharedcomponent pattern): created by the first instance, shut down with
// the last.
var registry = struct {
	sync.Mutex
	m map[component.ID]*correlator
}{m: map[component.ID]*correlator{}}

func acquire(set processor.Settings, cfg *Config) (*correlator, error) {
	registry.Lock()
	defer registry.Unlock()
	if c, ok := registry.m[set.ID]; ok {
		c.refs++
		return c, nil
	}
	c, err := newCorrelator(set, cfg)
	if err != nil {
		return nil, err
	}
	c.refs = 1
	registry.m[set.ID] = c
	return c, nil
}

// addConsumer registers a logs pipeline's next consumer as an incident output.
func (c *correlator) addConsumer(next consumer.Logs) {
	c.emitMu.Lock()
	c.consumers = append(c.consumers, next)
	c.emitMu.Unlock()
}

func (c *correlator) removeConsumer(next consumer.Logs) {
	c.emitMu.Lock()
	if i := slices.Index(c.consumers, next); i >= 0 {
		c.consumers = slices.Delete(c.consumers, i, i+1)
	}
	c.emitMu.Unlock()
}

// start runs once per correlator, from the first instance's Start: it
// restores the state from storage and starts the flush ticker. It never
// blocks on the data path.
func (c *correlator) start(ctx context.Context, host component.Host) error {
	registry.Lock()
	defer registry.Unlock()
	if c.started {
		return nil
	}
	if c.cfg.Storage != nil {
		client, err := storageClient(ctx, host, *c.cfg.Storage, c.id)
		if err != nil {
			return err
		}
		c.client = client
		c.restore(ctx)
	}
	c.emitMu.Lock()
	n := len(c.consumers)
	c.emitMu.Unlock()
	if n == 0 {
		c.logger.Warn("correlation processor is in no logs pipeline: incidents have no way out and are discarded (add it to a logs pipeline that ends in the incident exporter or any logs exporter)",
			zap.String("processor", c.id.String()))
	}
	c.stop, c.done = make(chan struct{}), make(chan struct{})
	ch, stopTicker := c.newTicker(c.cfg.TickInterval)
	go func() {
		defer close(c.done)
		defer stopTicker()
		for {
			select {
			case <-c.stop:
				return
			case <-ch:
				c.tick(context.Background())
			}
		}
	}()
	c.started = true
	return nil
}

func storageClient(ctx context.Context, host component.Host, id, self component.ID) (storage.Client, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("correlation: storage extension %q not found (add it to service::extensions)", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("correlation: extension %q is not a storage extension (use file_storage or another storage extension)", id)
	}
	client, err := se.GetClient(ctx, component.KindProcessor, self, "")
	if err != nil {
		return nil, fmt.Errorf("correlation: storage %q: %w", id, err)
	}
	return client, nil
}

// release is called by every instance's Shutdown; the last one stops the
// ticker, saves the state and closes the storage client. Idempotence per
// instance is the caller's job.
func (c *correlator) release(ctx context.Context) error {
	registry.Lock()
	c.refs--
	last := c.refs == 0
	if last {
		delete(registry.m, c.id)
	}
	started := c.started
	registry.Unlock()
	if !last {
		return nil
	}
	var errs []error
	if started {
		close(c.stop)
		<-c.done
	}
	if c.client != nil {
		c.save(ctx, true)
		if err := c.client.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("correlation: close storage: %w", err))
		}
	}
	c.tel.Shutdown()
	return errors.Join(errs...)
}
