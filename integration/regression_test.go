//go:build integration

package integration

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc/credentials/insecure"
)

const regressionConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Health}}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{.OTLP}}
processors:
  regression:
    metrics:
      include: [it.request.latency]
exporters:
  file:
    path: {{.MetricsFile}}
    flush_interval: 100ms
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [regression]
      exporters: [file]
`

// TestRegressionFlagsSpike sends a steady latency series that ends in a spike through the
// built binary's regression processor and expects the source series unchanged plus an
// aiops.anomaly event naming it.
func TestRegressionFlagsSpike(t *testing.T) {
	values := map[string]any{
		"Health":      freePort(t),
		"OTLP":        freePort(t),
		"MetricsFile": filepath.Join(t.TempDir(), "metrics.jsonl"),
	}
	startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", values["Health"]), nil,
		"--config", renderConfig(t, regressionConfig, values))

	conn, ctx := dialOTLP(t, values["OTLP"], insecure.NewCredentials())
	_, err := pmetricotlp.NewGRPCClient(conn).Export(ctx, pmetricotlp.NewExportRequestFromMetrics(latencyWithSpike()))
	require.NoError(t, err)

	eventually(t, 20*time.Second, "an aiops.anomaly event for it.request.latency", func() bool {
		md := readMetricsFile(t, values["MetricsFile"].(string))
		return hasMetric(md, "it.request.latency", "service.name") && anomalyFor(md, "it.request.latency")
	})
}

// latencyWithSpike: 300 one-minute points around 100 ms with a little deterministic
// wobble, then one point at 900 ms.
func latencyWithSpike() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "checkout")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("it.request.latency")
	m.SetUnit("ms")
	dps := m.SetEmptyGauge().DataPoints()
	start := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for i := range 301 {
		v := 100 + 5*math.Sin(float64(i)/3)
		if i == 300 {
			v = 900
		}
		dp := dps.AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * time.Minute)))
		dp.SetDoubleValue(v)
	}
	return md
}

func anomalyFor(md pmetric.Metrics, source string) bool {
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != "aiops.anomaly" || m.Type() != pmetric.MetricTypeGauge {
					continue
				}
				for _, dp := range m.Gauge().DataPoints().All() {
					if name, ok := dp.Attributes().Get("aiops.metric.name"); ok && name.Str() == source {
						return true
					}
				}
			}
		}
	}
	return false
}
