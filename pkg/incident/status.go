package incident

import (
	"fmt"
	"strconv"
)

// Status is where an incident is in its lifecycle. The zero value is not a
// status.
type Status uint8

// The statuses of an incident.
const (
	// StatusOpen: the trouble is ongoing and nobody has taken it yet.
	StatusOpen Status = iota + 1
	// StatusAcknowledged: a human has taken the incident; it is still ongoing.
	StatusAcknowledged
	// StatusResolved: the trouble is over. Resolved is terminal.
	StatusResolved
)

var statusNames = [...]string{
	StatusOpen:         "open",
	StatusAcknowledged: "acknowledged",
	StatusResolved:     "resolved",
}

// IsValid reports whether s is one of the defined statuses.
func (s Status) IsValid() bool {
	return s >= StatusOpen && s <= StatusResolved
}

// String returns the lower-case name ("open", "acknowledged", "resolved").
func (s Status) String() string {
	if !s.IsValid() {
		return "Status(" + strconv.Itoa(int(s)) + ")"
	}
	return statusNames[s]
}

// ParseStatus returns the status named text, which must be exactly one of the
// names String returns.
func ParseStatus(text string) (Status, error) {
	for s := StatusOpen; s <= StatusResolved; s++ {
		if statusNames[s] == text {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown status %q (want open, acknowledged or resolved)", text)
}

// MarshalText implements encoding.TextMarshaler, so a Status reads as its name
// in configuration, JSON and API filters.
func (s Status) MarshalText() ([]byte, error) {
	if !s.IsValid() {
		return nil, fmt.Errorf("cannot marshal invalid %s", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseStatus.
func (s *Status) UnmarshalText(text []byte) error {
	v, err := ParseStatus(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// CanTransition reports whether an incident may go from status from to status
// to. Keeping a valid status is always allowed: updates that change other
// fields, such as a narrative arriving after resolution, keep the status.
//
// The only moves are open → acknowledged, open → resolved and
// acknowledged → resolved. Resolved is terminal because consumers key
// notifications and timelines on it: when the trouble comes back, the
// correlation engine opens a new incident whose RecurrenceOf names the
// resolved one, and a human "reopen" does the same (EventReopened).
func CanTransition(from, to Status) bool {
	if !from.IsValid() || !to.IsValid() {
		return false
	}
	if from == to {
		return true
	}
	switch from {
	case StatusOpen:
		return to == StatusAcknowledged || to == StatusResolved
	case StatusAcknowledged:
		return to == StatusResolved
	default:
		return false
	}
}
