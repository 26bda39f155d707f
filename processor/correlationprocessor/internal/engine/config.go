package engine

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes the engine. Every duration is measured in data time (see the
// package documentation). DefaultConfig returns complete working defaults;
// the adapter maps its YAML configuration onto this struct.
type Config struct {
	// GroupWait is how long a new group collects findings before its
	// "opened" update is emitted (Alertmanager's group_wait).
	GroupWait time.Duration
	// GroupInterval is the least time between two updates of one incident
	// (Alertmanager's group_interval). Changes in between are batched.
	GroupInterval time.Duration
	// Window is the sliding grouping window: a finding joins an incident only
	// if its onset lies within Window of the incident's findings (at most
	// Window before the first or after the last).
	Window time.Duration
	// ResolveAfter is the quiet period: an incident that receives no finding
	// for this long resolves. Must exceed GroupWait and Window.
	ResolveAfter time.Duration
	// MaxHops bounds topology walks (containment and call edges) when
	// deciding whether a finding is related to an incident.
	MaxHops int
	// EdgeTTL is how long a learned edge (trace or containment) lives after
	// it was last observed.
	EdgeTTL time.Duration
	// MaxEdges bounds the learned edges; the least recently observed edge is
	// evicted first.
	MaxEdges int
	// Dependencies is the static service dependency map: caller service.name
	// to the service.names it calls. These edges never expire.
	Dependencies map[string][]string
	// MatchAttributes are entity attributes that must agree for two findings
	// to share an incident (for example k8s.cluster.name or
	// deployment.environment). A finding without the attribute matches any
	// value. The values become the incident's Labels.
	MatchAttributes []string
	// ChangeLookback is how long before a finding's onset a change (deploy,
	// config) on the same entity is linked and counted for root cause.
	ChangeLookback time.Duration
	// MaxChanges bounds the change events remembered for linking.
	MaxChanges int
	// OnsetTolerance is how much earlier than a candidate root cause a
	// dependent may start failing and still count as explained by it
	// (detection delays and clock skew make onsets jitter).
	OnsetTolerance time.Duration
	// MaxFutureSkew bounds how far a finding may move the clock past the
	// last Tick: once Tick has been called, a finding stamped later than its
	// now plus MaxFutureSkew (a producer with a wrong clock) is ingested but
	// advances the clock only that far, so it cannot resolve every open
	// incident at once. Zero disables the bound.
	MaxFutureSkew time.Duration
	// TopK is the number of root-cause candidates reported.
	TopK int
	// MaxMembers caps the distinct fingerprints kept per incident; further
	// findings are counted in TotalFindings but not kept as members.
	MaxMembers int
	// MaxOpenIncidents caps pending and open incidents; a finding that would
	// open one more is dropped with ErrTooManyIncidents.
	MaxOpenIncidents int
	// RecurrenceMemory is how long the fingerprints of a resolved incident
	// are remembered to mark a new incident as its recurrence.
	RecurrenceMemory time.Duration
	// MaxRemembered bounds the fingerprints remembered for recurrence.
	MaxRemembered int
}

// DefaultConfig returns the defaults the processor uses.
func DefaultConfig() Config {
	return Config{
		GroupWait:        30 * time.Second,
		GroupInterval:    2 * time.Minute,
		Window:           5 * time.Minute,
		ResolveAfter:     15 * time.Minute,
		MaxHops:          8,
		EdgeTTL:          time.Hour,
		MaxEdges:         200_000,
		ChangeLookback:   30 * time.Minute,
		MaxChanges:       10_000,
		OnsetTolerance:   time.Minute,
		MaxFutureSkew:    5 * time.Minute,
		TopK:             3,
		MaxMembers:       500,
		MaxOpenIncidents: 50_000,
		RecurrenceMemory: 24 * time.Hour,
		MaxRemembered:    100_000,
	}
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	nonNeg := func(name string, d time.Duration) {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s: must not be negative, got %s", name, d))
		}
	}
	positive := func(name string, d time.Duration) {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive, got %s", name, d))
		}
	}
	nonNeg("group_wait", c.GroupWait)
	nonNeg("group_interval", c.GroupInterval)
	positive("window", c.Window)
	positive("resolve_after", c.ResolveAfter)
	positive("edge_ttl", c.EdgeTTL)
	nonNeg("change_lookback", c.ChangeLookback)
	nonNeg("recurrence_memory", c.RecurrenceMemory)
	nonNeg("onset_tolerance", c.OnsetTolerance)
	nonNeg("max_future_skew", c.MaxFutureSkew)
	if c.ResolveAfter <= c.GroupWait || c.ResolveAfter < c.Window {
		errs = append(errs, fmt.Errorf("resolve_after: %s must exceed group_wait (%s) and be at least window (%s), or incidents would resolve before they open or while still absorbing findings",
			c.ResolveAfter, c.GroupWait, c.Window))
	}
	for _, v := range []struct {
		name string
		n    int
	}{
		{"max_hops", c.MaxHops}, {"max_edges", c.MaxEdges}, {"max_changes", c.MaxChanges}, {"top_k", c.TopK},
		{"max_members", c.MaxMembers}, {"max_open_incidents", c.MaxOpenIncidents}, {"max_remembered", c.MaxRemembered},
	} {
		if v.n < 1 {
			errs = append(errs, fmt.Errorf("%s: must be at least 1, got %d", v.name, v.n))
		}
	}
	for caller, callees := range c.Dependencies {
		if caller == "" {
			errs = append(errs, errors.New("dependencies: empty caller service name"))
		}
		for _, callee := range callees {
			if callee == "" {
				errs = append(errs, fmt.Errorf("dependencies[%q]: empty callee service name", caller))
			}
		}
	}
	for i, a := range c.MatchAttributes {
		if a == "" {
			errs = append(errs, fmt.Errorf("match_attributes[%d]: must not be empty", i))
		}
	}
	return errors.Join(errs...)
}
