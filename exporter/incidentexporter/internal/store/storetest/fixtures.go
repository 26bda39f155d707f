package storetest

import (
	"fmt"
	"sync"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// T0 is the data time every fixture starts from.
var T0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Clock is a manual clock for Options.Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Member builds a member finding on entity (a "k=v" pair list).
func Member(fp string, kind incident.Kind, sev incident.Severity, entity string, first time.Time, count int64) incident.Member {
	return incident.Member{
		Fingerprint: fp, FindingID: "fnd-" + fp, Kind: kind, Severity: sev, EntityKey: entity,
		Signal: "sig." + fp, FirstSeen: first, LastSeen: first, Count: count,
	}
}

// Inc builds a valid incident: id, sequence, status, data time of the change.
// Resolved incidents get ResolvedAt = at.
func Inc(id string, seq int64, st incident.Status, at time.Time) incident.Incident {
	inc := incident.Incident{
		ID: id, Sequence: seq, Status: st, Severity: incident.SeverityWarning,
		Title: "Trouble " + id, Summary: "summary of " + id,
		OpenedAt: T0, UpdatedAt: at,
		Services: []string{"checkout"}, Hosts: []string{"node-1"},
	}
	if st == incident.StatusResolved {
		inc.ResolvedAt = at
	}
	return inc
}

// WithMembers sets the members and a matching finding count.
func WithMembers(inc incident.Incident, ms ...incident.Member) incident.Incident {
	inc.Members = ms
	inc.TotalFindings = 0
	inc.FirstFindingAt, inc.LastFindingAt = time.Time{}, time.Time{}
	for _, m := range ms {
		inc.TotalFindings += m.Count
		if inc.FirstFindingAt.IsZero() || m.FirstSeen.Before(inc.FirstFindingAt) {
			inc.FirstFindingAt = m.FirstSeen
		}
		if m.LastSeen.After(inc.LastFindingAt) {
			inc.LastFindingAt = m.LastSeen
		}
	}
	return inc
}

// WithRootCause sets one root cause.
func WithRootCause(inc incident.Incident, kind incident.Kind, entity map[string]string) incident.Incident {
	inc.RootCauses = []incident.RootCause{{Entity: incident.NewEntity(entity), Kind: kind, Score: 0.9}}
	return inc
}

// Up wraps an incident into an update with the event its status implies.
func Up(ev incident.Event, inc incident.Incident) incident.Update {
	return incident.Update{Event: ev, Incident: inc}
}

// Opened is the first record of incident id with one member.
func Opened(id string) incident.Update {
	inc := WithMembers(Inc(id, 1, incident.StatusOpen, T0),
		Member(id+"-a", incident.KindAnomaly, incident.SeverityWarning, "service.name=checkout", T0, 1))
	return Up(incident.EventOpened, inc)
}

// ID returns a valid-looking incident ID for n.
func ID(n int) string { return fmt.Sprintf("inc-%016x", n) }
