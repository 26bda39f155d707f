package incident

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEventIsValid(t *testing.T) {
	for _, e := range []Event{EventOpened, EventUpdated, EventAcknowledged, EventResolved, EventReopened, EventNarrated} {
		assert.True(t, e.IsValid(), e)
		assert.Regexp(t, `^aiops\.incident\.[a-z]+$`, string(e))
	}
	for _, e := range []Event{"", FindingEventName, "aiops.incident.closed", "opened"} {
		assert.False(t, e.IsValid(), e)
	}
}

func TestUpdateValidate(t *testing.T) {
	open := validIncident()
	later := validIncident()
	later.Sequence = 5
	acked := later
	acked.Status = StatusAcknowledged
	closed := resolved(later)
	recurrence := validIncident()
	recurrence.RecurrenceOf = "inc-0"
	narrated := closed
	narrated.Narrative = Narrative{Status: NarrativeReady, Text: "The fan failed.", Generator: "m", UpdatedAt: closed.UpdatedAt}

	for _, tt := range []struct {
		name string
		u    Update
		want string // "" when valid
	}{
		{"opened", Update{EventOpened, open}, ""},
		{"opened as recurrence", Update{EventOpened, recurrence}, ""},
		{"reopened", Update{EventReopened, recurrence}, ""},
		{"updated", Update{EventUpdated, later}, ""},
		{"updated while acknowledged", Update{EventUpdated, acked}, ""},
		{"acknowledged", Update{EventAcknowledged, acked}, ""},
		{"resolved", Update{EventResolved, closed}, ""},
		{"narrated after resolution", Update{EventNarrated, narrated}, ""},

		{"unknown event", Update{"aiops.incident.closed", open}, `Event: unknown event "aiops.incident.closed"`},
		{"finding event", Update{FindingEventName, open}, `Event: unknown event "aiops.finding"`},
		{"opened late", Update{EventOpened, later}, "Event: aiops.incident.opened must be the incident's first record (Sequence 1), got Sequence 5"},
		{"opened resolved", Update{EventOpened, resolved(open)}, "Event: aiops.incident.opened requires status open, got resolved"},
		{"reopened without origin", Update{EventReopened, open}, "Event: aiops.incident.reopened requires RecurrenceOf"},
		{"acknowledged while open", Update{EventAcknowledged, later}, "Event: aiops.incident.acknowledged requires status acknowledged, got open"},
		{"resolved while open", Update{EventResolved, later}, "Event: aiops.incident.resolved requires status resolved, got open"},
		{"narrated without narrative", Update{EventNarrated, closed}, "Event: aiops.incident.narrated carries no narrative"},
		{"invalid incident", Update{EventUpdated, Incident{}}, "ID: must not be empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.u.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.want)
		})
	}
}
