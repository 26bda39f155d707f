package incident

import "time"

// Kind classifies a finding. The constants are the kinds the otelcol-aiops
// components produce; the set is open, and a kind this build does not know
// is carried through unchanged.
type Kind string

// The kinds of finding otelcol-aiops produces.
const (
	KindAnomaly   Kind = "anomaly"    // a series left its learned baseline
	KindAlert     Kind = "alert"      // an alert fired by another system
	KindErrorLog  Kind = "error_log"  // an application or system error log
	KindHardware  Kind = "hardware"   // a component health or sensor event
	KindChange    Kind = "change"     // a deployment or configuration change
	KindErrorSpan Kind = "error_span" // a span that ended in error
	KindK8sEvent  Kind = "k8s_event"  // a Kubernetes warning event
)

// Finding is one atomic signal of trouble: an anomaly on one series, one
// alert, one hardware event. Findings are the input of correlation; many
// occurrences of the same trouble share a Fingerprint.
type Finding struct {
	// ID identifies this occurrence (see NewFindingID).
	ID string
	// Fingerprint is the same for every occurrence of the same trouble and is
	// what deduplication keys on (see NewFingerprint).
	Fingerprint string
	Kind        Kind
	Severity    Severity
	// Time is the onset of the trouble, taken from the data.
	Time time.Time
	// ObservedTime is when the producer noticed it, also from the data (for
	// example the end of a detection window); zero when unknown.
	ObservedTime time.Time
	Entity       Entity
	// Signal names what was observed: a metric or an event name. Optional.
	Signal string
	// Value is the observed value and Expected the value the baseline
	// predicted. Nil means absent, never zero; NaN and infinities are
	// invalid.
	Value    *float64
	Expected *float64
	// Score is the producer's confidence that this is real trouble, in [0, 1].
	Score float64
	// Source is the ID of the producing component, for example
	// "regression/latency".
	Source  string
	Title   string // optional one-line description
	Summary string // optional longer description
	// Evidence holds extra facts as text, such as a detector's parameters or
	// the log line that matched. Nil and empty are the same.
	Evidence map[string]string
}

// Validate reports every problem with f at once, each naming its field.
func (f Finding) Validate() error {
	var p problems
	if f.ID == "" {
		p.addf("ID: must not be empty")
	}
	if f.Fingerprint == "" {
		p.addf("Fingerprint: must not be empty")
	}
	if f.Kind == "" {
		p.addf("Kind: must not be empty")
	}
	if !f.Severity.IsValid() {
		p.addf("Severity: %s is not a severity", f.Severity)
	}
	if msg := checkTime(f.Time, true); msg != "" {
		p.addf("Time: %s", msg)
	}
	if msg := checkTime(f.ObservedTime, false); msg != "" {
		p.addf("ObservedTime: %s", msg)
	}
	if msg := checkEntity(f.Entity); msg != "" {
		p.addf("Entity: %s", msg)
	}
	if msg := checkFinite(f.Value); msg != "" {
		p.addf("Value: %s", msg)
	}
	if msg := checkFinite(f.Expected); msg != "" {
		p.addf("Expected: %s", msg)
	}
	if msg := checkScore(f.Score); msg != "" {
		p.addf("Score: %s", msg)
	}
	if f.Source == "" {
		p.addf("Source: must not be empty")
	}
	if msg := checkKeys(f.Evidence); msg != "" {
		p.addf("Evidence: %s", msg)
	}
	return p.err()
}
