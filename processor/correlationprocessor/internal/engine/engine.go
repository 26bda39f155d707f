package engine

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Sentinel errors returned by Ingest; the adapter counts them as drops.
var (
	// ErrInvalidFinding: the finding failed incident.Finding.Validate or lies
	// too far in the future.
	ErrInvalidFinding = errors.New("correlation engine: invalid finding")
	// ErrTooManyIncidents: the finding would open an incident beyond
	// Config.MaxOpenIncidents and was dropped.
	ErrTooManyIncidents = errors.New("correlation engine: too many open incidents")
)

// latestTime bounds every time the engine accepts, leaving room for its
// timers below the last OTLP timestamp (year 2262).
var latestTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

const ingestMaxVisits = 2048

// Engine groups findings into incidents. It is not safe for concurrent use:
// the adapter serializes calls under one mutex.
type Engine struct {
	cfg      Config
	now      time.Time // data-time watermark
	lastTick time.Time // now of the last Tick, bounds the clock (MaxFutureSkew)

	graph   *graph
	changes *changeIndex

	groups map[string]*group   // pending and open, by ID
	byFP   map[string]*member  // fingerprint → its member, in a pending or open group
	byNode map[string][]*group // topology node → groups with a member there
	timers timerHeap
	order  uint64

	recent *recentMemory // fingerprints of resolved incidents

	stats Stats

	chainBuf [4]string
	rankBuf  rankScratch
	hits     []hit
}

// New returns an engine. It validates cfg first.
func New(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("correlation engine: invalid config: %w", err)
	}
	cfg.MatchAttributes = slices.Clone(cfg.MatchAttributes)
	e := &Engine{
		cfg:     cfg,
		graph:   newGraph(cfg.EdgeTTL, cfg.MaxEdges),
		changes: newChangeIndex(cfg.MaxChanges, cfg.ChangeLookback+cfg.Window),
		groups:  map[string]*group{},
		byFP:    map[string]*member{},
		byNode:  map[string][]*group{},
		recent:  newRecentMemory(cfg.MaxRemembered),
	}
	for caller, callees := range cfg.Dependencies {
		for _, callee := range callees {
			e.graph.addStatic(ServiceNode(caller), ServiceNode(callee))
		}
	}
	return e, nil
}

// Now returns the engine's clock: the latest data time it has seen through
// Ingest or Tick.
func (e *Engine) Now() time.Time { return e.now }

// Ingest adds one finding and returns the updates that became due: those
// whose timers expired up to the finding's time, and any the finding caused
// at once. A KindChange finding is remembered and linked to incidents on the
// same entity instead of opening one. The error wraps ErrInvalidFinding or
// ErrTooManyIncidents; updates may be returned with it.
func (e *Engine) Ingest(f incident.Finding) ([]incident.Update, error) {
	if err := f.Validate(); err != nil {
		e.stats.FindingsInvalid++
		return nil, fmt.Errorf("%w: %w", ErrInvalidFinding, err)
	}
	if f.Time.After(latestTime) || f.ObservedTime.After(latestTime) {
		e.stats.FindingsInvalid++
		return nil, fmt.Errorf("%w: finding %q: time after %s", ErrInvalidFinding, f.ID, latestTime.Format(time.RFC3339))
	}
	f.Time = f.Time.UTC()
	if !f.ObservedTime.IsZero() {
		f.ObservedTime = f.ObservedTime.UTC()
	}
	e.stats.FindingsIn++
	at := f.Time
	if f.ObservedTime.After(at) {
		at = f.ObservedTime
	}
	if e.cfg.MaxFutureSkew > 0 && !e.lastTick.IsZero() {
		if limit := e.lastTick.Add(e.cfg.MaxFutureSkew); at.After(limit) {
			e.stats.FindingsFuture++
			at = limit
		}
	}
	ups := e.advance(at, nil)
	var err error
	if f.Kind == incident.KindChange {
		e.ingestChange(&f)
	} else {
		err = e.ingestTrouble(&f)
	}
	return e.fire(ups), err
}

// ObserveEdge records that service client called service server at ts, as
// seen in a trace (a client span and its server child, or a servicegraph
// edge). The edge expires Config.EdgeTTL after it was last observed. It does
// not advance the clock; a zero ts means the engine's current time.
func (e *Engine) ObserveEdge(client, server string, ts time.Time) {
	if client == "" || server == "" || client == server {
		return
	}
	if ts.IsZero() || ts.After(latestTime) {
		ts = e.now
	}
	e.stats.EdgesObserved++
	e.graph.observe(ServiceNode(client), ServiceNode(server), ts.UTC())
}

// Tick advances the clock to now (if later) and returns the updates that
// became due: opened after GroupWait, updated after GroupInterval, resolved
// after ResolveAfter of quiet. Pass the data-time watermark when replaying
// history; pass the wall clock when live, so quiet incidents resolve even if
// no data arrives. Every update carries the time its timer expired, not the
// time Tick was called, so the output does not depend on the tick cadence.
func (e *Engine) Tick(now time.Time) []incident.Update {
	if now.After(latestTime) {
		now = latestTime
	}
	now = now.UTC()
	if now.After(e.lastTick) {
		e.lastTick = now
	}
	return e.fire(e.advance(now, nil))
}

// advance moves the clock to t if later, fires due timers and expires
// learned state.
func (e *Engine) advance(t time.Time, ups []incident.Update) []incident.Update {
	if t.After(e.now) {
		e.now = t
	}
	ups = e.fire(ups)
	e.graph.expire(e.now)
	e.changes.expire(e.now)
	e.recent.expire(e.now)
	return ups
}

// ingestTrouble handles every kind of finding except changes.
func (e *Engine) ingestTrouble(f *incident.Finding) error {
	if m := e.byFP[f.Fingerprint]; m != nil {
		e.stats.FindingsDeduplicated++
		m.Count++
		if f.Time.After(m.LastSeen) {
			m.LastSeen = f.Time
		}
		if f.Time.Before(m.FirstSeen) {
			m.FirstSeen = f.Time
		}
		if f.Severity > m.Severity {
			m.Severity = f.Severity
		}
		e.note(m.g, f)
		return nil
	}

	node := e.learnContainment(f.Entity, e.now)

	g := e.findGroup(node, f)
	if g == nil {
		if len(e.groups) >= e.cfg.MaxOpenIncidents {
			e.stats.FindingsDropped++
			return fmt.Errorf("%w: %d pending or open (raise max_open_incidents, or shorten resolve_after); finding %q on %s dropped",
				ErrTooManyIncidents, len(e.groups), f.ID, f.Entity.Key())
		}
		labels := labelsOf(f.Entity, e.cfg.MatchAttributes)
		id := incident.NewIncidentID(labelKey(labels), f.Fingerprint,
			strconv.FormatInt(f.Time.UnixNano(), 10), strconv.FormatInt(e.now.UnixNano(), 10))
		e.order++
		g = newGroup(id, e.now, e.order, labels)
		e.groups[id] = g
	}
	if len(g.members) >= e.cfg.MaxMembers {
		e.stats.MembersDropped++
		e.note(g, f)
		return nil
	}
	for k, v := range labelsOf(f.Entity, e.cfg.MatchAttributes) {
		if _, ok := g.labels[k]; !ok {
			if g.labels == nil {
				g.labels = map[string]string{}
			}
			g.labels[k] = v
		}
	}
	known := g.hasNode(node)
	e.byFP[f.Fingerprint] = g.add(f, node)
	if !known {
		e.byNode[node] = append(e.byNode[node], g)
		for _, c := range e.changes.byNode[node] {
			if !c.Time.Before(f.Time.Add(-e.cfg.ChangeLookback)) && !c.Time.After(g.last) {
				e.link(g, c)
			}
		}
	}
	e.markDirty(g)
	e.note(g, nil)
	return nil
}

// note records activity on g: f (if not nil) is counted, and the quiet
// period restarts.
func (e *Engine) note(g *group, f *incident.Finding) {
	if f != nil {
		before := g.severity
		g.noteFinding(f)
		if g.severity != before {
			e.markDirty(g)
		}
	}
	if e.now.After(g.lastActivity) {
		g.lastActivity = e.now
	}
	e.schedule(g)
}

func (e *Engine) markDirty(g *group) {
	if !g.dirty || g.dirtyAt.IsZero() {
		g.dirtyAt = e.now
	}
	g.dirty = true
}

// ingestChange remembers a change and links it to incidents with members on
// the changed entity.
func (e *Engine) ingestChange(f *incident.Finding) {
	e.stats.ChangesIn++
	c := linkedChange{Change: changeFromFinding(f), node: NodeOf(f.Entity), fingerprint: f.Fingerprint}
	for _, o := range e.changes.byNode[c.node] {
		if o.fingerprint == c.fingerprint {
			e.stats.FindingsDeduplicated++
			return
		}
	}
	e.changes.add(c)
	for _, g := range e.byNode[c.node] {
		if !c.Time.Before(g.first.Add(-e.cfg.ChangeLookback)) && !c.Time.After(g.last) {
			e.link(g, c)
			e.note(g, nil)
		}
	}
}

func (e *Engine) link(g *group, c linkedChange) {
	if slices.ContainsFunc(g.changes, func(o linkedChange) bool { return o.FindingID == c.FindingID }) {
		return
	}
	e.stats.ChangesLinked++
	g.changes = append(g.changes, c)
	slices.SortStableFunc(g.changes, func(a, b linkedChange) int { return a.Time.Compare(b.Time) })
	e.markDirty(g)
}

// ObserveEntity learns the containment an entity's attributes imply
// (service → pod → k8s node → host, host → hardware) at ts, as the adapter
// sees resources in any telemetry, healthy or not. Knowing the healthy
// neighbours of a failing entity is what lets root-cause ranking tell a
// consistent explanation (everything on the host fails) from a coincidence.
// It does not advance the clock; a zero ts means the engine's current time.
func (e *Engine) ObserveEntity(entity incident.Entity, ts time.Time) {
	if ts.IsZero() || ts.After(latestTime) {
		ts = e.now
	}
	e.learnContainment(entity, ts.UTC())
}

// learnContainment observes the edges entity implies and returns its node.
func (e *Engine) learnContainment(entity incident.Entity, ts time.Time) string {
	nodes, hw := chain(entity, e.chainBuf[:0])
	for i := 0; i+1 < len(nodes); i++ {
		e.graph.observe(nodes[i], nodes[i+1], ts)
	}
	if hw != "" {
		if len(nodes) > 0 {
			e.graph.observe(nodes[len(nodes)-1], hw, ts)
		}
		return hw
	}
	if len(nodes) > 0 {
		return nodes[0]
	}
	return "entity:" + entity.Key()
}
