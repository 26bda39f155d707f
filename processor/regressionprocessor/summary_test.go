package regressionprocessor

import (
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

// summaryBatch builds one summary metric with n points of one series (a
// point a minute) carrying p50, p90 and p99; p99 jumps tenfold at point
// `jump`.
func summaryBatch(n, jump int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "ledger")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("rpc.server.duration")
	m.SetUnit("ms")
	dps := m.SetEmptySummary().DataPoints()
	for i := 0; i < n; i++ {
		dp := dps.AppendEmpty()
		dp.Attributes().PutStr("rpc.method", "Post")
		dp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i+1) * time.Minute)))
		dp.SetCount(uint64(100 * (i + 1)))
		dp.SetSum(float64(1000 * (i + 1)))
		p99 := 40 + noise(i)
		if i >= jump {
			p99 *= 10
		}
		for _, qv := range [][2]float64{{0.5, 10 + noise(i)/5}, {0.9, 20 + noise(i)/2}, {0.99, p99}} {
			q := dp.QuantileValues().AppendEmpty()
			q.SetQuantile(qv[0])
			q.SetValue(qv[1])
		}
	}
	return md
}

// TestSummaryQuantiles: the configured quantiles a summary carries are each
// a series; a configured quantile it lacks is counted; a p99 regression
// opens an anomaly on the p99 series only.
func TestSummaryQuantiles(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Detection.Warmup = 10
	p, sink, tt := canaryTestProcessor(t, cfg)
	consume(t, p, summaryBatch(60, 50))
	assert.Equal(t, 2, p.eng.Len(), "p50 and p99; p95 is not carried, p90 not configured")
	metadatatest.AssertEqualProcessorRegressionPointsSkipped(t, tt, []metricdata.DataPoint[int64]{
		{Value: 60, Attributes: attribute.NewSet(attribute.String("reason", "missing_quantile"))},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorRegressionPointsEvaluated(t, tt, []metricdata.DataPoint[int64]{{Value: 120}}, metricdatatest.IgnoreTimestamp())
	events := derived(sink.AllMetrics(), MetricAnomaly)
	require.NotEmpty(t, events)
	assert.Equal(t, "open", attr(events[0], AttrState))
	assert.Equal(t, "up", attr(events[0], AttrDirection))
	for _, e := range events {
		assert.Equal(t, "0.99", attr(e, AttrQuantile))
		assert.Equal(t, "rpc.server.duration", attr(e, AttrMetricName))
		assert.Equal(t, "Post", attr(e, "rpc.method"))
	}
	assert.Equal(t, t0.Add(51*time.Minute), events[0].Timestamp().AsTime())
}

func TestSummaryQuantileMatching(t *testing.T) {
	var qvs []float64 // quantile/value pairs, as captured
	for _, q := range []float64{0.5, 0.95 + 1e-12, 0.951} {
		qvs = append(qvs, q, q*100)
	}
	v, ok := summaryQuantile(qvs, 0.95)
	assert.True(t, ok, "0.95 however encoded")
	assert.InDelta(t, 95, v, 1e-6)
	_, ok = summaryQuantile(qvs, 0.99)
	assert.False(t, ok)
	_, ok = summaryQuantile(nil, 0.5)
	assert.False(t, ok)
}
