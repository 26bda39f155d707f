package incident

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validIncident() Incident {
	fan := NewEntity(map[string]string{"host.name": "node-1", "hw.id": "fan-3"})
	return Incident{
		ID:             "inc-1",
		Sequence:       1,
		Status:         StatusOpen,
		Severity:       SeverityCritical,
		Title:          "Fan failure on node-1",
		OpenedAt:       t0.Add(time.Minute),
		UpdatedAt:      t0.Add(time.Minute),
		FirstFindingAt: t0,
		LastFindingAt:  t0.Add(30 * time.Second),
		RootCauses: []RootCause{
			{Entity: fan, Kind: KindHardware, Score: 0.9, Reasons: []string{"lowest layer"}, FindingIDs: []string{"fnd-1"}},
			{Entity: NewEntity(map[string]string{"host.name": "node-1"}), Kind: KindAnomaly, Score: 0.9},
		},
		Services: []string{"cart", "checkout"},
		Hosts:    []string{"node-1"},
		Changes: []Change{{
			Entity: NewEntity(map[string]string{"service.name": "checkout"}), Kind: ChangeDeploy,
			From: "1.4.2", To: "1.5.0", Time: t0.Add(-time.Hour), FindingID: "fnd-0",
		}},
		Members: []Member{
			{Fingerprint: "a", FindingID: "fnd-1", Kind: KindHardware, Severity: SeverityCritical, EntityKey: fan.Key(), FirstSeen: t0, LastSeen: t0, Count: 1},
			{Fingerprint: "b", FindingID: "fnd-2", Kind: KindAnomaly, Severity: SeverityWarning, EntityKey: "host.name=node-1", FirstSeen: t0, LastSeen: t0.Add(30 * time.Second), Count: 3},
		},
		TotalFindings: 4,
	}
}

func resolved(inc Incident) Incident {
	inc.Status = StatusResolved
	inc.ResolvedAt = inc.UpdatedAt.Add(time.Minute)
	inc.UpdatedAt = inc.ResolvedAt
	return inc
}

func TestIncidentValidate(t *testing.T) {
	require.NoError(t, validIncident().Validate())
	require.NoError(t, resolved(validIncident()).Validate())

	for _, tt := range []struct {
		name   string
		mutate func(*Incident)
		want   string
	}{
		{"no id", func(i *Incident) { i.ID = "" }, "ID: must not be empty"},
		{"sequence 0", func(i *Incident) { i.Sequence = 0 }, "Sequence: must be at least 1, got 0"},
		{"no status", func(i *Incident) { i.Status = 0 }, "Status: Status(0) is not a status"},
		{"no severity", func(i *Incident) { i.Severity = 9 }, "Severity: Severity(9) is not a severity"},
		{"no title", func(i *Incident) { i.Title = "" }, "Title: must not be empty"},
		{"no opened", func(i *Incident) { i.OpenedAt = time.Time{} }, "OpenedAt: must be set"},
		{"no updated", func(i *Incident) { i.UpdatedAt = time.Time{} }, "UpdatedAt: must be set"},
		{"updated before opened", func(i *Incident) { i.UpdatedAt = i.OpenedAt.Add(-1) }, "UpdatedAt: before OpenedAt"},
		{"resolved time while open", func(i *Incident) { i.ResolvedAt = i.UpdatedAt }, "ResolvedAt: must be zero while the status is open"},
		{"resolved without time", func(i *Incident) { *i = resolved(*i); i.ResolvedAt = time.Time{} }, "ResolvedAt: must be set"},
		{"resolved before opened", func(i *Incident) { *i = resolved(*i); i.ResolvedAt = i.OpenedAt.Add(-1) }, "ResolvedAt: before OpenedAt"},
		{"updated before resolved", func(i *Incident) { *i = resolved(*i); i.UpdatedAt = i.ResolvedAt.Add(-1) }, "UpdatedAt: before ResolvedAt"},
		{"findings without times", func(i *Incident) { i.FirstFindingAt = time.Time{} }, "FirstFindingAt: must be set"},
		{"times without findings", func(i *Incident) { i.TotalFindings, i.Members = 0, nil }, "must be zero while TotalFindings is 0"},
		{"last before first", func(i *Incident) { i.LastFindingAt = i.FirstFindingAt.Add(-1) }, "LastFindingAt: before FirstFindingAt"},
		{"negative total", func(i *Incident) { i.TotalFindings = -1 }, "TotalFindings: must not be negative"},
		{"unsorted services", func(i *Incident) { i.Services = []string{"checkout", "cart"} }, `Services: must be sorted and unique, "cart" comes after "checkout"`},
		{"duplicate hosts", func(i *Incident) { i.Hosts = []string{"a", "a"} }, "Hosts: must be sorted and unique"},
		{"empty host", func(i *Incident) { i.Hosts = []string{""} }, "Hosts: element 0 is empty"},
		{"root cause without entity", func(i *Incident) { i.RootCauses[1].Entity = Entity{} }, "RootCauses[1].Entity: must have at least one attribute"},
		{"root cause without kind", func(i *Incident) { i.RootCauses[0].Kind = "" }, "RootCauses[0].Kind: must not be empty"},
		{"root cause score NaN", func(i *Incident) { i.RootCauses[0].Score = math.NaN() }, "RootCauses[0].Score: must be within [0, 1], got NaN"},
		{"root causes out of order", func(i *Incident) { i.RootCauses[1].Score = 0.95 }, "RootCauses[1].Score: 0.95 ranks above the candidate before it (0.9)"},
		{"empty reason", func(i *Incident) { i.RootCauses[0].Reasons = []string{""} }, "RootCauses[0].Reasons[0]: must not be empty"},
		{"empty evidence id", func(i *Incident) { i.RootCauses[0].FindingIDs = []string{"fnd-1", ""} }, "RootCauses[0].FindingIDs[1]: must not be empty"},
		{"change without entity", func(i *Incident) { i.Changes[0].Entity = Entity{} }, "Changes[0].Entity:"},
		{"change without kind", func(i *Incident) { i.Changes[0].Kind = "" }, "Changes[0].Kind: must not be empty"},
		{"change without time", func(i *Incident) { i.Changes[0].Time = time.Time{} }, "Changes[0].Time: must be set"},
		{"change without finding", func(i *Incident) { i.Changes[0].FindingID = "" }, "Changes[0].FindingID: must not be empty"},
		{"member without fingerprint", func(i *Incident) { i.Members[1].Fingerprint = "" }, "Members[1].Fingerprint: must not be empty"},
		{"duplicate member", func(i *Incident) { i.Members[1].Fingerprint = "a" }, `Members[1].Fingerprint: "a" repeats Members[0]`},
		{"member without finding", func(i *Incident) { i.Members[0].FindingID = "" }, "Members[0].FindingID: must not be empty"},
		{"member without kind", func(i *Incident) { i.Members[0].Kind = "" }, "Members[0].Kind: must not be empty"},
		{"member without severity", func(i *Incident) { i.Members[0].Severity = 0 }, "Members[0].Severity: Severity(0) is not a severity"},
		{"member without entity", func(i *Incident) { i.Members[0].EntityKey = "" }, "Members[0].EntityKey: must not be empty"},
		{"member without first seen", func(i *Incident) { i.Members[0].FirstSeen = time.Time{} }, "Members[0].FirstSeen: must be set"},
		{"member last before first", func(i *Incident) { i.Members[1].LastSeen = i.Members[1].FirstSeen.Add(-1) }, "Members[1].LastSeen: before FirstSeen"},
		{"member count 0", func(i *Incident) { i.Members[0].Count = 0 }, "Members[0].Count: must be at least 1, got 0"},
		{"members exceed total", func(i *Incident) { i.TotalFindings = 3 }, "TotalFindings: 3 is less than the members' counts add up to"},
		{"member counts overflow", func(i *Incident) {
			i.TotalFindings = math.MaxInt64
			i.Members[0].Count, i.Members[1].Count = math.MaxInt64, math.MaxInt64
		}, "TotalFindings: 9223372036854775807 is less than the members' counts add up to"},
		{"recurrence of itself", func(i *Incident) { i.RecurrenceOf = i.ID }, `RecurrenceOf: an incident cannot recur itself ("inc-1")`},
		{"empty label key", func(i *Incident) { i.Labels = map[string]string{"": "x"} }, "Labels: has an empty key"},
		{"narrative status unknown", func(i *Incident) { i.Narrative.Status = 42 }, "Narrative.Status: NarrativeStatus(42) is not a narrative status"},
		{"narrative text without status", func(i *Incident) { i.Narrative.Text = "x" }, "Narrative: Text, Generator and UpdatedAt must be empty while the status is none"},
		{"narrative without time", func(i *Incident) { i.Narrative.Status = NarrativePending }, "Narrative.UpdatedAt: must be set"},
		{"ready narrative without text", func(i *Incident) {
			i.Narrative = Narrative{Status: NarrativeReady, Generator: "m", UpdatedAt: t0}
		}, "Narrative.Text: must not be empty when the status is ready"},
		{"fallback narrative without generator", func(i *Incident) {
			i.Narrative = Narrative{Status: NarrativeFallback, Text: "x", UpdatedAt: t0}
		}, "Narrative.Generator: must not be empty when the status is fallback"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inc := validIncident()
			tt.mutate(&inc)
			assert.ErrorContains(t, inc.Validate(), tt.want)
		})
	}
}

func TestIncidentValidateOptionals(t *testing.T) {
	inc := validIncident()
	inc.RootCauses, inc.Services, inc.Hosts, inc.Changes, inc.Members = nil, nil, nil, nil, nil
	inc.Changes = []Change{{Entity: NewEntity(map[string]string{"service.name": "cart"}), Kind: "feature_flag", Time: t0, FindingID: "fnd-9"}}
	inc.RecurrenceOf = "inc-0"
	inc.Labels = map[string]string{"team": "payments"}
	inc.Narrative = Narrative{Status: NarrativePending, UpdatedAt: t0}
	require.NoError(t, inc.Validate())

	// A human's "reopen as new" may start with no findings at all.
	inc.TotalFindings, inc.FirstFindingAt, inc.LastFindingAt = 0, time.Time{}, time.Time{}
	require.NoError(t, inc.Validate())
}

func TestIncidentValidateReportsEverything(t *testing.T) {
	err := Incident{}.Validate()
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	assert.Equal(t, []string{
		"ID: must not be empty",
		"Sequence: must be at least 1, got 0",
		"Status: Status(0) is not a status",
		"Severity: Severity(0) is not a severity",
		"Title: must not be empty",
		"OpenedAt: must be set",
		"UpdatedAt: must be set",
	}, lines)
}
