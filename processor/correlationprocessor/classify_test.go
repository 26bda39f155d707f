package correlationprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

func TestMetricClassifier(t *testing.T) {
	c := &metricClassifier{metric: defaultAnomalyMetric, scoreMetric: defaultAnomalyScoreMetric, severity: incident.SeverityWarning,
		entity: defaultEntityAttributes, source: "correlation"}
	md := pmetric.NewMetrics()
	anomaly(md, []string{"host.name", "node-7"}, 0, "hw.fan.speed", "dip", "down", 0.8, "hw.id", "fan-1")
	anomaly(md, []string{"host.name", "node-7"}, time.Minute, "hw.fan.speed", "dip", "down", 0.7, "hw.id", "fan-1")
	// ongoing, then close: the close point is not a finding.
	dps := md.ResourceMetrics().At(1).ScopeMetrics().At(0).Metrics().At(1).Gauge().DataPoints()
	dps.At(0).Attributes().PutStr(attrAnomalyState, "ongoing")
	cl := dps.AppendEmpty()
	dps.At(0).CopyTo(cl)
	cl.Attributes().PutStr(attrAnomalyState, "close")
	cl.SetIntValue(0)
	for _, rm := range md.ResourceMetrics().All() {
		require.True(t, c.hasAnomalies(rm))
	}

	fs := c.classify(md, nil)
	require.Len(t, fs, 2)
	assert.Equal(t, fs[0].Fingerprint, fs[1].Fingerprint, "open and ongoing share a fingerprint")
	assert.NotEqual(t, fs[0].ID, fs[1].ID)
	assert.Equal(t, "host.name=node-7,hw.id=fan-1", fs[0].Entity.Key())
	assert.Equal(t, incident.LayerHardware, fs[0].Entity.Layer())
	assert.InDelta(t, 0.8, fs[0].Score, 1e-9)
	assert.InDelta(t, 0.7, fs[1].Score, 1e-9)
	assert.Equal(t, "hw.fan.speed", fs[0].Signal)
	assert.Equal(t, "dip down on hw.fan.speed", fs[0].Title)
	assert.Equal(t, incident.SeverityWarning, fs[0].Severity)

	for _, rm := range hostMetrics().ResourceMetrics().All() {
		assert.False(t, c.hasAnomalies(rm))
	}
}

func TestTraceClassifier(t *testing.T) {
	c := traceClassifier{errorSpans: true, edges: true, entity: defaultEntityAttributes, source: "correlation",
		parents: map[pcommon.SpanID]string{}}
	td := ptrace.NewTraces()
	span(td, "web", 0, ptrace.SpanKindClient, "GET /api", 1, 0, "")                     // parent of the api server span
	span(td, "api", 0, ptrace.SpanKindServer, "GET /api", 2, 1, "boom")                 // error span, edge web→api
	span(td, "api", 0, ptrace.SpanKindClient, "SELECT", 3, 2, "", "peer.service", "db") // edge api→db
	span(td, "api", 0, ptrace.SpanKindClient, "GET", 4, 2, "", "server.address", "api") // self call: no edge
	span(td, "db", 0, ptrace.SpanKindServer, "SELECT", 5, 9, "")                        // unknown parent: no edge
	fs, edges := c.classify(td, nil, nil)
	require.Len(t, fs, 1)
	assert.Equal(t, incident.KindErrorSpan, fs[0].Kind)
	assert.Equal(t, "service.name=api", fs[0].Entity.Key())
	assert.Equal(t, "error in GET /api: boom", fs[0].Title)
	var got [][2]string
	for _, e := range edges {
		got = append(got, [2]string{e.client, e.server})
	}
	assert.ElementsMatch(t, [][2]string{{"web", "api"}, {"api", "db"}}, got)
}

// TestChangeLinked: a deploy log record before the trouble is linked to the
// incident and counts for its root cause.
func TestChangeLinked(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Dependencies = map[string][]string{"checkout": {"payments"}}
	h := newHarness(t, cfg, 0, nil)
	ld := plog.NewLogs()
	lr := logRecord(ld, []string{"service.name", "payments", "service.version", "1.4.2"}, -5*time.Minute, plog.SeverityNumberInfo,
		"deployed payments 1.4.2", "change.kind", "deploy", "change.from", "1.4.1", "change.to", "1.4.2")
	lr.SetEventName("deployment")
	logRecord(ld, []string{"service.name", "payments"}, 0, plog.SeverityNumberError, "db pool exhausted")
	logRecord(ld, []string{"service.name", "checkout"}, 10*time.Second, plog.SeverityNumberError, "payments returned 500")
	require.NoError(t, h.logs.ConsumeLogs(context.Background(), ld))
	h.tick(t0.Add(time.Minute))
	ups := updates(t, h.logsOut)
	require.Len(t, ups, 1)
	inc := ups[0].Incident
	require.Len(t, inc.Changes, 1)
	assert.Equal(t, incident.ChangeDeploy, inc.Changes[0].Kind)
	assert.Equal(t, "1.4.1", inc.Changes[0].From)
	assert.Equal(t, "1.4.2", inc.Changes[0].To)
	assert.Equal(t, "service.name=payments", inc.RootCauses[0].Entity.Key())
	assert.Equal(t, int64(2), inc.TotalFindings, "the change is linked, not counted as trouble")
}
