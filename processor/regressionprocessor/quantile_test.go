package regressionprocessor

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadatatest"
)

func TestExplicitQuantile(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name         string
		q            float64
		bounds       []float64
		counts       []uint64
		lo, hi, want float64
		ok           bool
	}{
		{"middle of a bucket", 0.5, []float64{10, 20}, []uint64{0, 10, 0}, nan, nan, 15, true},
		{"first bucket from 0", 0.5, []float64{10, 20}, []uint64{10, 0, 0}, nan, nan, 5, true},
		{"first bucket from min", 0.5, []float64{10, 20}, []uint64{10, 0, 0}, 6, nan, 8, true},
		{"overflow bucket: highest bound", 0.99, []float64{10, 20}, []uint64{0, 0, 4}, nan, nan, 20, true},
		{"overflow bucket up to max", 0.5, []float64{10, 20}, []uint64{0, 0, 4}, nan, 40, 30, true},
		{"p99 across buckets", 0.99, []float64{1, 2, 4}, []uint64{50, 49, 1, 0}, nan, nan, 2, true},
		{"empty", 0.5, []float64{1}, []uint64{0, 0}, nan, nan, 0, false},
		{"malformed", 0.5, []float64{1, 2}, []uint64{1, 1}, nan, nan, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := explicitQuantile(tt.q, tt.bounds, tt.counts, tt.lo, tt.hi)
			require.Equal(t, tt.ok, ok)
			assert.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

func TestExponentialQuantile(t *testing.T) {
	// scale 0: base 2, bucket i covers (2^i, 2^(i+1)].
	got, ok := exponentialQuantile(0.5, 0, 0, expBucket{0, []uint64{0, 10}}, expBucket{})
	require.True(t, ok)
	assert.InDelta(t, 3, got, 1e-9)
	got, _ = exponentialQuantile(0.25, 0, 10, expBucket{0, []uint64{0, 10}}, expBucket{0, []uint64{20}})
	assert.InDelta(t, -1.5, got, 1e-9, "negatives first, most negative first")
	got, _ = exponentialQuantile(0.5, 0, 10, expBucket{0, []uint64{0, 10}}, expBucket{0, []uint64{5}})
	assert.Zero(t, got, "the zero bucket")
	_, ok = exponentialQuantile(0.5, 3, 0, expBucket{}, expBucket{})
	assert.False(t, ok)
}

func TestSubBuckets(t *testing.T) {
	d, ok := subBuckets(nil, expBucket{2, []uint64{5, 7, 1}}, expBucket{3, []uint64{4}})
	require.True(t, ok)
	assert.Equal(t, []uint64{5, 3, 1}, d)
	_, ok = subBuckets(nil, expBucket{3, []uint64{5}}, expBucket{2, []uint64{1}})
	assert.False(t, ok, "a bucket of the previous histogram vanished: reset")
}

// TestExponentialHistogramQuantiles: each configured quantile of a delta
// exponential histogram is its own series, tagged aiops.quantile.
func TestExponentialHistogramQuantiles(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	var batches []pmetric.Metrics
	for i := 0; i < 5; i++ {
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("rpc.duration")
		h := m.SetEmptyExponentialHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		dp := h.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * time.Minute)))
		dp.SetScale(0)
		dp.Positive().SetOffset(0)
		dp.Positive().BucketCounts().FromRaw([]uint64{0, 10, 0, 1})
		dp.SetCount(11)
		batches = append(batches, md)
	}
	outs := runBatches(t, cfg, batches...)
	scores := derived(outs, MetricScore)
	require.Len(t, scores, 15)
	exp := derived(outs, MetricExpected)
	seen := map[string]bool{}
	for _, dp := range exp {
		seen[attr(dp, AttrQuantile)] = true
	}
	assert.Equal(t, map[string]bool{"0.5": true, "0.95": true, "0.99": true}, seen)
	assert.InDelta(t, 2+2*5.5/10, exp[0].DoubleValue(), 1e-9, "p50 in (2, 4]")
}

// TestCumulativeExponentialHistogram: a cumulative exponential histogram is
// scored per interval (the difference from the previous point); its first
// point and a reset only set the reference and are counted apart.
func TestCumulativeExponentialHistogram(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Emit.Mode = EmitAll
	cfg.Quantiles = []float64{0.5}
	p, sink, tt := canaryTestProcessor(t, cfg)
	// Cumulative positive buckets (scale 0: (1,2], (2,4], (4,8]); every
	// interval adds 10 observations in (2,4], then a reset at point 4.
	for i, counts := range [][]uint64{{0, 10, 0}, {0, 20, 0}, {0, 30, 0}, {0, 40, 1}, {0, 5, 0}, {0, 15, 0}} {
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("rpc.duration")
		h := m.SetEmptyExponentialHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dp := h.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * time.Minute)))
		dp.Positive().SetOffset(0)
		dp.Positive().BucketCounts().FromRaw(counts)
		dp.SetCount(counts[0] + counts[1] + counts[2])
		consume(t, p, md)
	}
	exp := derived(sink.AllMetrics(), MetricExpected)
	require.Len(t, exp, 4, "points 1, 2, 3 and 5: differences of their series' previous point")
	for _, dp := range exp {
		assert.Equal(t, "0.5", attr(dp, AttrQuantile))
	}
	assert.InDelta(t, 3, exp[0].DoubleValue(), 1e-9, "p50 of 10 observations in (2, 4]")
	metadatatest.AssertEqualProcessorRegressionPointsSkipped(t, tt, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "first_cumulative_point"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "counter_reset"))},
	}, metricdatatest.IgnoreTimestamp())
}
