package correlationprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/metadatatest"
)

// findingLogs returns one aiops.finding record per service, at t0+at.
func findingLogs(t testing.TB, at time.Duration, services ...string) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, svc := range services {
		e := incident.NewEntity(map[string]string{"service.name": svc})
		fp := incident.NewFingerprint(incident.KindAlert, e, "HighErrorRate")
		require.NoError(t, incidentlog.AppendFinding(lrs, incident.Finding{
			ID: incident.NewFindingID(fp, at.String()), Fingerprint: fp, Kind: incident.KindAlert,
			Severity: incident.SeverityError, Time: t0.Add(at), Entity: e, Signal: "HighErrorRate",
			Score: 1, Source: "test",
		}))
	}
	return ld
}

// TestSharedEngine: one ID in a metrics, a traces and two logs pipelines
// shares one engine; incidents reach both logs pipelines; the input passes
// through unchanged.
func TestSharedEngine(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Dependencies = map[string][]string{"checkout": {"payments"}}
	h := newHarness(t, cfg, 1, nil)
	ctx := context.Background()

	registry.Lock()
	assert.Equal(t, 4, h.c.refs)
	registry.Unlock()

	md := pmetric.NewMetrics()
	anomaly(md, []string{"service.name", "payments"}, 0, "http.server.request.duration", "spike", "up", 0.9)
	want := pmetric.NewMetrics()
	md.CopyTo(want)
	require.NoError(t, h.metrics.ConsumeMetrics(ctx, md))
	assert.Equal(t, want, md, "metrics pass through unchanged")

	ld := findingLogs(t, 20*time.Second, "checkout")
	require.NoError(t, h.logs.ConsumeLogs(ctx, ld))
	assert.Equal(t, 1, h.logsOut.LogRecordCount(), "the finding record passes through (drop_absorbed_findings is off)")

	h.tick(t0.Add(time.Minute)) // past group_wait
	for i, sink := range []*consumertest.LogsSink{h.logsOut, h.extras[0]} {
		ups := updates(t, sink)
		require.Len(t, ups, 1, "pipeline %d", i)
		assert.Equal(t, incident.EventOpened, ups[0].Event)
		assert.Equal(t, int64(2), ups[0].Incident.TotalFindings, "anomaly (metrics) and alert (logs) share one incident")
		assert.Equal(t, "svc:payments", "svc:"+mustGet(t, ups[0].Incident.RootCauses[0].Entity, "service.name"))
	}

	h.tick(t0.Add(time.Hour)) // past resolve_after
	ups := updates(t, h.extras[0])
	require.Len(t, ups, 2)
	assert.Equal(t, incident.EventResolved, ups[1].Event)
}

func mustGet(t testing.TB, e incident.Entity, k string) string {
	v, ok := e.Get(k)
	require.True(t, ok, "entity %s has no %s", e.Key(), k)
	return v
}

func TestDropAbsorbedFindings(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.DropAbsorbedFindings = true
	h := newHarness(t, cfg, 0, nil)
	ld := findingLogs(t, 0, "a", "b")
	logRecord(ld, []string{"service.name", "a"}, 0, plog.SeverityNumberInfo, "all good")
	require.NoError(t, h.logs.ConsumeLogs(context.Background(), ld))
	require.Equal(t, 1, h.logsOut.LogRecordCount())
	assert.Equal(t, "all good", h.logsOut.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str())

	// Only findings: the whole batch is absorbed, nothing is passed on.
	require.NoError(t, h.logs.ConsumeLogs(context.Background(), findingLogs(t, time.Second, "c")))
	assert.Len(t, h.logsOut.AllLogs(), 1)
}

func TestNoLogsPipelineWarns(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	set := metadatatest.NewSettings(tt)
	set.ID = component.NewIDWithName(metadata.Type, "nologs")
	set.Logger = zap.New(core)
	p, err := NewFactory().CreateMetrics(context.Background(), set, createDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.Equal(t, 1, logs.FilterMessageSnippet("incidents have no way out").Len())

	registry.Lock()
	c := registry.m[set.ID]
	registry.Unlock()
	md := pmetric.NewMetrics()
	anomaly(md, []string{"service.name", "a"}, 0, "m", "spike", "up", 0.9)
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	c.now = func() time.Time { return t0.Add(time.Minute) }
	c.tick(context.Background())
	require.NoError(t, p.Shutdown(context.Background()))
	metadatatest.AssertEqualProcessorCorrelationRecordsDiscarded(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorCorrelationIncidentsOpened(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorCorrelationFindingsIn(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("source", "metrics"))},
	}, metricdatatest.IgnoreTimestamp())
}

// TestLogsPipelineDoesNotWarn: the same ID in a metrics and a logs pipeline
// has a way out (the logs pipeline), whichever instance starts first.
func TestLogsPipelineDoesNotWarn(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	set := newSettings(t)
	set.ID = component.NewIDWithName(metadata.Type, "withlogs")
	set.Logger = zap.New(core)
	mp, err := NewFactory().CreateMetrics(context.Background(), set, createDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	lp, err := NewFactory().CreateLogs(context.Background(), set, createDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, mp.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, lp.Start(context.Background(), componenttest.NewNopHost()))
	assert.Zero(t, logs.FilterMessageSnippet("no way out").Len())
	require.NoError(t, mp.Shutdown(context.Background()))
	require.NoError(t, lp.Shutdown(context.Background()))
}

func TestShutdownWithoutStartAndTwice(t *testing.T) {
	p, err := NewFactory().CreateLogs(context.Background(), newSettings(t), createDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, p.Shutdown(context.Background()))
	require.NoError(t, p.Shutdown(context.Background()))
	registry.Lock()
	defer registry.Unlock()
	assert.Empty(t, registry.m)
}

func TestTickerDrivesFlush(t *testing.T) {
	h := newHarness(t, createDefaultConfig().(*Config), 0, nil)
	require.NoError(t, h.logs.ConsumeLogs(context.Background(), findingLogs(t, 0, "a")))
	h.c.now = func() time.Time { return t0.Add(time.Minute) } // read by the goroutine only after the send below
	h.ticks <- time.Now()
	require.Eventually(t, func() bool { return len(updates(t, h.logsOut)) == 1 }, 5*time.Second, 10*time.Millisecond)
}

// newTestStorage returns contrib's file-backed test storage extension and a
// host with it: a client's contents are written on Close (the processor's
// Shutdown) and read back by the next GetClient, as across a restart.
func newTestStorage(t testing.TB) (*storagetest.TestStorage, component.Host) {
	st := storagetest.NewFileBackedStorageExtension("correlation", t.TempDir())
	return st, storagetest.NewStorageHost().WithExtension(st.ID, st)
}

// storedSnapshot returns the snapshot st holds for the processor owner, as
// its last client closed it.
func storedSnapshot(t testing.TB, st *storagetest.TestStorage, owner component.ID) []byte {
	t.Helper()
	c, err := st.GetClient(context.Background(), component.KindProcessor, owner, "")
	require.NoError(t, err)
	b, err := c.Get(context.Background(), snapshotKey)
	require.NoError(t, err)
	require.NoError(t, c.Close(context.Background()))
	return b
}

// putSnapshot stores a snapshot in st for the processor owner.
func putSnapshot(t testing.TB, st *storagetest.TestStorage, owner component.ID, b []byte) {
	t.Helper()
	c, err := st.GetClient(context.Background(), component.KindProcessor, owner, "")
	require.NoError(t, err)
	require.NoError(t, c.Set(context.Background(), snapshotKey, b))
	require.NoError(t, c.Close(context.Background()))
}

// liveSnapshot is the snapshot the running correlator's storage client holds
// (saved, but not yet written to disk by a Close).
func liveSnapshot(t testing.TB, h *harness) []byte {
	t.Helper()
	b, err := h.c.client.Get(context.Background(), snapshotKey)
	require.NoError(t, err)
	return b
}

// TestRestartKeepsOpenIncidents: state saved at shutdown is restored at
// start; the open incident resolves after the restart under the same ID.
func TestRestartKeepsOpenIncidents(t *testing.T) {
	st, host := newTestStorage(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &st.ID
	cfg.Dependencies = map[string][]string{"a": {"b"}}

	h1 := newHarness(t, cfg, 0, host)
	require.NoError(t, h1.logs.ConsumeLogs(context.Background(), findingLogs(t, 0, "a", "b")))
	h1.tick(t0.Add(time.Minute))
	opened := updates(t, h1.logsOut)
	require.Len(t, opened, 1)
	h1.shutdown()
	require.NotEmpty(t, storedSnapshot(t, st, newSettings(t).ID))

	h2 := newHarness(t, cfg, 0, host)
	require.NoError(t, h2.logs.ConsumeLogs(context.Background(), findingLogs(t, 2*time.Minute, "a")))
	h2.tick(t0.Add(time.Hour))
	ups := updates(t, h2.logsOut)
	require.NotEmpty(t, ups)
	last := ups[len(ups)-1]
	assert.Equal(t, incident.EventResolved, last.Event)
	assert.Equal(t, opened[0].Incident.ID, last.Incident.ID, "the restored incident resolves, no new one opens")
	assert.Equal(t, int64(3), last.Incident.TotalFindings)
}

func TestCorruptSnapshotStartsEmpty(t *testing.T) {
	st, host := newTestStorage(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &st.ID
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	set := metadatatest.NewSettings(tt)
	set.ID = component.NewIDWithName(metadata.Type, "corrupt")
	putSnapshot(t, st, set.ID, []byte("{not json"))
	h := newHarnessSet(t, set, cfg, 0, host)
	require.NoError(t, h.logs.ConsumeLogs(context.Background(), findingLogs(t, 0, "a")))
	h.tick(t0.Add(time.Minute))
	assert.Len(t, updates(t, h.logsOut), 1, "works after a corrupt snapshot")
	metadatatest.AssertEqualProcessorCorrelationSnapshotFailures(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("operation", "restore"))},
	}, metricdatatest.IgnoreTimestamp())
	h.tick(t0.Add(2 * time.Minute)) // saves the good state over the corrupt one
	assert.NotEqual(t, "{not json", string(liveSnapshot(t, h)))
}

func TestStorageErrors(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	missing := component.MustNewID("file_storage")
	cfg.Storage = &missing
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = p.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, `storage extension "file_storage" not found (add it to service::extensions)`)
	require.NoError(t, p.Shutdown(context.Background()))
}

// TestDropKeepsRefusedFindings: a record whose finding the engine refused
// (too many incidents) is passed on, and the drop is counted.
func TestDropKeepsRefusedFindings(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.DropAbsorbedFindings = true
	cfg.MaxOpenIncidents = 1
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	set := metadatatest.NewSettings(tt)
	set.ID = component.NewIDWithName(metadata.Type, "refused")
	h := newHarnessSet(t, set, cfg, 0, nil)
	require.NoError(t, h.logs.ConsumeLogs(context.Background(), findingLogs(t, 0, "a", "b")))
	require.Equal(t, 1, h.logsOut.LogRecordCount())
	v, _ := h.logsOut.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get(incidentlog.AttrFindingEntity)
	assert.Contains(t, v.AsString(), `"b"`)
	metadatatest.AssertEqualProcessorCorrelationFindingsDropped(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "too_many_incidents"))},
	}, metricdatatest.IgnoreTimestamp())
}

// TestCrashKeepsStateSavedOnTick: the state saved on a tick (no shutdown, as
// after kill -9) is enough for a new process to carry the open incident on.
func TestCrashKeepsStateSavedOnTick(t *testing.T) {
	st, host := newTestStorage(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &st.ID
	h1 := newHarness(t, cfg, 0, host)
	require.NoError(t, h1.logs.ConsumeLogs(context.Background(), findingLogs(t, 0, "a")))
	h1.tick(t0.Add(time.Minute)) // opens and saves
	opened := updates(t, h1.logsOut)
	require.Len(t, opened, 1)

	saved := liveSnapshot(t, h1) // what the disk holds at the crash
	require.NotEmpty(t, saved)
	set := newSettings(t)
	set.ID = component.NewIDWithName(metadata.Type, "after_crash")
	crashed, crashedHost := newTestStorage(t)
	putSnapshot(t, crashed, set.ID, saved)
	h2 := newHarnessSet(t, set, cfg, 0, crashedHost)
	h2.tick(t0.Add(time.Hour))
	ups := updates(t, h2.logsOut)
	require.Len(t, ups, 1)
	assert.Equal(t, incident.EventResolved, ups[0].Event)
	assert.Equal(t, opened[0].Incident.ID, ups[0].Incident.ID)
}
