package notify

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fullIncident carries every field, and the hostile text telemetry may
// bring: markup, mentions and links for Slack, a long title.
func fullIncident() incident.Incident {
	return incident.Incident{
		ID: "inc-00000000000000ab", Sequence: 3, Status: incident.StatusOpen, Severity: incident.SeverityCritical,
		Title:    "Fan failure on node-7 <!channel> & <https://evil.example|click here> " + strings.Repeat("x", 150),
		Summary:  "CPU throttling on node-7 raised checkout latency; <@U123> see *details* & act",
		OpenedAt: t0, UpdatedAt: t0.Add(5 * time.Minute),
		FirstFindingAt: t0.Add(-time.Minute), LastFindingAt: t0.Add(4 * time.Minute),
		RootCauses: []incident.RootCause{
			{
				Entity: incident.NewEntity(map[string]string{"host.name": "node-7", "hw.type": "fan"}),
				Kind:   incident.KindHardware, Score: 0.92,
				Reasons: []string{"fan speed 0 rpm <before> the anomalies", "same host"}, FindingIDs: []string{"fnd-1"},
			},
			{Entity: incident.NewEntity(map[string]string{"service.name": "checkout"}), Kind: incident.KindAnomaly, Score: 0.4},
		},
		Services: []string{"checkout", "payments"}, Hosts: []string{"node-7"},
		Changes: []incident.Change{{
			Entity: incident.NewEntity(map[string]string{"service.name": "checkout"}), Kind: incident.ChangeDeploy,
			From: "v1.2.2", To: "v1.2.3", Time: t0.Add(-time.Hour), Description: "rollout", FindingID: "fnd-9",
		}},
		Members: []incident.Member{
			{Fingerprint: "fp-fan", FindingID: "fnd-1", Kind: incident.KindHardware, Severity: incident.SeverityCritical,
				EntityKey: "host.name=node-7,hw.type=fan", Signal: "hw.fan.speed", FirstSeen: t0.Add(-time.Minute), LastSeen: t0, Count: 2},
			{Fingerprint: "fp-lat", FindingID: "fnd-2", Kind: incident.KindAnomaly, Severity: incident.SeverityError,
				EntityKey: "service.name=checkout", Signal: "http.server.request.duration", FirstSeen: t0, LastSeen: t0.Add(4 * time.Minute), Count: 5},
		},
		TotalFindings: 7,
		Narrative: incident.Narrative{
			Status: incident.NarrativeReady, Text: "The fan of node-7 stopped. <b>Replace it</b>.", Generator: "model-x", UpdatedAt: t0.Add(5 * time.Minute),
		},
		Labels: map[string]string{"team": "shop", "k8s.cluster": "eu-1"},
	}
}

func change(ev incident.Event, inc incident.Incident) store.Change {
	return store.Change{Changed: true, Update: incident.Update{Event: ev, Incident: inc}, Previous: incident.StatusOpen}
}

func receiverConfig(name, kind, endpoint string) ReceiverConfig {
	cc := confighttp.NewDefaultClientConfig()
	cc.Endpoint = endpoint
	r := ReceiverConfig{Name: name}
	switch kind {
	case "webhook":
		r.Webhook = &WebhookConfig{ClientConfig: cc, Secret: "s3cret"}
	case "slack":
		cc.Endpoint = ""
		r.Slack = &SlackConfig{ClientConfig: cc, WebhookURL: configopaque.String(endpoint)}
	case "pagerduty":
		r.PagerDuty = &PagerDutyConfig{ClientConfig: cc, RoutingKey: "R0UTINGKEY"}
	case "alertmanager":
		r.Alertmanager = &AlertmanagerConfig{ClientConfig: cc}
	}
	return r
}

// newTestNotifier builds a notifier whose clock is fixed at t0.
func newTestNotifier(t *testing.T, cfg Config) *Notifier {
	t.Helper()
	require.NoError(t, cfg.Validate())
	n, err := newNotifier(cfg, componenttest.NewNopHost(), nopSettings(), func() time.Time { return t0 })
	require.NoError(t, err)
	t.Cleanup(n.Close)
	return n
}

// checkGolden compares JSON with testdata/golden/name, indented, or rewrites
// the file with -update.
func checkGolden(t *testing.T, name string, raw []byte) {
	t.Helper()
	var got bytes.Buffer
	require.NoError(t, json.Indent(&got, raw, "", "  "))
	got.WriteByte('\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got.Bytes(), 0o600))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create the golden file")
	require.Equal(t, string(want), got.String(), "golden %s differs; run go test -update and review the diff", name)
}

func nopSettings() component.TelemetrySettings { return componenttest.NewNopTelemetrySettings() }
