package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// PagerDuty Events API v2 limits.
const (
	pdSummary    = 1024
	pdSource     = 255
	pdDedupKey   = 255
	pdField      = 255 // component, group, class
	pdDetailText = 2000
	pdDetailList = 20
	pdClient     = "otelcol-aiops"
)

// pagerDuty sends Events API v2 events with the incident ID as dedup_key,
// so one PagerDuty incident follows one aiops incident.
type pagerDuty struct {
	poster
	endpoint   string
	routingKey string // secret
	source     string
}

type pdEvent struct {
	RoutingKey  string     `json:"routing_key"`
	EventAction string     `json:"event_action"`
	DedupKey    string     `json:"dedup_key"`
	Payload     *pdPayload `json:"payload,omitempty"`
	Client      string     `json:"client,omitempty"`
	ClientURL   string     `json:"client_url,omitempty"`
	Links       []pdLink   `json:"links,omitempty"`
}

type pdPayload struct {
	Summary       string    `json:"summary"`
	Source        string    `json:"source"`
	Severity      string    `json:"severity"`
	Timestamp     string    `json:"timestamp,omitempty"`
	Component     string    `json:"component,omitempty"`
	Group         string    `json:"group,omitempty"`
	Class         string    `json:"class,omitempty"`
	CustomDetails pdDetails `json:"custom_details"`
}

// pdDetails is a struct, not a map, so its size is bounded field by field.
type pdDetails struct {
	IncidentID    string            `json:"incident_id"`
	Event         string            `json:"event"`
	Status        string            `json:"status"`
	Sequence      int64             `json:"sequence"`
	Summary       string            `json:"summary,omitempty"`
	Services      []string          `json:"services,omitempty"`
	Hosts         []string          `json:"hosts,omitempty"`
	RootCause     string            `json:"root_cause,omitempty"`
	TotalFindings int64             `json:"total_findings"`
	Labels        map[string]string `json:"labels,omitempty"`
	Narrative     string            `json:"narrative,omitempty"`
	Actor         string            `json:"actor,omitempty"`
}

type pdLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

func (p *pagerDuty) send(ctx context.Context, m store.OutboxMessage, doc *Document) error {
	body, err := json.Marshal(p.render(doc))
	if err != nil {
		return delivery.Permanent(fmt.Errorf("%s: rendering: %w", p.what, err))
	}
	h := http.Header{}
	h.Set(IdempotencyKeyHeader, m.Key)
	return p.post(ctx, p.endpoint, body, h)
}

// render maps the incident's status to the event action: open triggers,
// acknowledged acknowledges, resolved resolves. Acknowledge and resolve
// events carry no payload (PagerDuty ignores it).
func (p *pagerDuty) render(d *Document) pdEvent {
	inc := &d.Incident
	ev := pdEvent{RoutingKey: p.routingKey, DedupKey: pdDedup(inc.ID), Client: pdClient, ClientURL: d.URL}
	if d.URL != "" {
		ev.Links = []pdLink{{Href: d.URL, Text: "Incident " + truncate(inc.ID, 200)}}
	}
	switch inc.Status {
	case "acknowledged":
		ev.EventAction = "acknowledge"
		return ev
	case "resolved":
		ev.EventAction = "resolve"
		return ev
	}
	ev.EventAction = "trigger"
	ev.Payload = &pdPayload{
		Summary:   truncate(fmt.Sprintf("[%s] %s", inc.Severity, inc.Title), pdSummary),
		Source:    truncate(p.sourceOf(inc), pdSource),
		Severity:  inc.Severity, // the four severities are PagerDuty's
		Timestamp: inc.UpdatedAt.Format("2006-01-02T15:04:05.000Z07:00"),
		Group:     truncate(first(inc.Services), pdField),
		CustomDetails: pdDetails{
			IncidentID: inc.ID, Event: d.Event, Status: inc.Status, Sequence: inc.Sequence,
			Summary:  truncate(inc.Summary, pdDetailText),
			Services: inc.Services[:min(len(inc.Services), pdDetailList)],
			Hosts:    inc.Hosts[:min(len(inc.Hosts), pdDetailList)],
			Labels:   boundLabels(inc.Labels), TotalFindings: inc.TotalFindings, Actor: d.Actor,
		},
	}
	if len(inc.RootCauses) > 0 {
		rc := inc.RootCauses[0]
		ev.Payload.Component = truncate(entityKey(rc.Entity), pdField)
		ev.Payload.Class = truncate(rc.Kind, pdField)
		ev.Payload.CustomDetails.RootCause = truncate(fmt.Sprintf("%s (%s, score %.2f)", entityKey(rc.Entity), rc.Kind, rc.Score), pdDetailText)
	}
	if n := inc.Narrative; n != nil {
		ev.Payload.CustomDetails.Narrative = truncate(n.Text, pdDetailText)
	}
	return ev
}

func (p *pagerDuty) sourceOf(inc *DocIncident) string {
	for _, s := range []string{p.source, first(inc.Hosts), first(inc.Services)} {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return pdClient
}

// pdDedup is the incident ID, or its SHA-256 when longer than PagerDuty
// accepts (a cut ID could collide).
func pdDedup(id string) string {
	if len(id) <= pdDedupKey {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func first(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return items[0]
}
