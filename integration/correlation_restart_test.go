//go:build integration

package integration

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// correlationStorageConfig persists the correlation engine through file_storage and
// saves a changed state every 100ms. Debug logs report each save, which is how the test
// knows what a crash would keep.
const correlationStorageConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Health}}
  file_storage:
    directory: {{.StorageDir}}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{.OTLP}}
processors:
  correlation:
    group_wait: 2s
    group_interval: 1s
    tick_interval: 100ms
    snapshot_interval: 100ms
    storage: file_storage
    dependencies:
      frontend: [checkout]
      checkout: [payments]
exporters:
  file:
    path: {{.LogsFile}}
    flush_interval: 100ms
service:
  extensions: [health_check, file_storage]
  telemetry:
    logs:
      level: debug
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [otlp]
      processors: [correlation]
      exporters: [file]
`

var (
	savedWithOneOpen    = regexp.MustCompile(`engine state saved.*"open_incidents": 1\b`)
	restoredWithOneOpen = regexp.MustCompile(`engine state restored.*"open_incidents": 1\b`)
)

// TestCorrelationStateSurvivesKill opens an incident, kills the collector with SIGKILL
// once the state holding it is saved, restarts it on the same storage directory and
// feeds more of the same storm: the new symptom joins the incident opened before the
// crash (same ID, no second incident), whose members are all still there.
func TestCorrelationStateSurvivesKill(t *testing.T) {
	storageDir := t.TempDir()
	run := func(logsFile string) (*Collector, map[string]any) {
		values := map[string]any{
			"Health":     freePort(t),
			"OTLP":       freePort(t),
			"StorageDir": storageDir,
			"LogsFile":   logsFile,
		}
		c := startCollector(t, fmt.Sprintf("http://127.0.0.1:%d/", values["Health"]), nil,
			"--config", renderConfig(t, correlationStorageConfig, values))
		return c, values
	}
	send := func(values map[string]any, serviceAndMessage ...string) {
		conn, ctx := dialOTLP(t, values["OTLP"], insecure.NewCredentials())
		_, err := plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(
			errorLogs(time.Now().Add(-time.Second), serviceAndMessage...)))
		require.NoError(t, err)
	}

	// Before the crash: payments fails, checkout (its caller) follows.
	firstLogs := filepath.Join(t.TempDir(), "first.jsonl")
	first, values := run(firstLogs)
	send(values, "payments", "card processor unreachable", "checkout", "payment call failed")
	var opened []incident.Update
	eventually(t, 30*time.Second, "the incident to open", func() bool {
		opened = incidentsIn(t, firstLogs, incident.EventOpened)
		return len(opened) > 0
	})
	require.Len(t, opened, 1)
	before := opened[0].Incident
	require.Len(t, before.Members, 2, "payments and checkout")
	eventually(t, 30*time.Second, "a saved state with the open incident", func() bool {
		return savedWithOneOpen.MatchString(first.Output())
	})
	killGroup(first.cmd)
	<-first.exited

	// After the restart on the same storage: frontend (checkout's caller) fails too.
	secondLogs := filepath.Join(t.TempDir(), "second.jsonl")
	second, values := run(secondLogs)
	eventually(t, 10*time.Second, "the open incident to be restored", func() bool {
		return restoredWithOneOpen.MatchString(second.Output())
	})
	send(values, "frontend", "checkout call failed")
	var updated []incident.Update
	eventually(t, 30*time.Second, "an update of the restored incident with the new member", func() bool {
		updated = incidentsIn(t, secondLogs, incident.EventUpdated)
		return len(updated) > 0 && len(updated[len(updated)-1].Incident.Members) == 3
	})
	after := updated[len(updated)-1].Incident
	require.Equal(t, before.ID, after.ID, "the new symptom joins the incident opened before the crash")
	require.Empty(t, incidentsIn(t, secondLogs, incident.EventOpened), "no second incident opens")
	require.Greater(t, after.Sequence, before.Sequence, "sequence numbers continue across the restart")
	for _, m := range before.Members {
		require.Contains(t, after.Members, m, "member %s from before the crash", m.EntityKey)
	}
	require.Equal(t, []string{"checkout", "frontend", "payments"}, after.Services)
	require.Equal(t, before.OpenedAt, after.OpenedAt)
}
