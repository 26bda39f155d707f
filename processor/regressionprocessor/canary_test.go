package regressionprocessor

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadatatest"
)

// deployment is one version of the checkout service reporting its latency
// from minute `from` on.
type deployment struct {
	version string
	from    int
	level   float64
}

// sideBySide builds one batch per minute with a gauge point of every
// deployment running then (same service, route and metric: one identity).
func sideBySide(minutes int, deps ...deployment) []pmetric.Metrics {
	var out []pmetric.Metrics
	for i := 0; i < minutes; i++ {
		md := pmetric.NewMetrics()
		for _, d := range deps {
			if i < d.from {
				continue
			}
			rm := md.ResourceMetrics().AppendEmpty()
			rm.Resource().Attributes().PutStr("service.name", "checkout")
			rm.Resource().Attributes().PutStr("service.version", d.version)
			m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
			m.SetName("http.server.latency")
			m.SetUnit("ms")
			dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
			dp.Attributes().PutStr("http.route", "/pay")
			dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * time.Minute)))
			dp.SetDoubleValue(d.level * (1 + noise(i+len(d.version))/100))
		}
		out = append(out, md)
	}
	return out
}

// derivedOnly returns the derived resources of outputs (those whose metrics
// are all aiops.* series) merged into one pmetric.Metrics, whether they
// came in requests of their own (queue) or after the input.
func derivedOnly(outs ...pmetric.Metrics) pmetric.Metrics {
	all := pmetric.NewMetrics()
	for _, md := range outs {
		for _, rm := range md.ResourceMetrics().All() {
			if isDerived(rm) {
				rm.CopyTo(all.ResourceMetrics().AppendEmpty())
			}
		}
	}
	return all
}

func isDerived(rm pmetric.ResourceMetrics) bool {
	for _, sm := range rm.ScopeMetrics().All() {
		for _, m := range sm.Metrics().All() {
			if !strings.HasPrefix(m.Name(), "aiops.") {
				return false
			}
		}
	}
	return true
}

func canaryTestProcessor(t *testing.T, cfg *Config) (*regressionProcessor, *consumertest.MetricsSink, *componenttest.Telemetry) {
	t.Helper()
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	sink := new(consumertest.MetricsSink)
	p := newTestProcessor(t, metadatatest.NewSettings(tt), cfg, sink)
	return p, sink, tt
}

func consumeAll(t *testing.T, p *regressionProcessor, batches []pmetric.Metrics) {
	t.Helper()
	for _, md := range batches {
		cp := pmetric.NewMetrics()
		md.CopyTo(cp)
		consume(t, p, cp)
	}
}

// TestCanarySlowerIsFlagged: a canary 30 % slower than the baseline running
// next to it opens a canary anomaly carrying both versions; the series'
// own baseline only learns the baseline version.
func TestCanarySlowerIsFlagged(t *testing.T) {
	p, sink, tt := canaryTestProcessor(t, createDefaultConfig().(*Config))
	consumeAll(t, p, sideBySide(70, deployment{"1.4.0", 0, 100}, deployment{"1.5.0", 10, 130}))

	events := derived(sink.AllMetrics(), MetricAnomaly)
	require.Len(t, events, 3, "comparisons at canary points 20, 40, 60")
	for i, e := range events {
		assert.Equal(t, "canary", attr(e, AttrKind))
		assert.Equal(t, "up", attr(e, AttrDirection))
		assert.Equal(t, []string{"open", "ongoing", "ongoing"}[i], attr(e, AttrState))
		assert.Equal(t, "1.5.0", attr(e, AttrCanaryVersion))
		assert.Equal(t, "1.4.0", attr(e, AttrBaselineVersion))
		assert.Equal(t, "http.server.latency", attr(e, AttrMetricName))
		assert.Equal(t, "/pay", attr(e, "http.route"))
	}
	change := derived(sink.AllMetrics(), MetricCanaryChange)
	require.Len(t, change, 3)
	assert.InDelta(t, 0.3, change[0].DoubleValue(), 0.03)
	assert.InDelta(t, 1, derived(sink.AllMetrics(), MetricCanaryEffect)[0].DoubleValue(), 0.01)
	assert.GreaterOrEqual(t, derived(sink.AllMetrics(), MetricCanaryScore)[0].DoubleValue(), 0.6)

	assert.Equal(t, uint64(70), p.eng.Stats().Points, "the canary's 60 points stay out of the series' baseline")
	metadatatest.AssertEqualProcessorRegressionCanaryComparisons(t, tt, []metricdata.DataPoint[int64]{{Value: 3}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorRegressionAnomaliesOpened(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("kind", "canary"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorRegressionPointsEvaluated(t, tt, []metricdata.DataPoint[int64]{{Value: 130}}, metricdatatest.IgnoreTimestamp())
}

// TestIdenticalVersionsAreNotFlagged: two versions with the same latency
// give comparisons (emit mode all shows them) with score 0 and no event.
func TestIdenticalVersionsAreNotFlagged(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	p, sink, _ := canaryTestProcessor(t, cfg)
	consumeAll(t, p, sideBySide(130, deployment{"1.4.0", 0, 100}, deployment{"1.4.1", 10, 100}))
	scores := derived(sink.AllMetrics(), MetricCanaryScore)
	require.Len(t, scores, 6)
	for _, s := range scores {
		assert.Zero(t, s.DoubleValue())
		assert.Equal(t, "1.4.1", attr(s, AttrCanaryVersion))
	}
	for _, e := range derived(sink.AllMetrics(), MetricAnomaly) {
		assert.NotEqual(t, "canary", attr(e, AttrKind))
	}
}

// TestCanaryCaps: a version over max_versions and an identity over
// max_groups are not compared, not learnt, and counted.
func TestCanaryCaps(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Canary.MaxVersions = 2
	cfg.Canary.MaxGroups = 1
	p, sink, tt := canaryTestProcessor(t, cfg)
	three := sideBySide(30, deployment{"1", 0, 100}, deployment{"2", 0, 100}, deployment{"3", 0, 200})
	for _, md := range three { // a second service: a second identity
		rms := md.ResourceMetrics()
		for i, n := 0, rms.Len(); i < n; i++ {
			rm := rms.AppendEmpty()
			rms.At(i).CopyTo(rm)
			rm.Resource().Attributes().PutStr("service.name", "cart")
		}
	}
	consumeAll(t, p, three)
	metadatatest.AssertEqualProcessorRegressionPointsSkipped(t, tt, []metricdata.DataPoint[int64]{
		{Value: 30, Attributes: attribute.NewSet(attribute.String("reason", "canary_max_versions"))},
		{Value: 60, Attributes: attribute.NewSet(attribute.String("reason", "canary_max_groups"))},
	}, metricdatatest.IgnoreTimestamp())
	assert.Equal(t, uint64(60), p.eng.Stats().Points, "each service's series learns its baseline version only")
	assert.Empty(t, derived(sink.AllMetrics(), MetricAnomaly), "version 3 (twice as slow) was not compared")
	assert.Equal(t, 1, p.canary.Comparing())
}

// TestCanaryOff: with canary.enabled false, versions side by side feed
// the one series as before.
func TestCanaryOff(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Canary.Enabled = false
	p, sink, _ := canaryTestProcessor(t, cfg)
	consumeAll(t, p, sideBySide(70, deployment{"1.4.0", 0, 100}, deployment{"1.5.0", 10, 130}))
	assert.Nil(t, p.canary)
	assert.Empty(t, derived(sink.AllMetrics(), MetricCanaryScore))
	st := p.eng.Stats()
	assert.Equal(t, uint64(70), st.Points)
	assert.Equal(t, uint64(60), st.OutOfOrder, "the canary's points reach the series and collide with the baseline's timestamps")
}

// TestCanaryGolden compares the derived series of a canary run (one batch
// per minute) with testdata/canary/expected.yaml.
func TestCanaryGolden(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	inputs := sideBySide(70, deployment{"1.4.0", 0, 100}, deployment{"1.5.0", 10, 130})
	got := derivedOnly(runBatches(t, cfg, inputs...)...)
	path := filepath.Join("testdata", "canary", "expected.yaml")
	if *update {
		require.NoError(t, golden.WriteMetricsToFile(path, got, golden.SkipMetricTimestampNormalization()))
	}
	require.NoError(t, pmetrictest.CompareMetrics(readMetrics(t, path), got))
}

// TestCanaryCumulativeHistogram: each version of a cumulative histogram is
// differenced against its own previous point, so two versions side by side
// are two streams (no resets) and the canary's quantiles are compared.
func TestCanaryCumulativeHistogram(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Quantiles = []float64{0.5}
	p, sink, tt := canaryTestProcessor(t, cfg)
	var batches []pmetric.Metrics
	for i := 0; i < 30; i++ {
		md := pmetric.NewMetrics()
		for _, d := range []struct {
			version string
			bucket  int
		}{{"1.0", 1}, {"1.1", 2}} { // the canary's requests land one bucket higher
			v, bucket := d.version, d.bucket
			rm := md.ResourceMetrics().AppendEmpty()
			rm.Resource().Attributes().PutStr("service.name", "checkout")
			rm.Resource().Attributes().PutStr("service.version", v)
			m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
			m.SetName("http.server.request.duration")
			h := m.SetEmptyHistogram()
			h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			dp := h.DataPoints().AppendEmpty()
			dp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0))
			dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i+1) * time.Minute)))
			dp.ExplicitBounds().FromRaw([]float64{10, 25, 50})
			counts := make([]uint64, 4)
			counts[bucket] = uint64(10 * (i + 1))
			counts[0] = uint64((i + 1) * 3 / 2) // 1 or 2 more fast requests each minute
			dp.BucketCounts().FromRaw(counts)
			dp.SetCount(counts[0] + counts[bucket])
		}
		batches = append(batches, md)
	}
	consumeAll(t, p, batches)
	metadatatest.AssertEqualProcessorRegressionPointsSkipped(t, tt, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String("reason", "first_cumulative_point"))},
	}, metricdatatest.IgnoreTimestamp())
	events := derived(sink.AllMetrics(), MetricAnomaly)
	require.Len(t, events, 1, "one window of 20 canary intervals")
	assert.Equal(t, "canary", attr(events[0], AttrKind))
	assert.Equal(t, "0.5", attr(events[0], AttrQuantile))
}

// canaryBenchBatches builds batches of 1000 gauge points: nIDs identities
// (by route) of the checkout service, each reported by every version.
func canaryBenchBatches(nIDs int, versions ...string) []pmetric.Metrics {
	var out []pmetric.Metrics
	md := pmetric.NewMetrics()
	points := 0
	for id := 0; id < nIDs; id++ {
		for _, v := range versions {
			rm := md.ResourceMetrics().AppendEmpty()
			rm.Resource().Attributes().PutStr("service.name", "checkout")
			rm.Resource().Attributes().PutStr("service.version", v)
			m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
			m.SetName("http.server.latency")
			dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
			dp.Attributes().PutInt("route", int64(id))
			if points++; points%1000 == 0 {
				out, md = append(out, md), pmetric.NewMetrics()
			}
		}
	}
	if md.ResourceMetrics().Len() > 0 {
		out = append(out, md)
	}
	return out
}

// stamp sets every point of the batches to minute r and a noisy value.
func stamp(batches []pmetric.Metrics, r int) {
	ts := pcommon.NewTimestampFromTime(t0.Add(time.Duration(r) * time.Minute))
	for bi, md := range batches {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			dp := rms.At(i).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0)
			dp.SetTimestamp(ts)
			dp.SetDoubleValue(100 + noise(bi+i+r))
		}
	}
}

// derivedResources counts the resources the processor appended (their first
// metric is a derived aiops.* one).
func derivedResources(md pmetric.Metrics) int {
	n := 0
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		if strings.HasPrefix(rms.At(i).ScopeMetrics().At(0).Metrics().At(0).Name(), "aiops.") {
			n++
		}
	}
	return n
}

// BenchmarkCanary measures ConsumeMetrics per point with versioned series:
// one version per series with the canary comparison on and off (the cost of
// watching for a second version), and every series with two versions side
// by side (compared; the canary's points go to the comparison instead of
// the detectors).
func BenchmarkCanary(b *testing.B) {
	for _, bc := range []struct {
		name     string
		enabled  bool
		versions []string
	}{
		{"one_version/canary_off", false, []string{"1.0"}},
		{"one_version/canary_on", true, []string{"1.0"}},
		{"side_by_side", true, []string{"1.0", "1.1"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			cfg.Canary.Enabled = bc.enabled
			cfg.Canary.MaxGroups = 10_000
			cfg.Queue.Enabled = false // the whole cost in the call (no worker runs here)
			p, err := newProcessor(metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, consumertest.NewNop())
			require.NoError(b, err)
			batches := canaryBenchBatches(10_000/len(bc.versions), bc.versions...)
			ctx := context.Background()
			round := 0
			// feed stamps the next minute and consumes every batch; only
			// ConsumeMetrics is timed.
			feed := func() {
				b.StopTimer()
				stamp(batches, round)
				round++
				b.StartTimer()
				for _, md := range batches {
					_ = p.ConsumeMetrics(ctx, md)
					b.StopTimer()
					trim(md, md.ResourceMetrics().Len()-derivedResources(md))
					b.StartTimer()
				}
			}
			for range 60 { // past warm-up
				feed()
			}
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				feed()
				n += 10_000
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/point")
			require.NoError(b, p.Shutdown(ctx))
		})
	}
}

// TestCanaryPromotion: when the baseline version stops, the flagged canary's
// anomaly closes, the canary becomes the series, and the series' own
// detectors judge the change against what they learnt from the baseline.
func TestCanaryPromotion(t *testing.T) {
	p, sink, _ := canaryTestProcessor(t, createDefaultConfig().(*Config))
	old := sideBySide(80, deployment{"1.4.0", 0, 100})[:80]
	both := sideBySide(160, deployment{"1.5.0", 50, 130})
	for i := range 160 {
		md := both[i]
		if i < 80 { // 1.4.0 reports until minute 79
			old[i].ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
		}
		consume(t, p, md)
	}
	events := derived(sink.AllMetrics(), MetricAnomaly)
	var kinds, states []string
	for _, e := range events {
		kinds, states = append(kinds, attr(e, AttrKind)), append(states, attr(e, AttrState))
	}
	require.GreaterOrEqual(t, len(events), 4)
	assert.Equal(t, []string{"canary", "canary", "canary"}, kinds[:3])
	assert.Equal(t, []string{"open", "ongoing", "close"}, states[:3])
	assert.Equal(t, t0.Add(90*time.Minute), events[2].Timestamp().AsTime(), "1.4.0 silent for more than version_ttl")
	assert.Equal(t, "1.4.0", attr(events[2], AttrBaselineVersion))
	assert.Equal(t, "open", states[3], "the series, now 1.5.0, flags the shift from 1.4.0's level")
	assert.Equal(t, "up", attr(events[3], AttrDirection))
	assert.Empty(t, attr(events[3], AttrCanaryVersion))
	assert.False(t, events[3].Timestamp().AsTime().Before(t0.Add(90*time.Minute)))
}
