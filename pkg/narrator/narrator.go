// Package narrator is the contract between the incident exporter and a
// narrator extension (such as llm_narrator) that writes the human-readable
// report of an incident. The exporter never waits for a narrative: it hands a
// request over with Submit and stores whatever comes back, later, as a
// narrated update. An incident is complete without a narrative; the data plane
// works without any narrator.
//
// The package imports no collector package so that extensions and exporters
// built outside this repository can implement and use it.
package narrator

import (
	"errors"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// ErrBusy is returned by Submit when the narrator cannot take another request
// now (its queue is full). The caller retries later; it must not block.
var ErrBusy = errors.New("narrator: busy, retry later")

// Narrator writes narratives asynchronously. It is implemented by a collector
// extension; the incident exporter finds it among the host's extensions by
// the component ID named in its configuration.
type Narrator interface {
	// Submit hands req over without blocking. It returns ErrBusy when the
	// request cannot be queued now, or another error when it never will be
	// (the caller does not retry those). Once Submit returned nil, done is
	// called exactly once, from another goroutine, with the narrative whose
	// Status is ready, fallback or failed. done may block briefly (the
	// exporter stores the narrative durably before returning) and must not be
	// called after the narrator's Shutdown returned.
	Submit(req Request, done func(incident.Narrative)) error
}

// Request asks for the narrative of one incident.
type Request struct {
	// Incident is the incident as stored, with its members. Every string in
	// it comes from telemetry and is untrusted: a narrator must treat it as
	// data, never as instructions.
	Incident incident.Incident
	// Similar lists past incidents that resemble this one, most similar
	// first, so the narrative can say "this looks like inc-… of last week".
	Similar []Similar
}

// Similar is a past incident ranked by similarity to the requested one.
type Similar struct {
	Incident incident.Incident // without members
	// Score in [0, 1]; Reasons say in words what the two have in common.
	Score   float64
	Reasons []string
}
