package api

import (
	"maps"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// The API's JSON representation, documented in openapi.yaml. It is the API's
// own: the store's document codec is private to the store (Unix nanoseconds,
// versioned by its migrations), while the API speaks RFC 3339 times and
// names. Field names are snake_case and stable; optional fields are omitted
// when empty, list fields are always present ([] when empty).

type incidentJSON struct {
	ID             string            `json:"id"`
	Sequence       int64             `json:"sequence"`
	Status         incident.Status   `json:"status"`
	Severity       incident.Severity `json:"severity"`
	Title          string            `json:"title"`
	Summary        string            `json:"summary,omitempty"`
	OpenedAt       time.Time         `json:"opened_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	ResolvedAt     time.Time         `json:"resolved_at,omitzero"`
	FirstFindingAt time.Time         `json:"first_finding_at,omitzero"`
	LastFindingAt  time.Time         `json:"last_finding_at,omitzero"`
	RootCauses     []rootCauseJSON   `json:"root_causes"`
	Services       []string          `json:"services"`
	Hosts          []string          `json:"hosts"`
	Changes        []changeJSON      `json:"changes"`
	TotalFindings  int64             `json:"total_findings"`
	RecurrenceOf   string            `json:"recurrence_of,omitempty"`
	Narrative      *narrativeJSON    `json:"narrative,omitempty"`
	Labels         map[string]string `json:"labels"`
}

type rootCauseJSON struct {
	Entity     map[string]string `json:"entity"`
	Kind       incident.Kind     `json:"kind"`
	Score      float64           `json:"score"`
	Reasons    []string          `json:"reasons"`
	FindingIDs []string          `json:"finding_ids"`
}

type changeJSON struct {
	Entity      map[string]string   `json:"entity"`
	Kind        incident.ChangeKind `json:"kind"`
	From        string              `json:"from,omitempty"`
	To          string              `json:"to,omitempty"`
	Time        time.Time           `json:"time"`
	Description string              `json:"description,omitempty"`
	FindingID   string              `json:"finding_id"`
}

type narrativeJSON struct {
	Status    string    `json:"status"`
	Text      string    `json:"text,omitempty"`
	Generator string    `json:"generator,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

type memberJSON struct {
	Fingerprint string            `json:"fingerprint"`
	FindingID   string            `json:"finding_id"`
	Kind        incident.Kind     `json:"kind"`
	Severity    incident.Severity `json:"severity"`
	EntityKey   string            `json:"entity_key"`
	Signal      string            `json:"signal,omitempty"`
	FirstSeen   time.Time         `json:"first_seen"`
	LastSeen    time.Time         `json:"last_seen"`
	Count       int64             `json:"count"`
}

type timelineJSON struct {
	ID       int64              `json:"id"`
	At       time.Time          `json:"at"`
	Kind     store.TimelineKind `json:"kind"`
	Actor    string             `json:"actor,omitempty"`
	Sequence int64              `json:"sequence,omitempty"`
	Status   incident.Status    `json:"status"`
	Severity incident.Severity  `json:"severity"`
	Text     string             `json:"text,omitempty"`
}

type detailJSON struct {
	Incident        incidentJSON   `json:"incident"`
	SourceSequence  int64          `json:"source_sequence"`
	Members         []memberJSON   `json:"members"`
	Timeline        []timelineJSON `json:"timeline"`
	TimelineDropped int64          `json:"timeline_dropped"`
}

type pageJSON struct {
	Incidents []incidentJSON `json:"incidents"`
	Next      string         `json:"next"`
}

type changeResultJSON struct {
	Changed    bool           `json:"changed"`
	Event      incident.Event `json:"event,omitempty"`
	Incident   incidentJSON   `json:"incident"`
	SilencedBy []string       `json:"silenced_by"`
}

type similarJSON struct {
	Incident incidentJSON `json:"incident"`
	Score    float64      `json:"score"`
	Reasons  []string     `json:"reasons"`
}

type similarListJSON struct {
	Similar []similarJSON `json:"similar"`
}

type matcherJSON struct {
	Name  string        `json:"name"`
	Op    store.MatchOp `json:"op"`
	Value string        `json:"value"`
}

type silenceJSON struct {
	ID        string        `json:"id"`
	Matchers  []matcherJSON `json:"matchers"`
	StartsAt  time.Time     `json:"starts_at"`
	EndsAt    time.Time     `json:"ends_at"`
	Active    bool          `json:"active"`
	CreatedBy string        `json:"created_by"`
	Comment   string        `json:"comment,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
}

type expiredJSON struct {
	ID      string `json:"id"`
	Expired bool   `json:"expired"`
}

type silenceListJSON struct {
	Silences []silenceJSON `json:"silences"`
}

// orEmpty makes a nil slice encode as [] so list fields are always arrays.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func entityJSON(e incident.Entity) map[string]string {
	m := make(map[string]string, e.Len())
	maps.Insert(m, e.All())
	return m
}

func toIncidentJSON(inc incident.Incident) incidentJSON {
	out := incidentJSON{
		ID: inc.ID, Sequence: inc.Sequence, Status: inc.Status, Severity: inc.Severity,
		Title: inc.Title, Summary: inc.Summary,
		OpenedAt: utc(inc.OpenedAt), UpdatedAt: utc(inc.UpdatedAt), ResolvedAt: utc(inc.ResolvedAt),
		FirstFindingAt: utc(inc.FirstFindingAt), LastFindingAt: utc(inc.LastFindingAt),
		RootCauses: make([]rootCauseJSON, 0, len(inc.RootCauses)),
		Services:   orEmpty(inc.Services), Hosts: orEmpty(inc.Hosts),
		Changes:       make([]changeJSON, 0, len(inc.Changes)),
		TotalFindings: inc.TotalFindings, RecurrenceOf: inc.RecurrenceOf,
		Labels: inc.Labels,
	}
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	for _, rc := range inc.RootCauses {
		out.RootCauses = append(out.RootCauses, rootCauseJSON{
			Entity: entityJSON(rc.Entity), Kind: rc.Kind, Score: rc.Score,
			Reasons: orEmpty(rc.Reasons), FindingIDs: orEmpty(rc.FindingIDs),
		})
	}
	for _, c := range inc.Changes {
		out.Changes = append(out.Changes, changeJSON{
			Entity: entityJSON(c.Entity), Kind: c.Kind, From: c.From, To: c.To,
			Time: utc(c.Time), Description: c.Description, FindingID: c.FindingID,
		})
	}
	if n := inc.Narrative; n.Status != incident.NarrativeNone {
		out.Narrative = &narrativeJSON{Status: n.Status.String(), Text: n.Text, Generator: n.Generator, UpdatedAt: utc(n.UpdatedAt)}
	}
	return out
}

func toIncidentsJSON(incs []incident.Incident) []incidentJSON {
	out := make([]incidentJSON, len(incs))
	for i, inc := range incs {
		out[i] = toIncidentJSON(inc)
	}
	return out
}

func toMemberJSON(m incident.Member) memberJSON {
	return memberJSON{
		Fingerprint: m.Fingerprint, FindingID: m.FindingID, Kind: m.Kind, Severity: m.Severity,
		EntityKey: m.EntityKey, Signal: m.Signal, FirstSeen: utc(m.FirstSeen), LastSeen: utc(m.LastSeen), Count: m.Count,
	}
}

func toTimelineJSON(e store.TimelineEntry) timelineJSON {
	return timelineJSON{
		ID: e.ID, At: utc(e.At), Kind: e.Kind, Actor: e.Actor, Sequence: e.Sequence,
		Status: e.Status, Severity: e.Severity, Text: e.Text,
	}
}

func toDetailJSON(d store.Detail) detailJSON {
	out := detailJSON{
		Incident: toIncidentJSON(d.Incident), SourceSequence: d.SourceSequence,
		Members:  make([]memberJSON, len(d.Members)),
		Timeline: make([]timelineJSON, len(d.Timeline)), TimelineDropped: d.TimelineDropped,
	}
	for i, m := range d.Members {
		out.Members[i] = toMemberJSON(m)
	}
	for i, e := range d.Timeline {
		out.Timeline[i] = toTimelineJSON(e)
	}
	return out
}

func toChangeResultJSON(c store.Change) changeResultJSON {
	out := changeResultJSON{Changed: c.Changed, Incident: toIncidentJSON(c.Update.Incident), SilencedBy: orEmpty(c.SilencedBy)}
	if c.Changed {
		out.Event = c.Update.Event
	}
	return out
}

func toSimilarListJSON(sims []store.Similarity) similarListJSON {
	out := similarListJSON{Similar: make([]similarJSON, len(sims))}
	for i, s := range sims {
		out.Similar[i] = similarJSON{Incident: toIncidentJSON(s.Incident), Score: s.Score, Reasons: orEmpty(s.Reasons)}
	}
	return out
}

// toSilenceJSON reports the silence as active when now is in its window.
func toSilenceJSON(s store.Silence, now time.Time) silenceJSON {
	out := silenceJSON{
		ID: s.ID, Matchers: make([]matcherJSON, len(s.Matchers)),
		StartsAt: utc(s.StartsAt), EndsAt: utc(s.EndsAt),
		Active:    !now.Before(s.StartsAt) && now.Before(s.EndsAt),
		CreatedBy: s.CreatedBy, Comment: s.Comment, CreatedAt: utc(s.CreatedAt),
	}
	for i, m := range s.Matchers {
		out.Matchers[i] = matcherJSON{Name: m.Name, Op: m.Op, Value: m.Value}
	}
	return out
}
