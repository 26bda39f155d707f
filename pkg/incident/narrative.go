package incident

import (
	"fmt"
	"strconv"
	"time"
)

// NarrativeStatus says where the human-readable report of an incident stands.
// The narrator is asynchronous and may fail, so an incident is complete
// without one; the zero value, NarrativeNone, means none was requested.
type NarrativeStatus uint8

// The narrative statuses.
const (
	NarrativeNone     NarrativeStatus = iota // no narrative requested
	NarrativePending                         // requested, not written yet
	NarrativeReady                           // written by the narrator's model
	NarrativeFallback                        // the deterministic report, written when the model could not be used
	NarrativeFailed                          // no narrative could be written
)

var narrativeStatusNames = [...]string{
	NarrativeNone:     "none",
	NarrativePending:  "pending",
	NarrativeReady:    "ready",
	NarrativeFallback: "fallback",
	NarrativeFailed:   "failed",
}

// IsValid reports whether s is one of the defined narrative statuses.
func (s NarrativeStatus) IsValid() bool { return s <= NarrativeFailed }

// String returns the lower-case name ("none", "pending", "ready", "fallback",
// "failed").
func (s NarrativeStatus) String() string {
	if !s.IsValid() {
		return "NarrativeStatus(" + strconv.Itoa(int(s)) + ")"
	}
	return narrativeStatusNames[s]
}

// ParseNarrativeStatus returns the narrative status named text, which must be
// exactly one of the names String returns.
func ParseNarrativeStatus(text string) (NarrativeStatus, error) {
	for s := NarrativeNone; s <= NarrativeFailed; s++ {
		if narrativeStatusNames[s] == text {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown narrative status %q (want none, pending, ready, fallback or failed)", text)
}

// Narrative is the human-readable report of an incident.
type Narrative struct {
	Status NarrativeStatus
	// Text is the report; set when Status is ready or fallback.
	Text string
	// Generator names what wrote Text: the model name, or the fallback's.
	Generator string
	// UpdatedAt is when Status last changed; zero exactly when Status is none.
	UpdatedAt time.Time
}

func (n Narrative) validate(p *problems) {
	if !n.Status.IsValid() {
		p.addf("Narrative.Status: %s is not a narrative status", n.Status)
		return
	}
	if n.Status == NarrativeNone {
		if n.Text != "" || n.Generator != "" || !n.UpdatedAt.IsZero() {
			p.addf("Narrative: Text, Generator and UpdatedAt must be empty while the status is none")
		}
		return
	}
	if msg := checkTime(n.UpdatedAt, true); msg != "" {
		p.addf("Narrative.UpdatedAt: %s", msg)
	}
	if n.Status == NarrativeReady || n.Status == NarrativeFallback {
		if n.Text == "" {
			p.addf("Narrative.Text: must not be empty when the status is %s", n.Status)
		}
		if n.Generator == "" {
			p.addf("Narrative.Generator: must not be empty when the status is %s", n.Status)
		}
	}
}
