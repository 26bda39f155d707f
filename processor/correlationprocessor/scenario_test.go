package correlationprocessor

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

var (
	update      = flag.Bool("update", false, "regenerate expected_incidents.yaml of the scenarios")
	writeInputs = flag.Bool("write-inputs", false, "regenerate the scenarios' input files from the builders in scenario_test.go")
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func ts(d time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t0.Add(d)) }

// scenario is one directory of testdata/scenarios: inputs fed in the order
// traces, metrics, logs, then one tick at tickAt; the incident records the
// logs pipeline received are compared with expected_incidents.yaml.
type scenario struct {
	name    string
	tickAt  time.Duration
	traces  func() ptrace.Traces
	metrics func() pmetric.Metrics
	logs    func() plog.Logs
	check   func(t *testing.T, ups []incident.Update)
}

func putAttrs(m pcommon.Map, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		m.PutStr(kv[i], kv[i+1])
	}
}

// anomaly adds one regression-processor anomaly event (and its score).
func anomaly(md pmetric.Metrics, res []string, at time.Duration, metric, kind, dir string, score float64, dpAttrs ...string) {
	rm := md.ResourceMetrics().AppendEmpty()
	putAttrs(rm.Resource().Attributes(), res...)
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor")
	sc := sm.Metrics().AppendEmpty()
	sc.SetName(defaultAnomalyScoreMetric)
	dp := sc.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(ts(at))
	dp.SetDoubleValue(score)
	putAttrs(dp.Attributes(), dpAttrs...)
	dp.Attributes().PutStr(attrMetricName, metric)
	m := sm.Metrics().AppendEmpty()
	m.SetName(defaultAnomalyMetric)
	dp = m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(ts(at))
	dp.SetIntValue(1)
	putAttrs(dp.Attributes(), dpAttrs...)
	putAttrs(dp.Attributes(), attrMetricName, metric, attrAnomalyKind, kind, attrAnomalyDirection, dir, attrAnomalyState, "open")
}

func logRecord(ld plog.Logs, res []string, at time.Duration, sev plog.SeverityNumber, body string, attrs ...string) plog.LogRecord {
	rl := ld.ResourceLogs().AppendEmpty()
	putAttrs(rl.Resource().Attributes(), res...)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(ts(at))
	lr.SetObservedTimestamp(ts(at + time.Second))
	lr.SetSeverityNumber(sev)
	lr.Body().SetStr(body)
	putAttrs(lr.Attributes(), attrs...)
	return lr
}

func span(td ptrace.Traces, svc string, at time.Duration, kind ptrace.SpanKind, name string, id byte, parent byte, errMsg string, attrs ...string) {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", svc)
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{1, id})
	sp.SetSpanID(pcommon.SpanID{id})
	if parent != 0 {
		sp.SetParentSpanID(pcommon.SpanID{parent})
	}
	sp.SetName(name)
	sp.SetKind(kind)
	sp.SetStartTimestamp(ts(at))
	sp.SetEndTimestamp(ts(at + 200*time.Millisecond))
	if errMsg != "" {
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage(errMsg)
	}
	putAttrs(sp.Attributes(), attrs...)
}

// The DESIGN.md cascade: a fan fails on host node-7 → the CPU heats up →
// run-queue latency climbs on node-7 → payments (on node-7) slows down → its
// caller checkout errors, and frontend above it.
var fanCascade = scenario{
	name:   "fan_cascade",
	tickAt: 10 * time.Minute,
	traces: func() ptrace.Traces {
		td := ptrace.NewTraces()
		span(td, "frontend", -10*time.Minute, ptrace.SpanKindClient, "GET /checkout", 1, 0, "", "peer.service", "checkout")
		span(td, "checkout", -10*time.Minute, ptrace.SpanKindServer, "GET /checkout", 2, 1, "")
		span(td, "checkout", -10*time.Minute, ptrace.SpanKindClient, "POST /pay", 3, 2, "", "server.address", "payments")
		span(td, "checkout", 3*time.Minute+40*time.Second, ptrace.SpanKindServer, "GET /checkout", 4, 0, "payment timeout")
		return td
	},
	metrics: func() pmetric.Metrics {
		md := pmetric.NewMetrics()
		node7 := []string{"host.name", "node-7"}
		anomaly(md, node7, 0, "hw.fan.speed", "dip", "down", 0.97, "hw.id", "fan-1", "hw.type", "fan")
		anomaly(md, node7, time.Minute, "hw.temperature", "spike", "up", 0.91, "hw.id", "cpu-0", "hw.type", "cpu")
		anomaly(md, node7, 2*time.Minute, "sched.runqueue.latency", "level_shift", "up", 0.88)
		anomaly(md, []string{"service.name", "payments", "host.name", "node-7", "k8s.node.name", "node-7"}, 3*time.Minute,
			"http.server.request.duration", "spike", "up", 0.93, "aiops.quantile", "0.95")
		// A healthy series: no finding.
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("host.name", "node-2")
		g := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		g.SetName("system.cpu.utilization")
		dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(ts(0))
		dp.SetDoubleValue(0.2)
		return md
	},
	logs: func() plog.Logs {
		ld := plog.NewLogs()
		// The redfish receiver's hardware state change, just before the dip.
		lr := logRecord(ld, []string{"host.name", "node-7"}, -20*time.Second, plog.SeverityNumberWarn,
			`Fan "System Fan 1" (fan-1): OK -> Warning`,
			"hw.id", "fan-1", "hw.type", "fan", "hw.name", "System Fan 1", "hw.state", "Warning", "hw.state.previous", "OK")
		lr.SetEventName("hw.state_change")
		logRecord(ld, []string{"service.name", "checkout", "host.name", "node-2"}, 3*time.Minute+30*time.Second, plog.SeverityNumberError,
			"payment call failed: context deadline exceeded", "exception.type", "TimeoutError")
		logRecord(ld, []string{"service.name", "frontend", "host.name", "node-3"}, 4*time.Minute, plog.SeverityNumberError,
			"checkout returned 502")
		logRecord(ld, []string{"service.name", "frontend", "host.name", "node-3"}, 4*time.Minute, plog.SeverityNumberInfo,
			"GET / 200") // not a finding
		return ld
	},
	check: func(t *testing.T, ups []incident.Update) {
		require.NotEmpty(t, ups)
		ids := map[string]bool{}
		for _, u := range ups {
			ids[u.Incident.ID] = true
		}
		assert.Len(t, ids, 1, "the cascade must fold into ONE incident")
		last := ups[len(ups)-1].Incident
		require.NotEmpty(t, last.RootCauses)
		rc := last.RootCauses[0].Entity
		hw, _ := rc.Get("hw.id")
		host, _ := rc.Get("host.name")
		assert.Equal(t, "fan-1", hw, "root cause: %+v", last.RootCauses[0])
		assert.Equal(t, "node-7", host)
		assert.Subset(t, last.Services, []string{"payments", "checkout", "frontend"})
		assert.Equal(t, int64(8), last.TotalFindings)
	},
}

// A bad deploy of payments: latency regresses after it, Alertmanager fires
// for checkout (webhook_event body), frontend spans error; an unrelated
// error log on another service opens its own incident.
var deployRegression = scenario{
	name:   "deploy_regression",
	tickAt: 10 * time.Minute,
	traces: func() ptrace.Traces {
		td := ptrace.NewTraces()
		span(td, "frontend", -10*time.Minute, ptrace.SpanKindClient, "GET /checkout", 1, 0, "", "peer.service", "checkout")
		span(td, "checkout", -10*time.Minute, ptrace.SpanKindClient, "POST /pay", 2, 0, "", "peer.service", "payments")
		span(td, "frontend", 2*time.Minute, ptrace.SpanKindServer, "GET /", 3, 0, "upstream 502")
		return td
	},
	metrics: func() pmetric.Metrics {
		md := pmetric.NewMetrics()
		anomaly(md, []string{"service.name", "payments", "service.version", "2.0.0"}, 0, "http.server.request.duration", "post_change", "up", 0.95,
			"aiops.quantile", "0.99")
		return md
	},
	logs: func() plog.Logs {
		ld := plog.NewLogs()
		lr := logRecord(ld, []string{"service.name", "payments", "service.version", "2.0.0"}, -4*time.Minute, plog.SeverityNumberInfo,
			"payments 2.0.0 rolled out", "change.kind", "deploy", "change.from", "1.9.3", "change.to", "2.0.0", "deployment.id", "42")
		lr.SetEventName("deployment")
		logRecord(ld, []string{"service.name", "webhookeventreceiver"}, time.Minute, plog.SeverityNumberUnspecified,
			`{"version":"4","groupKey":"{}:{alertname=\"CheckoutErrors\"}","status":"firing","alerts":[`+
				`{"status":"firing","labels":{"alertname":"CheckoutErrors","service":"checkout","severity":"error"},`+
				`"annotations":{"summary":"checkout 5xx above 5%"},"startsAt":"2026-11-21T10:01:00Z","fingerprint":"f1"}]}`)
		logRecord(ld, []string{"service.name", "reporting", "host.name", "node-9"}, 2*time.Minute, plog.SeverityNumberError,
			"nightly export failed: disk quota exceeded")
		return ld
	},
	check: func(t *testing.T, ups []incident.Update) {
		byID := map[string]incident.Incident{}
		for _, u := range ups {
			byID[u.Incident.ID] = u.Incident
		}
		require.Len(t, byID, 2, "the deploy storm and the unrelated error")
		var storm incident.Incident
		for _, inc := range byID {
			if slices.Contains(inc.Services, "payments") {
				storm = inc
			}
		}
		require.NotEmpty(t, storm.ID)
		assert.Equal(t, "service.name=payments", storm.RootCauses[0].Entity.Key())
		require.Len(t, storm.Changes, 1)
		assert.Equal(t, "2.0.0", storm.Changes[0].To)
		assert.Subset(t, storm.Services, []string{"payments", "checkout", "frontend"})
		assert.NotContains(t, storm.Services, "reporting")
	},
}

func TestScenarios(t *testing.T) {
	for _, sc := range []scenario{fanCascade, deployRegression} {
		t.Run(sc.name, func(t *testing.T) {
			dir := filepath.Join("testdata", "scenarios", sc.name)
			if *writeInputs {
				require.NoError(t, os.MkdirAll(dir, 0o755))
				require.NoError(t, golden.WriteTracesToFile(filepath.Join(dir, "input_traces.yaml"), sc.traces()))
				require.NoError(t, golden.WriteMetricsToFile(filepath.Join(dir, "input_metrics.yaml"), sc.metrics(), golden.SkipMetricTimestampNormalization()))
				require.NoError(t, golden.WriteLogsToFile(filepath.Join(dir, "input_logs.yaml"), sc.logs()))
			}
			td, err := golden.ReadTraces(filepath.Join(dir, "input_traces.yaml"))
			require.NoError(t, err)
			md, err := golden.ReadMetrics(filepath.Join(dir, "input_metrics.yaml"))
			require.NoError(t, err)
			ld, err := golden.ReadLogs(filepath.Join(dir, "input_logs.yaml"))
			require.NoError(t, err)

			h := newHarness(t, createDefaultConfig().(*Config), 0, nil)
			h.now = t0.Add(-time.Hour)
			ctx := context.Background()
			require.NoError(t, h.traces.ConsumeTraces(ctx, td))
			require.NoError(t, h.metrics.ConsumeMetrics(ctx, md))
			require.NoError(t, h.logs.ConsumeLogs(ctx, ld))
			h.tick(t0.Add(sc.tickAt))

			got := incidentRecords(h.logsOut)
			expPath := filepath.Join(dir, "expected_incidents.yaml")
			if *update {
				require.NoError(t, golden.WriteLogsToFile(expPath, got))
			}
			want, err := golden.ReadLogs(expPath)
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(want, got))
			sc.check(t, updates(t, h.logsOut))
		})
	}
}
