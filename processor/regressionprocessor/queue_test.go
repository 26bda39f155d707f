package regressionprocessor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadatatest"
)

// gatedSink passes requests of the source through at once and holds the
// detection worker's requests (derived series only) until open is closed,
// or refuses them with refuse.
type gatedSink struct {
	inputs  consumertest.MetricsSink
	derived consumertest.MetricsSink
	open    chan struct{}
	entered chan struct{} // receives when a derived request arrives
	refuse  error
}

func newGatedSink() *gatedSink {
	return &gatedSink{open: make(chan struct{}), entered: make(chan struct{}, 100)}
}

func (*gatedSink) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (g *gatedSink) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	if !isDerived(md.ResourceMetrics().At(0)) {
		return g.inputs.ConsumeMetrics(ctx, md)
	}
	g.entered <- struct{}{}
	<-g.open
	if g.refuse != nil {
		return g.refuse
	}
	return g.derived.ConsumeMetrics(ctx, md)
}

func skipped(reason string, n int64) metricdata.DataPoint[int64] {
	return metricdata.DataPoint[int64]{Value: n, Attributes: attribute.NewSet(attribute.String("reason", reason))}
}

// queuedProcessor returns a started processor with the queue (size values)
// whose every point emits a score, the gated sink behind it and its
// telemetry.
func queuedProcessor(t *testing.T, size int, block bool) (*regressionProcessor, *gatedSink, *componenttest.Telemetry) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	cfg.Detection.Warmup = 0
	cfg.Queue = QueueConfig{Enabled: true, QueueSize: size, BlockOnOverflow: block}
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	g := newGatedSink()
	p := newTestProcessor(t, metadatatest.NewSettings(tt), cfg, g)
	t.Cleanup(func() { closeOnce(g.open) })
	return p, g, tt
}

func closeOnce(c chan struct{}) {
	select {
	case <-c:
	default:
		close(c)
	}
}

// points returns one batch of n gauge points of distinct series.
func points(i, n int) pmetric.Metrics {
	md := gauge("m", t0.Add(time.Duration(i)*time.Minute), float64(i), nil, nil)
	dps := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints()
	for j := 1; j < n; j++ {
		dp := dps.AppendEmpty()
		dps.At(0).CopyTo(dp)
		dp.Attributes().PutInt("j", int64(j))
	}
	return md
}

// TestQueueShedsWhenFull: while detection is behind (its derived series held
// downstream), requests still pass on at once; what does not fit the queue
// skips detection and is counted, and the queue gauge shows what waits.
func TestQueueShedsWhenFull(t *testing.T) {
	p, g, tt := queuedProcessor(t, 5, false)
	require.NoError(t, p.ConsumeMetrics(context.Background(), points(0, 3)))
	<-g.entered                                                               // the worker is stuck sending batch 0's scores
	require.NoError(t, p.ConsumeMetrics(context.Background(), points(1, 3)))  // queued: 3 of 5
	require.NoError(t, p.ConsumeMetrics(context.Background(), points(2, 3)))  // 6 > 5: shed
	require.NoError(t, p.ConsumeMetrics(context.Background(), points(3, 2)))  // queued: 5 of 5
	require.NoError(t, p.ConsumeMetrics(context.Background(), points(4, 20))) // larger than the queue: shed
	assert.Len(t, g.inputs.AllMetrics(), 5, "every request passed on")
	metadatatest.AssertEqualProcessorRegressionQueueSize(t, tt, []metricdata.DataPoint[int64]{{Value: 5}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorRegressionPointsSkipped(t, tt, []metricdata.DataPoint[int64]{skipped("queue_full", 23)}, metricdatatest.IgnoreTimestamp())

	close(g.open)
	p.sync()
	metadatatest.AssertEqualProcessorRegressionPointsEvaluated(t, tt, []metricdata.DataPoint[int64]{{Value: 8}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorRegressionQueueSize(t, tt, []metricdata.DataPoint[int64]{{Value: 0}}, metricdatatest.IgnoreTimestamp())
	assert.Len(t, g.derived.AllMetrics(), 3, "batches 0, 1 and 3 scored")
}

// TestQueueBlocksOnOverflow: with block_on_overflow a request waits for room
// (back-pressure) and nothing is shed; a request whose context ends while it
// waits passes on, its points counted as shed.
func TestQueueBlocksOnOverflow(t *testing.T) {
	p, g, tt := queuedProcessor(t, 4, true)
	require.NoError(t, p.ConsumeMetrics(context.Background(), points(0, 4)))
	<-g.entered
	require.NoError(t, p.ConsumeMetrics(context.Background(), points(1, 4))) // fills the queue

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.NoError(t, p.ConsumeMetrics(ctx, points(2, 1)))
	metadatatest.AssertEqualProcessorRegressionPointsSkipped(t, tt, []metricdata.DataPoint[int64]{skipped("queue_full", 1)}, metricdatatest.IgnoreTimestamp())

	var wg sync.WaitGroup
	wg.Add(1)
	returned := make(chan struct{})
	go func() {
		defer wg.Done()
		assert.NoError(t, p.ConsumeMetrics(context.Background(), points(3, 1)))
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("a request did not wait for room in a full queue")
	case <-time.After(50 * time.Millisecond):
	}
	close(g.open)
	wg.Wait()
	p.sync()
	metadatatest.AssertEqualProcessorRegressionPointsEvaluated(t, tt, []metricdata.DataPoint[int64]{{Value: 9}}, metricdatatest.IgnoreTimestamp())
}

// TestShutdownScoresWhatIsQueued: Shutdown lets the worker score and send
// on everything queued before it returns.
func TestShutdownScoresWhatIsQueued(t *testing.T) {
	p, g, tt := queuedProcessor(t, 1000, false)
	for i := 0; i < 20; i++ {
		require.NoError(t, p.ConsumeMetrics(context.Background(), points(i, 10)))
	}
	<-g.entered // batch 0 scored, 19 queued
	done := make(chan error)
	go func() { done <- p.Shutdown(context.Background()) }()
	select {
	case <-done:
		t.Fatal("Shutdown returned with batches queued")
	case <-time.After(50 * time.Millisecond):
	}
	close(g.open)
	require.NoError(t, <-done)
	assert.Len(t, g.derived.AllMetrics(), 20)
	metadatatest.AssertEqualProcessorRegressionPointsEvaluated(t, tt, []metricdata.DataPoint[int64]{{Value: 200}}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.ConsumeMetrics(context.Background(), points(20, 10)), "after Shutdown requests still pass on")
	assert.Len(t, g.inputs.AllMetrics(), 21)
}

// TestDerivedRefusedIsCounted: derived series the next consumer refuses are
// counted; detection goes on.
func TestDerivedRefusedIsCounted(t *testing.T) {
	p, g, tt := queuedProcessor(t, 1000, false)
	g.refuse = errors.New("exporter queue full")
	close(g.open)
	consume(t, p, points(0, 3))
	consume(t, p, points(1, 3))
	// Each point's score and band (expected, lower, upper).
	metadatatest.AssertEqualProcessorRegressionDerivedRefused(t, tt, []metricdata.DataPoint[int64]{{Value: 24}}, metricdatatest.IgnoreTimestamp())
	assert.Equal(t, 3, p.eng.Len())
}

// TestCaptureKeepsAttributeTypes: the points copied out for the worker keep
// every attribute type, so derived series carry the source's identity
// exactly, maps, slices and bytes included.
func TestCaptureKeepsAttributeTypes(t *testing.T) {
	md := gauge("m", t0, 1, map[string]any{"service.name": "api", "service.version": "2", "zone": int64(3)}, map[string]any{
		"s": "x", "i": int64(-7), "d": 2.5, "b": true,
		"m": map[string]any{"k": "v"}, "l": []any{int64(1), "two"},
	})
	dp := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0)
	dp.Attributes().PutEmptyBytes("raw").FromRaw([]byte{0, 1, 2})
	dp.Attributes().PutEmpty("none")
	want := dp.Attributes().AsRaw()
	wantRes := md.ResourceMetrics().At(0).Resource().Attributes().AsRaw()

	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	cfg.Detection.Warmup = 0
	_, derivedReq := splitQueued(t, runBatches(t, cfg, md))
	got := derived([]pmetric.Metrics{derivedReq}, MetricScore)
	require.Len(t, got, 1)
	attrs := got[0].Attributes().AsRaw()
	for k, v := range want {
		assert.Equal(t, v, attrs[k], k)
	}
	assert.Equal(t, "m", attrs[AttrMetricName])
	assert.Equal(t, wantRes, derivedReq.ResourceMetrics().At(0).Resource().Attributes().AsRaw())
}

// TestQueuedPointSize backs the README's sizing of the queue: a queued point
// takes a 96 B record plus 48 B per attribute (pointers and all), so the
// default 100k values of two-attribute points take about 20 MB.
func TestQueuedPointSize(t *testing.T) {
	assert.Equal(t, uintptr(96), unsafe.Sizeof(pointRec{}))
	assert.Equal(t, uintptr(48), unsafe.Sizeof(attrRec{}))
}
