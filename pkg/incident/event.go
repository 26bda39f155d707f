package incident

// Event names the state change an incident record reports. Its value is the
// record's event.name, in the aiops namespace.
type Event string

// The incident events.
const (
	// EventOpened: a new incident. RecurrenceOf is set when the correlation
	// engine recognized the trouble of a resolved incident coming back.
	EventOpened Event = "aiops.incident.opened"
	// EventUpdated: findings, severity, root causes, changes or other fields
	// changed; the status did not.
	EventUpdated Event = "aiops.incident.updated"
	// EventAcknowledged: a human took the incident.
	EventAcknowledged Event = "aiops.incident.acknowledged"
	// EventResolved: the trouble is over; the incident will not change status
	// again.
	EventResolved Event = "aiops.incident.resolved"
	// EventReopened: a new incident a human opened from a resolved one
	// ("reopen as new"); RecurrenceOf names the resolved incident.
	EventReopened Event = "aiops.incident.reopened"
	// EventNarrated: the narrative changed. It may follow resolution.
	EventNarrated Event = "aiops.incident.narrated"
)

// FindingEventName is the event.name of a record that carries one Finding.
const FindingEventName = "aiops.finding"

// IsValid reports whether e is one of the incident events.
func (e Event) IsValid() bool {
	switch e {
	case EventOpened, EventUpdated, EventAcknowledged, EventResolved, EventReopened, EventNarrated:
		return true
	default:
		return false
	}
}

// Update is one state change of an incident: what happened, and the whole
// incident as it stands afterwards.
type Update struct {
	Event    Event
	Incident Incident
}

// Validate validates the incident and checks that the event agrees with it:
// opened and reopened incidents are open at Sequence 1, and a reopened one
// names the incident it reopens; acknowledged and resolved events carry that
// status; a narrated event carries a narrative.
func (u Update) Validate() error {
	var p problems
	if err := u.Incident.Validate(); err != nil {
		p = append(p, err)
	}
	inc := u.Incident
	var want Status // the status the event implies, if any
	switch u.Event {
	case EventOpened, EventReopened:
		want = StatusOpen
		if inc.Sequence != 1 {
			p.addf("Event: %s must be the incident's first record (Sequence 1), got Sequence %d", u.Event, inc.Sequence)
		}
		if u.Event == EventReopened && inc.RecurrenceOf == "" {
			p.addf("Event: %s requires RecurrenceOf", u.Event)
		}
	case EventAcknowledged:
		want = StatusAcknowledged
	case EventResolved:
		want = StatusResolved
	case EventNarrated:
		if inc.Narrative.Status == NarrativeNone {
			p.addf("Event: %s carries no narrative (Narrative.Status is none)", u.Event)
		}
	case EventUpdated:
	default:
		p.addf("Event: unknown event %q", u.Event)
	}
	if want != 0 && inc.Status != want {
		p.addf("Event: %s requires status %s, got %s", u.Event, want, inc.Status)
	}
	return p.err()
}
