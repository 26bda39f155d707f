package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// Slack Block Kit limits, in characters.
const (
	slackHeaderText  = 150
	slackSectionText = 3000
	slackFieldText   = 2000
	slackMaxBlocks   = 50
	slackFallback    = 3000 // the top-level text, shown in notifications
	slackRootCauses  = 3
)

// slack posts a Block Kit message to an incoming webhook.
type slack struct {
	poster
	url string // secret
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func (s *slack) send(ctx context.Context, m store.OutboxMessage, doc *Document) error {
	body, err := json.Marshal(renderSlack(doc))
	if err != nil {
		return delivery.Permanent(fmt.Errorf("%s: rendering: %w", s.what, err))
	}
	h := http.Header{}
	h.Set(IdempotencyKeyHeader, m.Key)
	return s.post(ctx, s.url, body, h)
}

// renderSlack builds the message. Every piece of incident text is escaped
// (no links, mentions or markup from telemetry) and cut to Slack's limits.
func renderSlack(d *Document) slackMessage {
	inc := &d.Incident
	headline := fmt.Sprintf("%s: [%s] %s", eventTitle(d), strings.ToUpper(inc.Severity), inc.Title)
	blocks := []slackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: slackEscape(headline, slackHeaderText)}},
		{Type: "section", Fields: []slackText{
			mrkdwn("*Status*\n" + slackEscape(inc.Status, slackFieldText-10)),
			mrkdwn("*Severity*\n" + slackEscape(inc.Severity, slackFieldText-10)),
			mrkdwn("*Services*\n" + slackEscape(orNone(inc.Services), slackFieldText-12)),
			mrkdwn("*Hosts*\n" + slackEscape(orNone(inc.Hosts), slackFieldText-10)),
		}},
	}
	if inc.Summary != "" {
		blocks = append(blocks, slackBlock{Type: "section", Text: ptr(mrkdwn(slackEscape(inc.Summary, slackSectionText)))})
	}
	if len(inc.RootCauses) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Text: ptr(mrkdwn(slackRootCause(inc.RootCauses)))})
	}
	if n := inc.Narrative; n != nil && n.Text != "" {
		blocks = append(blocks, slackBlock{Type: "section", Text: ptr(mrkdwn(slackEscape(n.Text, slackSectionText)))})
	}
	blocks = append(blocks, slackBlock{Type: "context", Elements: []slackText{mrkdwn(slackContext(d))}})
	return slackMessage{Text: slackEscape(headline, slackFallback), Blocks: blocks[:min(len(blocks), slackMaxBlocks)]}
}

// slackRootCause lists the top candidates, each with its first reason.
func slackRootCause(rcs []DocRootCause) string {
	var b strings.Builder
	b.WriteString("*Probable root cause*")
	for _, rc := range rcs[:min(len(rcs), slackRootCauses)] {
		line := fmt.Sprintf("%s (%s, score %.2f)", entityKey(rc.Entity), rc.Kind, rc.Score)
		if len(rc.Reasons) > 0 {
			line += ": " + rc.Reasons[0]
		}
		b.WriteString("\n• ")
		b.WriteString(line)
	}
	// Escaping after assembly escapes the candidates' text, never the
	// markup written above ("*", "•").
	return slackEscape(b.String(), slackSectionText)
}

// slackContext is the footer: incident ID, sequence, actor and link. The
// link's URL comes from the configuration and a path-escaped ID; it is
// still escaped so it cannot close the <url|text> syntax early.
func slackContext(d *Document) string {
	parts := []string{
		"Incident " + slackEscape(d.Incident.ID, 200),
		"sequence " + strconv.FormatInt(d.Incident.Sequence, 10),
	}
	if d.Actor != "" {
		parts = append(parts, "by "+slackEscape(d.Actor, 200))
	}
	if d.URL != "" {
		parts = append(parts, "<"+strings.ReplaceAll(slackEscape(d.URL, 1000), "|", "%7C")+"|Open incident>")
	}
	return strings.Join(parts, " · ")
}

// eventTitle names the event for a headline ("Resolved", "Reminder 3").
func eventTitle(d *Document) string {
	if d.Event == eventRepeat {
		return "Reminder " + strconv.FormatInt(d.Repeat, 10)
	}
	if d.Event == "" {
		return "Incident"
	}
	return strings.ToUpper(d.Event[:1]) + d.Event[1:]
}

func orNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

func mrkdwn(text string) slackText { return slackText{Type: "mrkdwn", Text: text} }

func ptr[T any](v T) *T { return &v }
