package notify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// routingConfig mimics a real setup: pages for errors (and reminders), a
// team channel for checkout, a catch-all webhook.
func routingConfig() Config {
	return Config{
		Receivers: []ReceiverConfig{
			receiverConfig("pager", "pagerduty", ""),
			receiverConfig("team", "slack", "https://hooks.slack.com/services/X"),
			receiverConfig("all", "webhook", "https://example.com/hook"),
		},
		Routes: []RouteConfig{
			{Receivers: []string{"pager"}, MinSeverity: ptrTo(incident.SeverityError), RepeatInterval: time.Hour, Continue: true},
			{Receivers: []string{"team"}, Services: []string{"checkout"}, Events: []string{"opened", "updated", "resolved"}},
			{Receivers: []string{"all", "pager"}, Statuses: []incident.Status{incident.StatusOpen, incident.StatusResolved}},
		},
	}
}

func TestRouting(t *testing.T) {
	n := newTestNotifier(t, routingConfig())
	inc := func(sev incident.Severity, st incident.Status, services ...string) incident.Incident {
		i := fullIncident()
		i.Severity, i.Status, i.Services = sev, st, services
		if st == incident.StatusResolved {
			i.ResolvedAt = i.UpdatedAt
		}
		return i
	}
	tests := []struct {
		name string
		ev   incident.Event
		inc  incident.Incident
		want []string
	}{
		{"critical checkout opened: pager continues, team stops", incident.EventOpened, inc(incident.SeverityCritical, incident.StatusOpen, "checkout"), []string{"pager", "team"}},
		{"warning checkout opened: team only", incident.EventOpened, inc(incident.SeverityWarning, incident.StatusOpen, "checkout"), []string{"team"}},
		{"warning elsewhere: catch-all", incident.EventOpened, inc(incident.SeverityWarning, incident.StatusOpen, "search"), []string{"all", "pager"}},
		{"error elsewhere: pager once, then catch-all", incident.EventOpened, inc(incident.SeverityError, incident.StatusOpen, "search"), []string{"pager", "all"}},
		{"acknowledged checkout: team skips the event, catch-all skips the status", incident.EventAcknowledged, inc(incident.SeverityWarning, incident.StatusAcknowledged, "checkout"), nil},
		{"updates are opt-in", incident.EventUpdated, inc(incident.SeverityWarning, incident.StatusOpen, "search"), nil},
		{"updates for the team", incident.EventUpdated, inc(incident.SeverityWarning, incident.StatusOpen, "checkout", "search"), []string{"team"}},
		{"narrated goes nowhere", incident.EventNarrated, inc(incident.SeverityCritical, incident.StatusOpen, "checkout"), nil},
		{"resolved critical", incident.EventResolved, inc(incident.SeverityCritical, incident.StatusResolved, "search"), []string{"pager", "all"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range n.Plan(change(tc.ev, tc.inc)) {
				got = append(got, m.Destination[len(DestinationPrefix):])
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestRepeatRouting(t *testing.T) {
	n := newTestNotifier(t, routingConfig())
	i := fullIncident()
	i.Services = []string{"search"}
	// The pager route repeats; the catch-all names pager again but the first
	// route that named it sets its interval.
	got := n.router.match(incident.EventOpened, &i, nil)
	assert.Equal(t, []target{{receiver: 0, repeat: time.Hour}, {receiver: 2}}, got)
}

func TestPlanSkipsSilencedAndNoOpChanges(t *testing.T) {
	n := newTestNotifier(t, routingConfig())
	c := change(incident.EventOpened, fullIncident())
	assert.NotEmpty(t, n.Plan(c))

	silenced := c
	silenced.SilencedBy = []string{"sil-1"}
	assert.Empty(t, n.Plan(silenced), "a silenced change is not notified")

	noop := c
	noop.Changed = false
	assert.Empty(t, n.Plan(noop), "a change that changed nothing is not notified")

	assert.Empty(t, newTestNotifier(t, NewDefaultConfig()).Plan(c), "no routes, no notifications")
}

func TestPlanMessages(t *testing.T) {
	n := newTestNotifier(t, routingConfig())
	c := store.Change{Changed: true, Actor: "alice", Previous: incident.StatusOpen,
		Update: incident.Update{Event: incident.EventOpened, Incident: fullIncident()}}
	msgs := n.Plan(c)
	assert.Len(t, msgs, 2)
	for _, m := range msgs {
		assert.Equal(t, "inc-00000000000000ab/3/"+m.Destination, m.Key)
		assert.Equal(t, "inc-00000000000000ab", m.IncidentID)
		doc, err := decodeDocument(m.Payload)
		assert.NoError(t, err)
		assert.Equal(t, "alice", doc.Actor)
		assert.Equal(t, "open", doc.PreviousStatus)
	}
	assert.Equal(t, []string{"notify/pager", "notify/team"}, []string{msgs[0].Destination, msgs[1].Destination})
}

func BenchmarkPlan(b *testing.B) {
	cfg := routingConfig()
	n, err := newNotifier(cfg, nil, nopSettings(), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	c := change(incident.EventOpened, fullIncident())
	b.ReportAllocs()
	for b.Loop() {
		if len(n.Plan(c)) != 2 {
			b.Fatal("want 2 messages")
		}
	}
}

func BenchmarkPlanNotRouted(b *testing.B) {
	n, err := newNotifier(routingConfig(), nil, nopSettings(), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	c := change(incident.EventNarrated, fullIncident())
	b.ReportAllocs()
	for b.Loop() {
		if len(n.Plan(c)) != 0 {
			b.Fatal("want no message")
		}
	}
}
