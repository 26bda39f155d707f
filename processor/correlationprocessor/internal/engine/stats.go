package engine

import "time"

// Stats are the engine's counters for self-metrics. Counters only grow;
// gauges (marked) reflect the current state.
type Stats struct {
	FindingsIn           uint64 // valid findings ingested, changes included
	FindingsInvalid      uint64 // rejected with ErrInvalidFinding
	FindingsDeduplicated uint64 // repeated fingerprints folded into a member (or a known change)
	FindingsInhibited    uint64 // new fingerprints that joined the incident of their root cause
	FindingsDropped      uint64 // dropped with ErrTooManyIncidents
	FindingsFuture       uint64 // stamped beyond the last Tick + MaxFutureSkew; the clock was held back
	MembersDropped       uint64 // counted but not kept: the incident had MaxMembers
	ChangesIn            uint64
	ChangesLinked        uint64
	ChangesDropped       uint64 // forgotten early because MaxChanges was reached
	GroupsMerged         uint64 // pending groups joined by a finding related to both
	IncidentsOpened      uint64
	IncidentsUpdated     uint64
	IncidentsResolved    uint64
	Recurrences          uint64
	OpenIncidents        int // gauge: emitted, not resolved
	PendingGroups        int // gauge: waiting for GroupWait
	EdgesObserved        uint64
	Edges                int // gauge: learned edges
	EdgesExpired         uint64
	EdgesEvicted         uint64
	// TimeToIncident sums and maxes, over opened incidents, the time from
	// the first finding's onset to the opened update.
	TimeToIncidentTotal time.Duration
	TimeToIncidentMax   time.Duration
}

// Stats returns the current counters.
func (e *Engine) Stats() Stats {
	s := e.stats
	for _, g := range e.groups {
		if g.emitted {
			s.OpenIncidents++
		} else {
			s.PendingGroups++
		}
	}
	s.Edges = e.graph.learned()
	s.EdgesExpired = e.graph.expired
	s.EdgesEvicted = e.graph.evicted
	s.ChangesDropped = e.changes.dropped
	return s
}
