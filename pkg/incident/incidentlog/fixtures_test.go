package incidentlog

import (
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Times are built in UTC from nanoseconds, the form decoding returns, so
// that decoded values compare equal with assert.Equal.
var t0 = time.Unix(0, 1767323045123456789).UTC() // 2026-01-02T03:04:05.123456789Z

func after(d time.Duration) time.Time { return t0.Add(d) }

func ptr(v float64) *float64 { return &v }

var (
	fan      = incident.NewEntity(map[string]string{"host.name": "node-1", "hw.id": "fan-3"})
	node     = incident.NewEntity(map[string]string{"host.name": "node-1", "k8s.node.name": "node-1"})
	checkout = incident.NewEntity(map[string]string{"service.name": "checkout", "k8s.pod.uid": "7f9c", "host.name": "node-1"})
)

// fullIncident sets every field of an incident.
func fullIncident() incident.Incident {
	return incident.Incident{
		ID:             "inc-7cba75a96db12069",
		Sequence:       4,
		Status:         incident.StatusAcknowledged,
		Severity:       incident.SeverityCritical,
		Title:          "Fan failure on node-1 throttles checkout",
		Summary:        "Fan 3 on node-1 failed; the CPU throttled and checkout latency doubled.",
		OpenedAt:       after(2 * time.Minute),
		UpdatedAt:      after(10 * time.Minute),
		FirstFindingAt: t0,
		LastFindingAt:  after(9 * time.Minute),
		RootCauses: []incident.RootCause{
			{
				Entity:     fan,
				Kind:       incident.KindHardware,
				Score:      0.92,
				Reasons:    []string{"lowest layer among the findings", "earliest onset"},
				FindingIDs: []string{"fnd-6cd9346177df52ff"},
			},
			{Entity: node, Kind: incident.KindAnomaly, Score: 0.41},
		},
		Services: []string{"cart", "checkout"},
		Hosts:    []string{"node-1"},
		Changes: []incident.Change{{
			Entity:      incident.NewEntity(map[string]string{"service.name": "checkout"}),
			Kind:        incident.ChangeDeploy,
			From:        "1.4.2",
			To:          "1.5.0",
			Time:        after(-time.Hour),
			Description: "rollout checkout-7d9",
			FindingID:   "fnd-0a1b2c3d4e5f6071",
		}},
		Members: []incident.Member{
			{
				Fingerprint: "99711be29effae10", FindingID: "fnd-6cd9346177df52ff", Kind: incident.KindHardware,
				Severity: incident.SeverityCritical, EntityKey: fan.Key(), Signal: "hw.status",
				FirstSeen: t0, LastSeen: t0, Count: 1,
			},
			{
				Fingerprint: "5be0b3c3cd8d1e44", FindingID: "fnd-1d2e3f4a5b6c7d8e", Kind: incident.KindAnomaly,
				Severity: incident.SeverityWarning, EntityKey: checkout.Key(), Signal: "http.server.request.duration",
				FirstSeen: after(3 * time.Minute), LastSeen: after(9 * time.Minute), Count: 6,
			},
		},
		TotalFindings: 9,
		RecurrenceOf:  "inc-00ff00ff00ff00ff",
		Narrative: incident.Narrative{
			Status:    incident.NarrativePending,
			UpdatedAt: after(10 * time.Minute),
		},
		Labels: map[string]string{"team": "payments", "deployment.environment.name": "prod"},
	}
}

// minimalIncident sets only the required fields.
func minimalIncident() incident.Incident {
	return incident.Incident{
		ID:        "inc-1",
		Sequence:  1,
		Status:    incident.StatusOpen,
		Severity:  incident.SeverityInfo,
		Title:     "t",
		OpenedAt:  t0,
		UpdatedAt: t0,
	}
}

// fullFinding sets every field of a finding.
func fullFinding() incident.Finding {
	return incident.Finding{
		ID:           "fnd-1d2e3f4a5b6c7d8e",
		Fingerprint:  "5be0b3c3cd8d1e44",
		Kind:         incident.KindAnomaly,
		Severity:     incident.SeverityWarning,
		Time:         after(3 * time.Minute),
		ObservedTime: after(4 * time.Minute),
		Entity:       checkout,
		Signal:       "http.server.request.duration",
		Value:        ptr(0.91),
		Expected:     ptr(0.2),
		Score:        0.87,
		Source:       "regression/latency",
		Title:        "Checkout latency regressed",
		Summary:      "p99 latency left its 7-day band for 5 minutes.",
		Evidence:     map[string]string{"detector": "levelshift", "window": "5m"},
	}
}

func minimalFinding() incident.Finding {
	return incident.Finding{
		ID:          "fnd-1",
		Fingerprint: "fp",
		Kind:        incident.KindAlert,
		Severity:    incident.SeverityError,
		Time:        t0,
		Entity:      incident.NewEntity(map[string]string{"host.name": "h"}),
		Source:      "correlation",
	}
}

func newRecord() plog.LogRecord { return plog.NewLogRecord() }
