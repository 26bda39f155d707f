package correlationprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

func newLogClassifier(t testing.TB, cfg *Config) *logClassifier {
	rules, err := compileRules(cfg, newSettings(t).TelemetrySettings)
	require.NoError(t, err)
	return &logClassifier{rules: rules, source: "correlation"}
}

func classifyAll(t testing.TB, c *logClassifier, ld plog.Logs) ([]incident.Finding, int, int) {
	var fs []incident.Finding
	matched, invalid := 0, 0
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				var m bool
				var bad int
				fs, m, bad = c.classify(context.Background(), rl, sl, lr, fs)
				if m {
					matched++
				}
				invalid += bad
			}
		}
	}
	return fs, matched, invalid
}

const alertmanagerPayload = `{
  "version": "4", "groupKey": "{}:{alertname=\"HighLatency\"}", "status": "firing", "receiver": "aiops",
  "alerts": [
    {"status": "firing", "labels": {"alertname": "HighLatency", "service": "payments", "instance": "node-7:9100", "severity": "critical"},
     "annotations": {"summary": "p95 latency above 2s", "description": "payments p95 is 3.1s"},
     "startsAt": "2026-11-21T10:01:00Z", "generatorURL": "http://prom/graph", "fingerprint": "abc123"},
    {"status": "resolved", "labels": {"alertname": "DiskFull", "instance": "node-1:9100"}, "startsAt": "2026-11-21T09:00:00Z"},
    {"status": "firing", "labels": {"alertname": "NodeDown", "node": "node-9"}, "startsAt": "0001-01-01T00:00:00Z"}
  ]
}`

func TestDefaultRules(t *testing.T) {
	c := newLogClassifier(t, createDefaultConfig().(*Config))
	for _, tt := range []struct {
		name  string
		build func(ld plog.Logs)
		want  []incident.Finding // compared on Kind, Severity, Time, Entity key, Signal, Title, Evidence
	}{
		{"alertmanager webhook (body text)", func(ld plog.Logs) {
			logRecord(ld, []string{"service.name", "webhookeventreceiver"}, time.Minute, plog.SeverityNumberUnspecified, alertmanagerPayload)
		}, []incident.Finding{
			{Kind: incident.KindAlert, Severity: incident.SeverityCritical, Time: t0.Add(time.Minute),
				Entity: incident.NewEntity(map[string]string{"service.name": "payments", "host.name": "node-7"}),
				Signal: "HighLatency", Title: "p95 latency above 2s",
				Evidence: map[string]string{"alertname": "HighLatency", "generator_url": "http://prom/graph", "severity": "critical"}},
			{Kind: incident.KindAlert, Severity: incident.SeverityWarning, Time: t0.Add(time.Minute),
				Entity: incident.NewEntity(map[string]string{"k8s.node.name": "node-9"}),
				Signal: "NodeDown", Title: "NodeDown firing", Evidence: map[string]string{"alertname": "NodeDown"}},
		}},
		{"deploy event", func(ld plog.Logs) {
			lr := logRecord(ld, []string{"service.name", "payments", "service.version", "1.4.2"}, 0, plog.SeverityNumberInfo,
				"deployed payments 1.4.2", "change.kind", "deploy", "change.from", "1.4.1", "change.to", "1.4.2")
			lr.SetEventName("deployment")
		}, []incident.Finding{
			{Kind: incident.KindChange, Severity: incident.SeverityInfo, Time: t0,
				Entity: incident.NewEntity(map[string]string{"service.name": "payments"}),
				Signal: ruleChanges, Title: "deployed payments 1.4.2",
				Evidence: map[string]string{"change.kind": "deploy", "change.from": "1.4.1", "change.to": "1.4.2"}},
		}},
		{"kubernetes warning event", func(ld plog.Logs) {
			logRecord(ld, []string{"k8s.object.kind", "Pod", "k8s.object.name", "payments-7f9", "k8s.node.name", "node-7"}, 0,
				plog.SeverityNumberWarn, "Back-off restarting failed container",
				"k8s.event.reason", "BackOff", "k8s.namespace.name", "shop")
		}, []incident.Finding{
			{Kind: incident.KindK8sEvent, Severity: incident.SeverityWarning, Time: t0,
				Entity: incident.NewEntity(map[string]string{"k8s.object.kind": "Pod", "k8s.object.name": "payments-7f9", "k8s.node.name": "node-7", "k8s.namespace.name": "shop"}),
				Signal: ruleK8sEvents, Title: "Back-off restarting failed container",
				Evidence: map[string]string{"k8s.event.reason": "BackOff"}},
		}},
		{"normal kubernetes event", func(ld plog.Logs) {
			logRecord(ld, nil, 0, plog.SeverityNumberInfo, "Pulled image", "k8s.event.reason", "Pulled")
		}, nil},
		{"redfish hardware event", func(ld plog.Logs) {
			logRecord(ld, []string{"host.name", "node-7"}, 0, plog.SeverityNumberError, "PSU 2 failed",
				"hw.id", "psu-2", "hw.type", "power_supply", "hw.state", "Critical")
		}, []incident.Finding{
			{Kind: incident.KindHardware, Severity: incident.SeverityError, Time: t0,
				Entity: incident.NewEntity(map[string]string{"host.name": "node-7", "hw.id": "psu-2"}),
				Signal: ruleHardware, Title: "PSU 2 failed",
				Evidence: map[string]string{"hw.type": "power_supply", "hw.state": "Critical"}},
		}},
		{"error log", func(ld plog.Logs) {
			logRecord(ld, []string{"service.name", "checkout", "host.name", "node-2"}, 0, plog.SeverityNumberFatal,
				"panic: nil map\ngoroutine 1 [running]:", "exception.type", "runtime.Error")
		}, []incident.Finding{
			{Kind: incident.KindErrorLog, Severity: incident.SeverityCritical, Time: t0,
				Entity: incident.NewEntity(map[string]string{"service.name": "checkout", "host.name": "node-2"}),
				Signal: ruleErrorLogs, Title: "panic: nil map",
				Evidence: map[string]string{"exception.type": "runtime.Error"}},
		}},
		{"info log", func(ld plog.Logs) {
			logRecord(ld, []string{"service.name", "checkout"}, 0, plog.SeverityNumberInfo, "ok")
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ld := plog.NewLogs()
			tt.build(ld)
			fs, _, invalid := classifyAll(t, c, ld)
			assert.Zero(t, invalid)
			require.Len(t, fs, len(tt.want))
			for i, w := range tt.want {
				g := fs[i]
				require.NoError(t, g.Validate())
				assert.Equal(t, w.Kind, g.Kind)
				assert.Equal(t, w.Severity, g.Severity)
				assert.True(t, w.Time.Equal(g.Time), "time %s", g.Time)
				assert.Equal(t, w.Entity.Key(), g.Entity.Key())
				assert.Equal(t, w.Signal, g.Signal)
				assert.Equal(t, w.Title, g.Title)
				assert.Equal(t, w.Evidence, g.Evidence)
				assert.Equal(t, "correlation", g.Source)
			}
		})
	}
}

func TestAlertmanagerParsedBody(t *testing.T) {
	// Body already parsed upstream (transform: set(body, ParseJSON(body))).
	c := newLogClassifier(t, createDefaultConfig().(*Config))
	ld := plog.NewLogs()
	lr := logRecord(ld, nil, 0, plog.SeverityNumberUnspecified, "")
	m := lr.Body().SetEmptyMap()
	m.PutStr("groupKey", "g")
	a := m.PutEmptySlice("alerts").AppendEmpty().SetEmptyMap()
	a.PutStr("status", "firing")
	a.PutEmptyMap("labels").PutStr("alertname", "X")
	a.PutStr("startsAt", "2026-11-21T10:00:00Z")
	fs, matched, invalid := classifyAll(t, c, ld)
	require.Len(t, fs, 1)
	assert.Equal(t, 1, matched)
	assert.Zero(t, invalid)
	assert.Equal(t, "X", fs[0].Signal)
}

func TestCustomRuleTitleAndFixedSeverity(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.DefaultRules = false
	cfg.Rules = []RuleConfig{{
		Name: "oom", Conditions: []string{`IsMatch(body, "OutOfMemory")`}, Kind: "error_log", Severity: "critical",
		Title: "OOM in {{service.name}} ({{exception.type}}): {{body}}", FingerprintAttributes: []string{"exception.type"},
	}}
	c := newLogClassifier(t, cfg)
	ld := plog.NewLogs()
	logRecord(ld, []string{"service.name", "api"}, 0, plog.SeverityNumberWarn, "java.lang.OutOfMemoryError", "exception.type", "OOM")
	logRecord(ld, []string{"service.name", "api"}, 0, plog.SeverityNumberFatal, "unrelated")
	fs, _, _ := classifyAll(t, c, ld)
	require.Len(t, fs, 1)
	assert.Equal(t, "OOM in api (OOM): java.lang.OutOfMemoryError", fs[0].Title)
	assert.Equal(t, incident.SeverityCritical, fs[0].Severity)
}

func TestRecordWithoutTimeIsInvalid(t *testing.T) {
	c := newLogClassifier(t, createDefaultConfig().(*Config))
	ld := plog.NewLogs()
	lr := logRecord(ld, []string{"service.name", "a"}, 0, plog.SeverityNumberError, "boom")
	lr.SetTimestamp(0)
	lr.SetObservedTimestamp(0)
	fs, matched, invalid := classifyAll(t, c, ld)
	assert.Empty(t, fs)
	assert.Zero(t, matched)
	assert.Equal(t, 1, invalid)
}
