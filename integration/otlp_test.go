//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc/credentials/insecure"
)

// passthroughConfig: metrics from OTLP to a JSON file, logs from OTLP to an OTLP sink, so
// both the file and the otlp_grpc exporters of the distribution are exercised.
const passthroughConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Health}}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{.OTLP}}
processors:
  batch:
    timeout: 100ms
exporters:
  file:
    path: {{.MetricsFile}}
    flush_interval: 100ms
  otlp_grpc/sink:
    endpoint: {{.Sink}}
    tls:
      insecure: true
service:
  extensions: [health_check]
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{.Telemetry}}
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [file]
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [otlp_grpc/sink]
`

func TestOTLPMetricsAndLogsPassThrough(t *testing.T) {
	sink := startSink(t)
	values := map[string]any{
		"Health":      freePort(t),
		"OTLP":        freePort(t),
		"Telemetry":   freePort(t),
		"Sink":        sink.addr,
		"MetricsFile": filepath.Join(t.TempDir(), "metrics.jsonl"),
	}
	cfg := renderConfig(t, passthroughConfig, values)
	startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", values["Health"]), nil, "--config", cfg)

	conn, ctx := dialOTLP(t, values["OTLP"], insecure.NewCredentials())

	wantMetrics := sampleMetrics()
	_, err := pmetricotlp.NewGRPCClient(conn).Export(ctx, pmetricotlp.NewExportRequestFromMetrics(wantMetrics))
	require.NoError(t, err)
	wantLogs := sampleLogs()
	_, err = plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(wantLogs))
	require.NoError(t, err)

	var gotMetrics pmetric.Metrics
	eventually(t, 20*time.Second, "metrics in the file exporter's output", func() bool {
		gotMetrics = readMetricsFile(t, values["MetricsFile"].(string))
		return gotMetrics.DataPointCount() >= wantMetrics.DataPointCount()
	})
	require.NoError(t, pmetrictest.CompareMetrics(wantMetrics, gotMetrics))

	eventually(t, 20*time.Second, "logs at the OTLP sink", func() bool {
		return sink.receivedLogs().LogRecordCount() >= wantLogs.LogRecordCount()
	})
	require.NoError(t, plogtest.CompareLogs(wantLogs, sink.receivedLogs()))
}

func sampleMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("host.name", "it-host-1")
	rm.Resource().Attributes().PutStr("service.name", "checkout")
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("integration")
	g := sm.Metrics().AppendEmpty()
	g.SetName("it.queue.length")
	g.SetUnit("{item}")
	dps := g.SetEmptyGauge().DataPoints()
	ts := pcommon.NewTimestampFromTime(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	for i, v := range []float64{3, 5, 42} {
		dp := dps.AppendEmpty()
		dp.SetTimestamp(ts + pcommon.Timestamp(i)*pcommon.Timestamp(time.Second))
		dp.SetDoubleValue(v)
		dp.Attributes().PutStr("queue", "orders")
	}
	return md
}

func sampleLogs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "checkout")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("integration")
	lr := sl.LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Date(2026, 11, 21, 12, 0, 1, 0, time.UTC)))
	lr.SetSeverityNumber(plog.SeverityNumberError)
	lr.SetSeverityText("ERROR")
	lr.Body().SetStr("payment provider timed out")
	lr.Attributes().PutStr("error.type", "timeout")
	return ld
}

// readMetricsFile merges every JSON line the file exporter has written so far.
func readMetricsFile(t *testing.T, path string) pmetric.Metrics {
	t.Helper()
	out := pmetric.NewMetrics()
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	var u pmetric.JSONUnmarshaler
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		md, err := u.UnmarshalMetrics(sc.Bytes())
		if err != nil {
			continue // a line still being written
		}
		md.ResourceMetrics().MoveAndAppendTo(out.ResourceMetrics())
	}
	return out
}
