// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadatatest"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

func TestSelfMetrics(t *testing.T) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	s, ts := sim(t, simulator.DefaultSpec())
	s.SetFault("/redfish/v1/Chassis/1U/Sensors/CPU1", &simulator.Fault{Status: 500})
	cfg := testConfig(bmcCfg("r1", ts.URL))
	f := newFleet(metadatatest.NewSettings(tt), cfg)
	require.NoError(t, f.start(context.Background(), componenttest.NewNopHost()))

	_, err := f.scrapeMetrics(context.Background())
	require.Error(t, err)
	ld, err := f.scrapeLogs(context.Background())
	require.NoError(t, err)
	require.Equal(t, 3, ld.LogRecordCount())

	bmcAttr := attribute.NewSet(attribute.String("bmc", "r1"))
	metadatatest.AssertEqualRedfishSessionsOpen(t, tt, []metricdata.DataPoint[int64]{{Attributes: bmcAttr, Value: 1}},
		metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualRedfishErrors(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("bmc", "r1"), attribute.String("kind", "http_5xx")), Value: 1,
	}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualRedfishLogRecords(t, tt, []metricdata.DataPoint[int64]{{Value: 3}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualRedfishBmcScrapeDuration(t, tt, []metricdata.HistogramDataPoint[float64]{{
		Attributes: bmcAttr, Count: 1,
		Bounds: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 120},
	}}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreValue(), metricdatatest.IgnoreExemplars())

	require.NoError(t, f.shutdown(context.Background()))
	metadatatest.AssertEqualRedfishSessionsOpen(t, tt, []metricdata.DataPoint[int64]{{Attributes: bmcAttr, Value: 0}},
		metricdatatest.IgnoreTimestamp())
}

func TestSkippedCounted(t *testing.T) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	s, ts := sim(t, simulator.DefaultSpec())
	s.SetFault("/redfish/v1/Chassis/1U/Sensors/CPU1", &simulator.Fault{Hang: true})
	f := newFleet(metadatatest.NewSettings(tt), testConfig(bmcCfg("r1", ts.URL)))
	require.NoError(t, f.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { _ = f.shutdown(context.Background()) })
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, _ = f.scrapeMetrics(ctx)
		cancel()
	}
	metadatatest.AssertEqualRedfishBmcScrapeSkipped(t, tt, []metricdata.DataPoint[int64]{{
		Attributes: attribute.NewSet(attribute.String("bmc", "r1")), Value: 2,
	}}, metricdatatest.IgnoreTimestamp())
	s.Close()
}

// Query options a BMC advertises but refuses or ignores are dropped once
// per log service and counted; so are health transitions the logs scraper
// could not take.
func TestFallbacksAndDropsCounted(t *testing.T) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	refuses, refusesTS := sim(t, bigSEL(3), func(s *simulator.Server) { s.TopSkipQuery = true }, claim(true, true))
	ignores, ignoresTS := sim(t, bigSEL(3), func(s *simulator.Server) { s.IgnoreQuery = true }, claim(true, true))
	f := newFleet(metadatatest.NewSettings(tt), testConfig(bmcCfg("refuses", refusesTS.URL), bmcCfg("ignores", ignoresTS.URL)))
	f.maxEvents = 1
	f.hasLogs.Store(true)
	require.NoError(t, f.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { _ = f.shutdown(context.Background()) })

	for i := range 4 {
		for _, s := range []*simulator.Server{refuses, ignores} {
			s.AddLogEntry(selEntry(10 + i))
		}
		_, err := f.scrapeLogs(context.Background())
		require.NoError(t, err)
	}
	set := func(bmc, query string) attribute.Set {
		return attribute.NewSet(attribute.String("bmc", bmc), attribute.String("query", query))
	}
	metadatatest.AssertEqualRedfishLogQueryFallbacks(t, tt, []metricdata.DataPoint[int64]{
		{Attributes: set("refuses", "$filter"), Value: 1},
		{Attributes: set("ignores", "$filter"), Value: 1},
		{Attributes: set("ignores", "$skip"), Value: 1},
	}, metricdatatest.IgnoreTimestamp())

	for _, fan := range []string{"Fan1", "Fan2"} { // two transitions, one may wait
		refuses.Set("/redfish/v1/Chassis/1U/ThermalSubsystem/Fans/"+fan, "Status", map[string]any{"State": "Enabled", "Health": "Critical"})
	}
	_, _ = f.scrapeMetrics(context.Background())
	metadatatest.AssertEqualRedfishHealthTransitionsDropped(t, tt, []metricdata.DataPoint[int64]{{Value: 1}},
		metricdatatest.IgnoreTimestamp())
}
