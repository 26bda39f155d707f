package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/engine"
)

// Metric attribute sets, built once.
var (
	attrSourceMetrics   = metric.WithAttributeSet(attribute.NewSet(attribute.String("source", "metrics")))
	attrSourceLogs      = metric.WithAttributeSet(attribute.NewSet(attribute.String("source", "logs")))
	attrSourceTraces    = metric.WithAttributeSet(attribute.NewSet(attribute.String("source", "traces")))
	attrDropTooMany     = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "too_many_incidents")))
	attrDropInvalid     = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "invalid")))
	attrSnapshotSave    = metric.WithAttributeSet(attribute.NewSet(attribute.String("operation", "save")))
	attrSnapshotRestore = metric.WithAttributeSet(attribute.NewSet(attribute.String("operation", "restore")))
)

// ingest feeds findings to the engine (under mu) and returns the updates
// and, per finding, whether it was accepted.
func (c *correlator) ingest(ctx context.Context, fs []incident.Finding, src metric.MeasurementOption, ups []incident.Update, accepted []bool) ([]incident.Update, []bool) {
	if len(fs) == 0 {
		return ups, accepted
	}
	c.tel.ProcessorCorrelationFindingsIn.Add(ctx, int64(len(fs)), src)
	var tooMany, invalid int64
	for i := range fs {
		u, err := c.eng.Ingest(fs[i])
		ups = append(ups, u...)
		switch {
		case errors.Is(err, engine.ErrTooManyIncidents):
			tooMany++
		case err != nil:
			invalid++
		}
		accepted = append(accepted, err == nil)
	}
	c.dirty = true
	if tooMany > 0 {
		c.tel.ProcessorCorrelationFindingsDropped.Add(ctx, tooMany, attrDropTooMany)
	}
	if invalid > 0 {
		c.tel.ProcessorCorrelationFindingsDropped.Add(ctx, invalid, attrDropInvalid)
	}
	return ups, accepted
}

// deliver emits ups, in order: it takes emitMu before releasing mu (which the
// caller holds) and sends outside mu.
func (c *correlator) deliver(ctx context.Context, ups []incident.Update) {
	if len(ups) == 0 {
		c.mu.Unlock()
		return
	}
	c.emitMu.Lock()
	c.mu.Unlock()
	defer c.emitMu.Unlock()
	c.send(ctx, ups)
}

// processMetrics observes the batch's resources and, only if it holds the
// anomaly series, classifies it. Metrics are mostly healthy series passing
// through, so the common case is one pass over the batch that touches each
// resource's identifying attributes and each metric's name, nothing more.
func (c *correlator) processMetrics(ctx context.Context, md pmetric.Metrics) {
	now := c.now()
	rms := md.ResourceMetrics()
	// The batch's first point time stands for all its resources: a batch
	// spans seconds where learned edges live an hour, and reading every
	// resource's first point is a chain of cache misses per resource.
	var at pcommon.Timestamp
	for i := 0; i < rms.Len() && at == 0; i++ {
		at = firstPointTime(rms.At(i))
	}
	anomalies := false
	c.mu.Lock()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		c.observeResource(rm.Resource().Attributes(), at, now)
		anomalies = anomalies || c.cfg.Anomalies.Enabled && c.metricsC.hasAnomalies(rm)
	}
	c.mu.Unlock()
	if !anomalies {
		return
	}
	fs := c.metricsC.classify(md, nil)
	c.mu.Lock()
	ups, _ := c.ingest(ctx, fs, attrSourceMetrics, nil, nil)
	c.deliver(ctx, ups)
}

func (c *correlator) processTraces(ctx context.Context, td ptrace.Traces) {
	now := c.now()
	tc := c.tracesC
	tc.parents = map[pcommon.SpanID]string{}
	fs, edges := tc.classify(td, nil, nil)
	c.mu.Lock()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		c.observeResource(rss.At(i).Resource().Attributes(), firstSpanTime(rss.At(i)), now)
	}
	for _, e := range edges {
		c.eng.ObserveEdge(e.client, e.server, e.at)
	}
	if len(edges) > 0 {
		c.dirty = true
	}
	ups, _ := c.ingest(ctx, fs, attrSourceTraces, nil, nil)
	c.deliver(ctx, ups)
}

// processLogs classifies ld, ingests the findings and, with
// drop_absorbed_findings, removes the records whose findings were all
// accepted. It reports whether ld still holds records.
func (c *correlator) processLogs(ctx context.Context, ld plog.Logs) bool {
	now := c.now()
	var fs []incident.Finding
	var spans [][2]int32 // per record: its findings [start, end), start -1 to keep the record
	var invalid int
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				var matched bool
				var bad int
				start := int32(len(fs))
				fs, matched, bad = c.logsC.classify(ctx, rl, sl, lr, fs)
				invalid += bad
				if c.cfg.DropAbsorbedFindings {
					if !matched || bad > 0 {
						start = -1
					}
					spans = append(spans, [2]int32{start, int32(len(fs))})
				}
			}
		}
	}
	if invalid > 0 {
		c.tel.ProcessorCorrelationFindingsDropped.Add(ctx, int64(invalid), attrDropInvalid)
	}
	c.mu.Lock()
	for i := 0; i < rls.Len(); i++ {
		c.observeResource(rls.At(i).Resource().Attributes(), firstRecordTime(rls.At(i)), now)
	}
	ups, accepted := c.ingest(ctx, fs, attrSourceLogs, nil, make([]bool, 0, len(fs)))
	c.deliver(ctx, ups)
	if !c.cfg.DropAbsorbedFindings {
		return true
	}
	rec := 0
	for i := 0; i < rls.Len(); i++ {
		for _, sl := range rls.At(i).ScopeLogs().All() {
			sl.LogRecords().RemoveIf(func(plog.LogRecord) bool {
				span := spans[rec]
				rec++
				if span[0] < 0 {
					return false
				}
				for _, ok := range accepted[span[0]:span[1]] {
					if !ok {
						return false
					}
				}
				return true
			})
		}
	}
	rls.RemoveIf(func(rl plog.ResourceLogs) bool {
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool { return sl.LogRecords().Len() == 0 })
		return rl.ScopeLogs().Len() == 0
	})
	return rls.Len() > 0
}

// tick advances the engine to the wall clock, emits the updates that became
// due, records the engine's counters and saves a changed state when due.
func (c *correlator) tick(ctx context.Context) {
	now := c.now()
	c.mu.Lock()
	ups := c.eng.Tick(now)
	if len(ups) > 0 {
		c.dirty = true
	}
	s := c.eng.Stats()
	if d := s.FindingsDeduplicated - c.lastStats.FindingsDeduplicated; d > 0 {
		c.tel.ProcessorCorrelationFindingsDeduplicated.Add(ctx, int64(d))
	}
	c.lastStats = s
	saveDue := c.client != nil && c.dirty && now.Sub(c.lastSave) >= c.cfg.SnapshotInterval
	c.deliver(ctx, ups)
	if saveDue {
		c.save(ctx, false)
	}
}

// firstPointTime is the timestamp of the resource's first number data point
// (gauges and sums; other types count as unset), read without walking the
// resource.
func firstPointTime(rm pmetric.ResourceMetrics) pcommon.Timestamp {
	sms := rm.ScopeMetrics()
	for i := 0; i < sms.Len(); i++ {
		ms := sms.At(i).Metrics()
		if ms.Len() == 0 {
			continue
		}
		var dps pmetric.NumberDataPointSlice
		switch m := ms.At(0); m.Type() {
		case pmetric.MetricTypeGauge:
			dps = m.Gauge().DataPoints()
		case pmetric.MetricTypeSum:
			dps = m.Sum().DataPoints()
		default:
			return 0
		}
		if dps.Len() > 0 {
			return dps.At(0).Timestamp()
		}
		return 0
	}
	return 0
}

func firstSpanTime(rs ptrace.ResourceSpans) pcommon.Timestamp {
	for _, ss := range rs.ScopeSpans().All() {
		for _, sp := range ss.Spans().All() {
			return sp.StartTimestamp()
		}
	}
	return 0
}

func firstRecordTime(rl plog.ResourceLogs) pcommon.Timestamp {
	for _, sl := range rl.ScopeLogs().All() {
		for _, lr := range sl.LogRecords().All() {
			if lr.Timestamp() != 0 {
				return lr.Timestamp()
			}
			return lr.ObservedTimestamp()
		}
	}
	return 0
}
