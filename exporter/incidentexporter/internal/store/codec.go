package store

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// The doc column holds the whole incident as JSON in this form. Times are
// Unix nanoseconds (0 = zero time), entities are maps; the form is private to
// the store and versioned by the migrations.
type docIncident struct {
	ID             string            `json:"id"`
	Sequence       int64             `json:"seq"`
	Status         incident.Status   `json:"status"`
	Severity       incident.Severity `json:"severity"`
	Title          string            `json:"title"`
	Summary        string            `json:"summary,omitempty"`
	OpenedAt       int64             `json:"opened_at"`
	UpdatedAt      int64             `json:"updated_at"`
	ResolvedAt     int64             `json:"resolved_at,omitempty"`
	FirstFindingAt int64             `json:"first_finding_at,omitempty"`
	LastFindingAt  int64             `json:"last_finding_at,omitempty"`
	RootCauses     []docRootCause    `json:"root_causes,omitempty"`
	Services       []string          `json:"services,omitempty"`
	Hosts          []string          `json:"hosts,omitempty"`
	Changes        []docChange       `json:"changes,omitempty"`
	Members        []docMember       `json:"members,omitempty"`
	TotalFindings  int64             `json:"total_findings"`
	RecurrenceOf   string            `json:"recurrence_of,omitempty"`
	Narrative      *docNarrative     `json:"narrative,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
}

type docRootCause struct {
	Entity     map[string]string `json:"entity"`
	Kind       string            `json:"kind"`
	Score      float64           `json:"score"`
	Reasons    []string          `json:"reasons,omitempty"`
	FindingIDs []string          `json:"finding_ids,omitempty"`
}

type docChange struct {
	Entity      map[string]string `json:"entity"`
	Kind        string            `json:"kind"`
	From        string            `json:"from,omitempty"`
	To          string            `json:"to,omitempty"`
	Time        int64             `json:"time"`
	Description string            `json:"description,omitempty"`
	FindingID   string            `json:"finding_id"`
}

type docMember struct {
	Fingerprint string            `json:"fingerprint"`
	FindingID   string            `json:"finding_id"`
	Kind        string            `json:"kind"`
	Severity    incident.Severity `json:"severity"`
	EntityKey   string            `json:"entity_key"`
	Signal      string            `json:"signal,omitempty"`
	FirstSeen   int64             `json:"first_seen"`
	LastSeen    int64             `json:"last_seen"`
	Count       int64             `json:"count"`
}

type docNarrative struct {
	Status    incident.NarrativeStatus `json:"status"`
	Text      string                   `json:"text,omitempty"`
	Generator string                   `json:"generator,omitempty"`
	UpdatedAt int64                    `json:"updated_at"`
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func encodeIncident(inc incident.Incident) (string, error) {
	d := docIncident{
		ID: inc.ID, Sequence: inc.Sequence, Status: inc.Status, Severity: inc.Severity,
		Title: inc.Title, Summary: inc.Summary,
		OpenedAt: nanos(inc.OpenedAt), UpdatedAt: nanos(inc.UpdatedAt), ResolvedAt: nanos(inc.ResolvedAt),
		FirstFindingAt: nanos(inc.FirstFindingAt), LastFindingAt: nanos(inc.LastFindingAt),
		Services: inc.Services, Hosts: inc.Hosts, TotalFindings: inc.TotalFindings,
		RecurrenceOf: inc.RecurrenceOf, Labels: inc.Labels,
	}
	for _, rc := range inc.RootCauses {
		d.RootCauses = append(d.RootCauses, docRootCause{
			Entity: maps.Collect(rc.Entity.All()), Kind: string(rc.Kind), Score: rc.Score,
			Reasons: rc.Reasons, FindingIDs: rc.FindingIDs,
		})
	}
	for _, c := range inc.Changes {
		d.Changes = append(d.Changes, docChange{
			Entity: maps.Collect(c.Entity.All()), Kind: string(c.Kind), From: c.From, To: c.To,
			Time: nanos(c.Time), Description: c.Description, FindingID: c.FindingID,
		})
	}
	for _, m := range inc.Members {
		d.Members = append(d.Members, memberDoc(m))
	}
	if inc.Narrative.Status != incident.NarrativeNone {
		d.Narrative = &docNarrative{
			Status: inc.Narrative.Status, Text: inc.Narrative.Text,
			Generator: inc.Narrative.Generator, UpdatedAt: nanos(inc.Narrative.UpdatedAt),
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode incident %q: %w", inc.ID, err)
	}
	return string(b), nil
}

func memberDoc(m incident.Member) docMember {
	return docMember{
		Fingerprint: m.Fingerprint, FindingID: m.FindingID, Kind: string(m.Kind), Severity: m.Severity,
		EntityKey: m.EntityKey, Signal: m.Signal, FirstSeen: nanos(m.FirstSeen), LastSeen: nanos(m.LastSeen),
		Count: m.Count,
	}
}

func (m docMember) member() incident.Member {
	return incident.Member{
		Fingerprint: m.Fingerprint, FindingID: m.FindingID, Kind: incident.Kind(m.Kind), Severity: m.Severity,
		EntityKey: m.EntityKey, Signal: m.Signal, FirstSeen: fromNanos(m.FirstSeen), LastSeen: fromNanos(m.LastSeen),
		Count: m.Count,
	}
}

func decodeIncident(s string) (incident.Incident, error) {
	var d docIncident
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return incident.Incident{}, fmt.Errorf("decode stored incident: %w", err)
	}
	inc := incident.Incident{
		ID: d.ID, Sequence: d.Sequence, Status: d.Status, Severity: d.Severity,
		Title: d.Title, Summary: d.Summary,
		OpenedAt: fromNanos(d.OpenedAt), UpdatedAt: fromNanos(d.UpdatedAt), ResolvedAt: fromNanos(d.ResolvedAt),
		FirstFindingAt: fromNanos(d.FirstFindingAt), LastFindingAt: fromNanos(d.LastFindingAt),
		Services: d.Services, Hosts: d.Hosts, TotalFindings: d.TotalFindings,
		RecurrenceOf: d.RecurrenceOf, Labels: d.Labels,
	}
	for _, rc := range d.RootCauses {
		inc.RootCauses = append(inc.RootCauses, incident.RootCause{
			Entity: incident.NewEntity(rc.Entity), Kind: incident.Kind(rc.Kind), Score: rc.Score,
			Reasons: rc.Reasons, FindingIDs: rc.FindingIDs,
		})
	}
	for _, c := range d.Changes {
		inc.Changes = append(inc.Changes, incident.Change{
			Entity: incident.NewEntity(c.Entity), Kind: incident.ChangeKind(c.Kind), From: c.From, To: c.To,
			Time: fromNanos(c.Time), Description: c.Description, FindingID: c.FindingID,
		})
	}
	for _, m := range d.Members {
		inc.Members = append(inc.Members, m.member())
	}
	if d.Narrative != nil {
		inc.Narrative = incident.Narrative{
			Status: d.Narrative.Status, Text: d.Narrative.Text,
			Generator: d.Narrative.Generator, UpdatedAt: fromNanos(d.Narrative.UpdatedAt),
		}
	}
	return inc, nil
}

// clean makes a string storable in a PostgreSQL TEXT column (valid UTF-8, no
// NUL) for the query copies; the doc keeps the JSON-escaped original.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}
