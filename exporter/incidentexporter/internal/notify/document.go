package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// DocumentVersion is the version of the notification document this package
// writes and reads. A breaking change of Document gets a new version; new
// optional fields do not.
const DocumentVersion = "1"

// Bounds of the untrusted text and lists copied into a Document, so a stored
// outbox message stays small whatever the incident carries.
const (
	maxTitle       = 512
	maxSummary     = 4096
	maxNarrative   = 16384
	maxShortText   = 1024 // reasons, change descriptions, label values
	maxListItems   = 100  // services, hosts
	maxRootCauses  = 5
	maxReasons     = 5
	maxChanges     = 5
	maxMembers     = 10
	maxLabels      = 32
	maxEntityAttrs = 16
)

// Document is the canonical notification: what the outbox stores for every
// notify destination, what the webhook channel posts verbatim, and what the
// other channels render their payloads from at delivery time (so a change
// to a channel's configuration needs no re-planning).
type Document struct {
	Version string `json:"version"`
	// Event is the change: opened, reopened, updated, acknowledged,
	// resolved, narrated, or repeat (a reminder, see Repeat).
	Event string `json:"event"`
	// Repeat numbers reminders: the nth repeat interval since the incident
	// opened.
	Repeat         int64  `json:"repeat,omitempty"`
	PreviousStatus string `json:"previous_status,omitempty"`
	// Actor is who made a human change; empty for the pipeline.
	Actor    string      `json:"actor,omitempty"`
	URL      string      `json:"url,omitempty"`
	Incident DocIncident `json:"incident"`
}

// DocIncident is the incident as of the change, with text and lists bounded.
type DocIncident struct {
	ID             string            `json:"id"`
	Sequence       int64             `json:"sequence"`
	Status         string            `json:"status"`
	Severity       string            `json:"severity"`
	Title          string            `json:"title"`
	Summary        string            `json:"summary,omitempty"`
	OpenedAt       time.Time         `json:"opened_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	ResolvedAt     time.Time         `json:"resolved_at,omitzero"`
	Services       []string          `json:"services,omitempty"`
	Hosts          []string          `json:"hosts,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
	RootCauses     []DocRootCause    `json:"root_causes,omitempty"`
	Changes        []DocChange       `json:"changes,omitempty"`
	TotalFindings  int64             `json:"total_findings"`
	Members        []DocMember       `json:"members,omitempty"`
	MembersOmitted int               `json:"members_omitted,omitempty"`
	RecurrenceOf   string            `json:"recurrence_of,omitempty"`
	Narrative      *DocNarrative     `json:"narrative,omitempty"`
}

// DocRootCause is one root-cause candidate.
type DocRootCause struct {
	Entity  map[string]string `json:"entity"`
	Kind    string            `json:"kind"`
	Score   float64           `json:"score"`
	Reasons []string          `json:"reasons,omitempty"`
}

// DocChange is one linked change event.
type DocChange struct {
	Entity      map[string]string `json:"entity"`
	Kind        string            `json:"kind"`
	From        string            `json:"from,omitempty"`
	To          string            `json:"to,omitempty"`
	Time        time.Time         `json:"time"`
	Description string            `json:"description,omitempty"`
}

// DocMember summarizes the findings of one fingerprint.
type DocMember struct {
	Fingerprint string    `json:"fingerprint"`
	Kind        string    `json:"kind"`
	Severity    string    `json:"severity"`
	Entity      string    `json:"entity"`
	Signal      string    `json:"signal,omitempty"`
	Count       int64     `json:"count"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
}

// DocNarrative is the human-readable report, when there is one.
type DocNarrative struct {
	Status    string `json:"status"`
	Text      string `json:"text,omitempty"`
	Generator string `json:"generator,omitempty"`
}

// newDocument builds the document of a change; repeat > 0 makes it the
// repeat-th reminder instead.
func newDocument(c *store.Change, repeat int64, incidentURL string) Document {
	inc := &c.Update.Incident
	d := Document{
		Version: DocumentVersion, Event: shortEvent(c.Update.Event), Actor: truncate(c.Actor, maxShortText),
		URL: linkTo(incidentURL, inc.ID), Incident: newDocIncident(inc),
	}
	if c.Previous.IsValid() {
		d.PreviousStatus = c.Previous.String()
	}
	if repeat > 0 {
		d.Event, d.Repeat = eventRepeat, repeat
	}
	return d
}

const eventRepeat = "repeat"

func newDocIncident(inc *incident.Incident) DocIncident {
	d := DocIncident{
		ID: inc.ID, Sequence: inc.Sequence, Status: inc.Status.String(), Severity: inc.Severity.String(),
		Title: truncate(inc.Title, maxTitle), Summary: truncate(inc.Summary, maxSummary),
		OpenedAt: inc.OpenedAt.UTC(), UpdatedAt: inc.UpdatedAt.UTC(), ResolvedAt: utcOrZero(inc.ResolvedAt),
		Services: boundList(inc.Services, maxListItems), Hosts: boundList(inc.Hosts, maxListItems),
		Labels: boundLabels(inc.Labels), TotalFindings: inc.TotalFindings, RecurrenceOf: inc.RecurrenceOf,
	}
	for _, rc := range inc.RootCauses[:min(len(inc.RootCauses), maxRootCauses)] {
		d.RootCauses = append(d.RootCauses, DocRootCause{
			Entity: entityMap(rc.Entity), Kind: truncate(string(rc.Kind), maxShortText), Score: rc.Score,
			Reasons: boundList(rc.Reasons, maxReasons),
		})
	}
	for _, ch := range inc.Changes[:min(len(inc.Changes), maxChanges)] {
		d.Changes = append(d.Changes, DocChange{
			Entity: entityMap(ch.Entity), Kind: truncate(string(ch.Kind), maxShortText),
			From: truncate(ch.From, maxShortText), To: truncate(ch.To, maxShortText), Time: ch.Time.UTC(),
			Description: truncate(ch.Description, maxShortText),
		})
	}
	for _, m := range inc.Members[:min(len(inc.Members), maxMembers)] {
		d.Members = append(d.Members, DocMember{
			Fingerprint: truncate(m.Fingerprint, maxShortText), Kind: truncate(string(m.Kind), maxShortText),
			Severity: m.Severity.String(), Entity: truncate(m.EntityKey, maxShortText), Signal: truncate(m.Signal, maxShortText),
			Count: m.Count, FirstSeen: m.FirstSeen.UTC(), LastSeen: m.LastSeen.UTC(),
		})
	}
	d.MembersOmitted = len(inc.Members) - len(d.Members)
	if n := inc.Narrative; n.Status != incident.NarrativeNone {
		d.Narrative = &DocNarrative{Status: n.Status.String(), Text: truncate(n.Text, maxNarrative), Generator: truncate(n.Generator, maxShortText)}
	}
	return d
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// boundList returns at most limit items, each cut to maxShortText runes;
// items itself when nothing needs cutting (the document is marshaled at
// once, never kept).
func boundList(items []string, limit int) []string {
	if len(items) == 0 {
		return nil
	}
	if len(items) <= limit && !slices.ContainsFunc(items, needsCut) {
		return items
	}
	out := make([]string, min(len(items), limit))
	for i := range out {
		out[i] = truncate(items[i], maxShortText)
	}
	return out
}

func needsCut(s string) bool { return len(s) > maxShortText || !utf8.ValidString(s) }

// boundLabels keeps the first maxLabels labels in key order.
func boundLabels(labels map[string]string) map[string]string {
	if len(labels) == 0 {
		return nil
	}
	if len(labels) <= maxLabels && labelsFit(labels) {
		return labels
	}
	out := make(map[string]string, min(len(labels), maxLabels))
	for _, k := range sortedKeys(labels) {
		if len(out) == maxLabels {
			break
		}
		out[truncate(k, maxShortText)] = truncate(labels[k], maxShortText)
	}
	return out
}

func labelsFit(labels map[string]string) bool {
	for k, v := range labels {
		if needsCut(k) || needsCut(v) {
			return false
		}
	}
	return true
}

func entityMap(e incident.Entity) map[string]string {
	out := make(map[string]string, min(e.Len(), maxEntityAttrs))
	for k, v := range e.All() {
		if len(out) == maxEntityAttrs {
			break
		}
		out[truncate(k, maxShortText)] = truncate(v, maxShortText)
	}
	return out
}

// linkTo fills the incident URL template; empty without a template.
func linkTo(template, id string) string {
	if template == "" {
		return ""
	}
	return strings.ReplaceAll(template, "{id}", url.PathEscape(id))
}

// decodeDocument reads a stored document, refusing other versions.
func decodeDocument(payload []byte) (*Document, error) {
	var d Document
	if err := json.Unmarshal(payload, &d); err != nil {
		return nil, fmt.Errorf("notification document: %w", err)
	}
	if d.Version != DocumentVersion {
		return nil, fmt.Errorf("notification document: version %q is not %q (written by another build?)", d.Version, DocumentVersion)
	}
	if d.Incident.ID == "" {
		return nil, errors.New("notification document: incident.id is empty")
	}
	return &d, nil
}

// entityKey renders an entity map as "k=v,k=v" in key order.
func entityKey(e map[string]string) string {
	var b strings.Builder
	for i, k := range sortedKeys(e) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(e[k])
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
