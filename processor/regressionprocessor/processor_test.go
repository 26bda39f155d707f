package regressionprocessor

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"maps"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadatatest"
)

var t0 = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// runBatches feeds each batch through a fresh processor and returns what the
// next consumer received.
func runBatches(t *testing.T, cfg *Config, batches ...pmetric.Metrics) []pmetric.Metrics {
	t.Helper()
	sink := new(consumertest.MetricsSink)
	p := newTestProcessor(t, processortest.NewNopSettings(metadata.Type), cfg, sink)
	for _, b := range batches {
		consume(t, p, b)
	}
	require.NoError(t, p.Shutdown(context.Background()))
	return sink.AllMetrics()
}

// splitQueued separates what a processor with the queue sent on into the
// request passed through and the request of its derived series, which the
// worker sends independently of it (possibly first).
func splitQueued(t *testing.T, outs []pmetric.Metrics) (passed, derivedReq pmetric.Metrics) {
	t.Helper()
	require.Len(t, outs, 2, "the request and one of derived series")
	passed, derivedReq = outs[0], outs[1]
	if isDerived(passed.ResourceMetrics().At(0)) {
		passed, derivedReq = derivedReq, passed
	}
	require.True(t, isDerived(derivedReq.ResourceMetrics().At(0)))
	return passed, derivedReq
}

// newTestProcessor builds and starts a processor; Shutdown is a cleanup.
func newTestProcessor(t testing.TB, set processor.Settings, cfg *Config, next consumer.Metrics, opts ...option) *regressionProcessor {
	t.Helper()
	p, err := newProcessor(set, cfg, next, opts...)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return p
}

// consume feeds md through p and waits until the detection worker has
// scored it.
func consume(t testing.TB, p *regressionProcessor, md pmetric.Metrics) {
	t.Helper()
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	p.sync()
}

// gauge builds one batch with one gauge point per (name, value) of a series
// identified by the resource attributes res.
func gauge(name string, ts time.Time, v float64, res map[string]any, dpAttrs map[string]any) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	require.NoError(nil, rm.Resource().Attributes().FromRaw(res))
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	_ = dp.Attributes().FromRaw(dpAttrs)
	dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	dp.SetDoubleValue(v)
	return md
}

// derived collects the derived points of one metric name from outputs.
func derived(outs []pmetric.Metrics, name string) []pmetric.NumberDataPoint {
	var dps []pmetric.NumberDataPoint
	for _, md := range outs {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			sms := rms.At(i).ScopeMetrics()
			for j := 0; j < sms.Len(); j++ {
				ms := sms.At(j).Metrics()
				for k := 0; k < ms.Len(); k++ {
					if ms.At(k).Name() == name {
						g := ms.At(k).Gauge().DataPoints()
						for l := 0; l < g.Len(); l++ {
							dps = append(dps, g.At(l))
						}
					}
				}
			}
		}
	}
	return dps
}

func noise(i int) float64 { return float64((i*7919)%11) - 5 }

func TestVersionIsNotPartOfTheSeries(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	sink := new(consumertest.MetricsSink)
	p := newTestProcessor(t, processortest.NewNopSettings(metadata.Type), cfg, sink)
	for i := 0; i < 200; i++ {
		ver, v := "1.0", 100+noise(i)
		if i >= 120 {
			ver, v = "1.1", 160+noise(i) // a deploy that regresses latency
		}
		md := gauge("rpc.latency", t0.Add(time.Duration(i)*time.Minute), v,
			map[string]any{"service.name": "api", "service.version": ver}, map[string]any{"method": "Get"})
		consume(t, p, md)
	}
	assert.Equal(t, 1, p.eng.Len(), "a new version is the same series")
	events := derived(sink.AllMetrics(), MetricAnomaly)
	require.NotEmpty(t, events)
	first := events[0]
	assert.Equal(t, "open", attr(first, AttrState))
	assert.Equal(t, "up", attr(first, AttrDirection))
	assert.GreaterOrEqual(t, first.Timestamp().AsTime(), t0.Add(120*time.Minute))
	// Derived points carry the source identity and not the user's series.
	assert.Equal(t, "rpc.latency", attr(first, AttrMetricName))
	assert.Equal(t, "Get", attr(first, "method"))
	require.NoError(t, p.Shutdown(context.Background()))
}

func attr(dp pmetric.NumberDataPoint, k string) string {
	v, ok := dp.Attributes().Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}

func TestCumulativeCounterIsScoredAsRate(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	cfg.Detection.Warmup = 0
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	sink := new(consumertest.MetricsSink)
	p := newTestProcessor(t, metadatatest.NewSettings(tt), cfg, sink)
	cum := 0.0
	for i := 0; i < 60; i++ {
		if i == 30 {
			cum = 0 // counter reset
		}
		cum += 600 // 10 per second over a minute
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("requests")
		m.SetUnit("{request}")
		s := m.SetEmptySum()
		s.SetIsMonotonic(true)
		s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dp := s.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * time.Minute)))
		dp.SetDoubleValue(cum)
		consume(t, p, md)
	}
	exp := derived(sink.AllMetrics(), MetricExpected)
	require.Len(t, exp, 58, "first point and the reset only set the reference")
	assert.InDelta(t, 10, exp[len(exp)-1].DoubleValue(), 0.01)
	assert.Equal(t, "{request}/s", attr(exp[0], AttrMetricUnit))
	metadatatest.AssertEqualProcessorRegressionPointsSkipped(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "first_cumulative_point"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "counter_reset"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorRegressionPointsEvaluated(t, tt, []metricdata.DataPoint[int64]{{Value: 58}}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestSelectionAndConditions(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	cfg.Metrics.Include = []string{"http.*", "aiops.*"}
	cfg.Metrics.Exclude = []string{"http.debug.*"}
	cfg.Metrics.Conditions = []string{`resource.attributes["env"] == "prod"`}
	var batches []pmetric.Metrics
	for _, name := range []string{"http.latency", "http.debug.latency", "db.latency", "aiops.anomaly.score"} {
		for _, env := range []string{"prod", "dev"} {
			batches = append(batches, gauge(name, t0, 1, map[string]any{"env": env}, nil))
		}
	}
	outs := runBatches(t, cfg, batches...)
	var scores []pmetric.NumberDataPoint
	for _, dp := range derived(outs, MetricScore) {
		if attr(dp, AttrMetricName) != "" { // not the aiops.* inputs passing through
			scores = append(scores, dp)
		}
	}
	require.Len(t, scores, 1)
	assert.Equal(t, "http.latency", attr(scores[0], AttrMetricName))
}

func TestOverrideLimitForecastsExhaustion(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	cfg.Overrides = []OverrideConfig{{Metrics: []string{"disk.utilization"}, Limit: ptr(0.9), Seasonality: ptr(SeasonalityOff)}}
	var batches []pmetric.Metrics
	for i := 0; i < 300; i++ { // +0.001 per 10 minutes: 0.5 → 0.8 in 50 h
		ts := t0.Add(time.Duration(i) * 10 * time.Minute)
		batches = append(batches,
			gauge("disk.utilization", ts, 0.5+0.001*float64(i)+0.0002*noise(i), nil, nil),
			gauge("cpu.utilization", ts, 0.5+0.001*float64(i)+0.0002*noise(i), nil, nil))
	}
	outs := runBatches(t, cfg, batches...)
	ttl := derived(outs, MetricTimeToLimit)
	require.NotEmpty(t, ttl)
	for _, dp := range ttl {
		assert.Equal(t, "disk.utilization", attr(dp, AttrMetricName), "only the metric with a limit")
	}
	last := ttl[len(ttl)-1].DoubleValue()
	assert.InDelta(t, (0.9-0.799)/0.001*600, last, 3000, "≈ 100 steps of 10 min to the limit")
	var drift bool
	for _, e := range derived(outs, MetricAnomaly) {
		drift = drift || attr(e, AttrKind) == "drift"
	}
	assert.True(t, drift, "a drift anomaly opens before the limit")
}

func TestMaxSeriesEvictsAndFlushExpires(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxSeries = 2
	cfg.IdleTTL = time.Hour
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	wall := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tick := make(chan time.Time)
	p, err := newProcessor(metadatatest.NewSettings(tt), cfg, consumertest.NewNop(),
		withClock(func() time.Time { return wall }, func(time.Duration) ticker { return fakeTicker(tick) }))
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	for i, host := range []string{"a", "b", "c"} {
		consume(t, p, gauge("m", t0.Add(time.Duration(i)*time.Second), 1, map[string]any{"host.name": host}, nil))
	}
	assert.Equal(t, 2, p.eng.Len())
	metadatatest.AssertEqualProcessorRegressionSeriesEvicted(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())

	// A point from the far future is skipped: it does not move the expiry
	// watermark, nor its series' time.
	consume(t, p, gauge("m", wall.Add(48*time.Hour), 1, map[string]any{"host.name": "c"}, nil))
	metadatatest.AssertEqualProcessorRegressionPointsSkipped(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "future_timestamp"))},
	}, metricdatatest.IgnoreTimestamp())
	tick <- wall.Add(30 * time.Minute) // data time t0+2s+30m: not idle yet
	tick <- wall.Add(30 * time.Minute) // (an unbuffered send returns once the previous tick is handled)
	p.mu.Lock()
	assert.Equal(t, 2, p.eng.Len())
	p.mu.Unlock()
	tick <- wall.Add(2 * time.Hour)
	tick <- wall.Add(2 * time.Hour)
	metadatatest.AssertEqualProcessorRegressionSeriesExpired(t, tt, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorRegressionSeriesActive(t, tt, []metricdata.DataPoint[int64]{{Value: 0}}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 0, p.eng.Len())
}

type chanTicker struct{ c chan time.Time }

func fakeTicker(c chan time.Time) ticker { return chanTicker{c} }
func (f chanTicker) C() <-chan time.Time { return f.c }
func (chanTicker) Stop()                 {}

// testStorageID is the ID of the storage extension newTestStorage returns.
var testStorageID = storagetest.NewStorageID("regression")

// testStorage is contrib's file-backed test storage extension: a client's
// contents are written on Close (the processor's Shutdown) and read back by
// the next GetClient, which is what a restart needs. It adds only what
// storagetest cannot do: once failSet is set, Set (and a Batch with a Set)
// fails as on a full disk.
type testStorage struct {
	*storagetest.TestStorage
	failSet atomic.Bool
}

func newTestStorage(t testing.TB) (*testStorage, component.Host) {
	st := &testStorage{TestStorage: storagetest.NewFileBackedStorageExtension(testStorageID.Name(), t.TempDir())}
	return st, storagetest.NewStorageHost().WithExtension(st.ID, st)
}

func (s *testStorage) GetClient(ctx context.Context, kind component.Kind, id component.ID, name string) (storage.Client, error) {
	c, err := s.TestStorage.GetClient(ctx, kind, id, name)
	if err != nil {
		return nil, err
	}
	return failingClient{Client: c, fail: &s.failSet}, nil
}

// data returns what the storage holds for the processor owner (as its last
// client closed it), without storagetest's own creator-ID record.
func (s *testStorage) data(t testing.TB, owner component.ID) map[string][]byte {
	t.Helper()
	c, err := s.TestStorage.GetClient(context.Background(), component.KindProcessor, owner, "")
	require.NoError(t, err)
	out := map[string][]byte{}
	require.NoError(t, c.(storage.Walker).Walk(context.Background(), func(k string, v []byte) ([]*storage.Operation, error) {
		if k != "client_creator_id" {
			out[k] = v
		}
		return nil, nil
	}))
	require.NoError(t, c.Close(context.Background()))
	return out
}

// put writes records into the storage of the processor owner.
func (s *testStorage) put(t testing.TB, owner component.ID, kv map[string][]byte) {
	t.Helper()
	c, err := s.TestStorage.GetClient(context.Background(), component.KindProcessor, owner, "")
	require.NoError(t, err)
	for k, v := range kv {
		require.NoError(t, c.Set(context.Background(), k, v))
	}
	require.NoError(t, c.Close(context.Background()))
}

func (s *testStorage) keys(t testing.TB, owner component.ID) []string {
	return slices.Collect(maps.Keys(s.data(t, owner)))
}

var errDiskFull = errors.New("disk full")

type failingClient struct {
	storage.Client
	fail *atomic.Bool
}

func (c failingClient) Set(ctx context.Context, k string, v []byte) error {
	if c.fail.Load() {
		return errDiskFull
	}
	return c.Client.Set(ctx, k, v)
}

func (c failingClient) Batch(ctx context.Context, ops ...*storage.Operation) error {
	if c.fail.Load() && slices.ContainsFunc(ops, func(op *storage.Operation) bool { return op.Type == storage.Set }) {
		return errDiskFull
	}
	return c.Client.Batch(ctx, ops...)
}

// runPersisting starts a processor (restoring), feeds it n series and shuts
// it down (saving); it returns the processor and the storage owner's ID.
func runPersisting(t *testing.T, cfg *Config, host component.Host, tt *componenttest.Telemetry, n int) (*regressionProcessor, component.ID) {
	set := metadatatest.NewSettings(tt)
	p, err := newProcessor(set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), host))
	for i := 0; i < n; i++ {
		consume(t, p, gauge("m", t0, float64(i), map[string]any{"i": int64(i)}, nil))
	}
	require.NoError(t, p.Shutdown(context.Background()))
	return p, set.ID
}

func TestPersistence(t *testing.T) {
	st, host := newTestStorage(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &st.ID
	const n = 1200 // three chunks
	var owner component.ID
	run := func(tt *componenttest.Telemetry, feed bool) *regressionProcessor {
		fed := 0
		if feed {
			fed = n
		}
		var p *regressionProcessor
		p, owner = runPersisting(t, cfg, host, tt, fed)
		return p
	}
	tt1 := componenttest.NewTelemetry()
	run(tt1, true)
	metadatatest.AssertEqualProcessorRegressionSnapshotSeriesSaved(t, tt1, []metricdata.DataPoint[int64]{{Value: n}}, metricdatatest.IgnoreTimestamp())
	assert.ElementsMatch(t, []string{manifestKey, "chunk/1/0", "chunk/1/1", "chunk/1/2"}, st.keys(t, owner))

	// Corrupt one record in the second chunk.
	chunk := st.data(t, owner)[chunkKey(1, 1)]
	chunk[len(chunkMagic)+recordSize()*3+40] ^= 0xff
	st.put(t, owner, map[string][]byte{chunkKey(1, 1): chunk})
	tt2 := componenttest.NewTelemetry()
	p := run(tt2, false)
	assert.Equal(t, n-1, p.eng.Len())
	metadatatest.AssertEqualProcessorRegressionSnapshotSeriesRestored(t, tt2, []metricdata.DataPoint[int64]{{Value: n - 1}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorRegressionSnapshotFailures(t, tt2, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("operation", "restore"))},
	}, metricdatatest.IgnoreTimestamp())
	assert.ElementsMatch(t, []string{manifestKey, "chunk/2/0", "chunk/2/1", "chunk/2/2"}, st.keys(t, owner), "generation 2 replaced generation 1")

	// max_series bounds the restore; a corrupt manifest never fails Start.
	cfg.MaxSeries = 100
	p = run(componenttest.NewTelemetry(), false)
	assert.Equal(t, 100, p.eng.Len())
	st.put(t, owner, map[string][]byte{manifestKey: []byte("garbage")})
	st.failSet.Store(true)
	tt4 := componenttest.NewTelemetry()
	p = run(tt4, false)
	assert.Equal(t, 0, p.eng.Len())
	metadatatest.AssertEqualProcessorRegressionSnapshotFailures(t, tt4, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("operation", "restore"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("operation", "save"))},
	}, metricdatatest.IgnoreTimestamp())
	for _, tt := range []*componenttest.Telemetry{tt1, tt2, tt4} {
		require.NoError(t, tt.Shutdown(context.Background()))
	}
}

// TestPersistenceDropsStaleKeys: a snapshot keyed by an earlier version's
// series keys is not restored (none of its series would be found again)
// and the next save deletes it.
func TestPersistenceDropsStaleKeys(t *testing.T) {
	st, host := newTestStorage(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &st.ID
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	_, owner := runPersisting(t, cfg, host, tt, 10)
	m, err := decodeManifest(st.data(t, owner)[manifestKey])
	require.NoError(t, err)
	require.False(t, m.staleKeys)
	stale := append([]byte(staleKeysMagic), m.encode()[len(manifestMagic):len(manifestMagic)+16]...)
	stale = binary.LittleEndian.AppendUint32(stale, crc32.Checksum(stale, castagnoli))
	st.put(t, owner, map[string][]byte{manifestKey: stale})

	tt2 := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt2.Shutdown(context.Background())) }()
	p, _ := runPersisting(t, cfg, host, tt2, 0)
	assert.Equal(t, 0, p.eng.Len())
	_, err = tt2.GetMetric("otelcol_processor_regression_snapshot_failures")
	require.Error(t, err, "an upgrade is not a failure")
	assert.ElementsMatch(t, []string{manifestKey}, st.keys(t, owner), "the stale chunk is deleted")
}

func TestStartFailsOnMissingStorage(t *testing.T) {
	id := component.MustNewID("file_storage")
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &id
	p, err := newProcessor(processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = p.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, `storage extension "file_storage" not found`)
	require.NoError(t, p.Shutdown(context.Background()))
}

// TestInputPassesThroughUnchanged: every metric type, watched or not, leaves
// the processor exactly as it came; derived series only follow it.
func TestInputPassesThroughUnchanged(t *testing.T) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "api")
	rm.Resource().Attributes().PutStr("service.version", "3")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	ts := pcommon.NewTimestampFromTime(t0)
	g := ms.AppendEmpty()
	g.SetName("g")
	dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(ts)
	dp.SetIntValue(3)
	s := ms.AppendEmpty()
	s.SetName("s")
	s.SetEmptySum().SetIsMonotonic(true)
	s.Sum().SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	s.Sum().DataPoints().AppendEmpty().SetDoubleValue(5)
	h := ms.AppendEmpty()
	h.SetName("h")
	hd := h.SetEmptyHistogram().DataPoints().AppendEmpty()
	hd.SetTimestamp(ts)
	hd.ExplicitBounds().FromRaw([]float64{1, 2})
	hd.BucketCounts().FromRaw([]uint64{1, 2, 3})
	hd.SetCount(6)
	e := ms.AppendEmpty()
	e.SetName("e")
	ed := e.SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
	ed.SetTimestamp(ts)
	ed.Positive().BucketCounts().FromRaw([]uint64{4})
	ed.SetCount(4)
	sm := ms.AppendEmpty()
	sm.SetName("summary")
	sm.SetEmptySummary().DataPoints().AppendEmpty().SetCount(1)

	want := pmetric.NewMetrics()
	md.CopyTo(want)
	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	passed, derivedReq := splitQueued(t, runBatches(t, cfg, md))
	assert.Equal(t, want, passed)
	// The derived resource repeats the source resource, version included.
	assert.Equal(t, want.ResourceMetrics().At(0).Resource().Attributes().AsRaw(),
		derivedReq.ResourceMetrics().At(0).Resource().Attributes().AsRaw())

	// Without the queue the derived series follow the input in the request.
	cfg.Queue.Enabled = false
	md = pmetric.NewMetrics()
	want.CopyTo(md)
	outs := runBatches(t, cfg, md)
	require.Len(t, outs, 1)
	require.Equal(t, 2, outs[0].ResourceMetrics().Len())
	prefix := pmetric.NewMetrics()
	outs[0].ResourceMetrics().At(0).CopyTo(prefix.ResourceMetrics().AppendEmpty())
	assert.Equal(t, want, prefix)
}

func TestShutdownIsIdempotent(t *testing.T) {
	p, err := newProcessor(processortest.NewNopSettings(metadata.Type), createDefaultConfig().(*Config), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, p.Shutdown(context.Background()), "without Start")
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestAnomaliesOpenedByKind(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	sink := new(consumertest.MetricsSink)
	p := newTestProcessor(t, metadatatest.NewSettings(tt), cfg, sink)
	for i := 0; i < 300; i++ {
		v := 50 + noise(i)
		if i == 200 {
			v = 500
		}
		consume(t, p, gauge("q", t0.Add(time.Duration(i)*time.Minute), v, nil, nil))
	}
	opens := map[string]int64{}
	for _, e := range derived(sink.AllMetrics(), MetricAnomaly) {
		if attr(e, AttrState) == "open" {
			opens[attr(e, AttrKind)]++
		}
	}
	require.Equal(t, int64(1), opens["spike"])
	var want []metricdata.DataPoint[int64]
	for k, n := range opens {
		want = append(want, metricdata.DataPoint[int64]{Value: n, Attributes: attribute.NewSet(attribute.String("kind", k))})
	}
	metadatatest.AssertEqualProcessorRegressionAnomaliesOpened(t, tt, want, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(context.Background()))
}
