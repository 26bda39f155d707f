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

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
)

const correlationConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Health}}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{.OTLP}}
processors:
  correlation:
    group_wait: 5s
    tick_interval: 200ms
    dependencies:
      checkout: [payments]
exporters:
  file:
    path: {{.LogsFile}}
    flush_interval: 100ms
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [otlp]
      processors: [correlation]
      exporters: [file]
`

// TestCorrelationOpensOneIncident sends error logs of a failing dependency (payments) and
// then of its caller (checkout) through the built binary: one incident opens, with
// payments as the top root-cause candidate and both services impacted.
func TestCorrelationOpensOneIncident(t *testing.T) {
	values := map[string]any{
		"Health":   freePort(t),
		"OTLP":     freePort(t),
		"LogsFile": filepath.Join(t.TempDir(), "logs.jsonl"),
	}
	startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", values["Health"]), nil,
		"--config", renderConfig(t, correlationConfig, values))

	conn, ctx := dialOTLP(t, values["OTLP"], insecure.NewCredentials())
	// group_wait counts from the data's onset: both findings must arrive before it passes.
	onset := time.Now().Add(-time.Second)
	_, err := plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(errorLogs(onset,
		"payments", "card processor unreachable",
		"checkout", "payment call failed")))
	require.NoError(t, err)

	var opened []incident.Update
	eventually(t, 20*time.Second, "an aiops.incident.opened record", func() bool {
		opened = incidentsIn(t, values["LogsFile"].(string), incident.EventOpened)
		return len(opened) > 0
	})
	time.Sleep(2 * time.Second) // a second incident's group_wait would have passed by now
	opened = incidentsIn(t, values["LogsFile"].(string), incident.EventOpened)
	require.Len(t, opened, 1, "the caller's errors join the dependency's incident")
	inc := opened[0].Incident
	require.NotEmpty(t, inc.RootCauses)
	service, _ := inc.RootCauses[0].Entity.Get("service.name")
	require.Equal(t, "payments", service, "root cause: %+v", inc.RootCauses)
	require.ElementsMatch(t, []string{"checkout", "payments"}, inc.Services)
}

// errorLogs builds ERROR records alternating service, message pairs, one second apart.
func errorLogs(onset time.Time, serviceAndMessage ...string) plog.Logs {
	ld := plog.NewLogs()
	for i := 0; i+1 < len(serviceAndMessage); i += 2 {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", serviceAndMessage[i])
		lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(onset.Add(time.Duration(i/2) * time.Second)))
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
		lr.Body().SetStr(serviceAndMessage[i+1])
	}
	return ld
}

// incidentsIn decodes the incident records with the given event from a file exporter's
// JSON lines.
func incidentsIn(t *testing.T, path string, event incident.Event) []incident.Update {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []incident.Update
	var u plog.JSONUnmarshaler
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		ld, err := u.UnmarshalLogs(sc.Bytes())
		if err != nil {
			continue
		}
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					if !incidentlog.IsIncident(lr) {
						continue
					}
					up, err := incidentlog.UnmarshalIncident(lr)
					require.NoError(t, err, "an incident record the codec cannot read")
					if up.Event == event {
						out = append(out, up)
					}
				}
			}
		}
	}
	return out
}
