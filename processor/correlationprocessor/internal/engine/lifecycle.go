package engine

import (
	"slices"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// The lifecycle of a group: one timer per group (cf. Alertmanager's
// aggrGroup) in a heap ordered by due time, opened after GroupWait, updated
// at most every GroupInterval, resolved after ResolveAfter of quiet.

// nextDue returns when g's timer must fire next.
func (e *Engine) nextDue(g *group) time.Time {
	if !g.emitted {
		return g.created.Add(e.cfg.GroupWait)
	}
	due := g.lastActivity.Add(e.cfg.ResolveAfter)
	if g.dirty {
		upd := g.lastEmit.Add(e.cfg.GroupInterval)
		if g.dirtyAt.After(upd) {
			upd = g.dirtyAt
		}
		if upd.Before(due) {
			due = upd
		}
	}
	return due
}

// schedule queues g's timer if it must fire earlier than the queued one. A
// timer that fires too early (the quiet period was extended meanwhile) just
// reschedules, so activity costs no heap operation.
func (e *Engine) schedule(g *group) {
	d := e.nextDue(g)
	if !g.scheduled.IsZero() && !d.Before(g.scheduled) {
		return
	}
	g.gen++
	g.scheduled = d
	e.timers.push(timer{due: d, order: g.order, g: g, gen: g.gen})
}

// fire handles every timer due at or before the clock, in due order.
func (e *Engine) fire(ups []incident.Update) []incident.Update {
	if n := e.timers.due(e.now, 0); n > 0 {
		// A due timer yields one or two updates (opened or updated, then
		// possibly resolved): size the output once instead of growing it
		// through a burst (a replay, a restart) of thousands.
		ups = slices.Grow(ups, 2*n)
	}
	for len(e.timers) > 0 && !e.timers[0].due.After(e.now) {
		t := e.timers.pop()
		g := t.g
		if t.gen != g.gen { // superseded, or the group resolved or merged (both bump gen)
			continue
		}
		g.scheduled = time.Time{}
		at := t.due
		switch {
		case !g.emitted:
			ups = appendUpdate(ups, e.emit(g, incident.EventOpened, at))
		case g.dirty && !at.Before(e.nextDue(g)) && at.Before(g.lastActivity.Add(e.cfg.ResolveAfter)):
			ups = appendUpdate(ups, e.emit(g, incident.EventUpdated, at))
		}
		if !at.Before(g.lastActivity.Add(e.cfg.ResolveAfter)) {
			ups = appendUpdate(ups, e.resolve(g, at))
			continue
		}
		e.schedule(g)
	}
	return ups
}

// appendUpdate appends u, doubling the capacity when full: timers that a
// burst reschedules into the past fire in the same burst, beyond what fire
// sized for, and append's 1.25× growth of large slices would copy the
// 400-byte updates several times over.
func appendUpdate(ups []incident.Update, u incident.Update) []incident.Update {
	if len(ups) == cap(ups) {
		ups = slices.Grow(ups, len(ups)+1)
	}
	return append(ups, u)
}

func (e *Engine) emit(g *group, ev incident.Event, at time.Time) incident.Update {
	cands := e.rank(g)
	if len(cands) > 0 {
		g.rootNode = cands[0].node
	}
	rcs := e.rootCauses(cands, len(cands))
	clear(cands) // drop the references to members until the next ranking
	g.sequence++
	status := incident.StatusOpen
	switch ev {
	case incident.EventOpened:
		g.emitted = true
		g.openedAt = at
		for _, m := range g.members {
			if id, ok := e.recent.lookup(m.Fingerprint); ok {
				g.recurrenceOf = id
				e.stats.Recurrences++
				break
			}
		}
		e.stats.IncidentsOpened++
		tti := at.Sub(g.first)
		e.stats.TimeToIncidentTotal += tti
		e.stats.TimeToIncidentMax = max(e.stats.TimeToIncidentMax, tti)
	case incident.EventUpdated:
		e.stats.IncidentsUpdated++
	case incident.EventResolved:
		status = incident.StatusResolved
		e.stats.IncidentsResolved++
	}
	g.lastEmit = at
	g.dirty = false
	g.dirtyAt = time.Time{}
	return incident.Update{Event: ev, Incident: g.snapshotIncident(status, at, rcs)}
}

// resolve emits g's resolved update and forgets it; its fingerprints are
// remembered to mark a recurrence.
func (e *Engine) resolve(g *group, at time.Time) incident.Update {
	up := e.emit(g, incident.EventResolved, at)
	delete(e.groups, g.id)
	g.gen++
	until := at.Add(e.cfg.RecurrenceMemory)
	for _, m := range g.members {
		if e.byFP[m.Fingerprint] == m {
			delete(e.byFP, m.Fingerprint)
		}
		e.recent.remember(m.Fingerprint, g.id, until)
	}
	e.unindexNodes(g)
	return up
}

// unindexNodes removes g from the groups by node.
func (e *Engine) unindexNodes(g *group) {
	for _, nm := range g.nodes {
		gs := removeGroup(e.byNode[nm.node], g)
		if len(gs) == 0 {
			delete(e.byNode, nm.node)
		} else {
			e.byNode[nm.node] = gs
		}
	}
}

// timer is one queued wake-up of a group; stale ones (gen mismatch) are
// skipped when popped.
type timer struct {
	due   time.Time
	order uint64
	g     *group
	gen   uint64
}

// timerHeap is a binary min-heap of timers by due time, then group order.
// It is container/heap's algorithm on the concrete type, which keeps timers
// out of interfaces: boxing one per push and pop cost an allocation each.
type timerHeap []timer

func (h timerHeap) less(i, j int) bool {
	if c := h[i].due.Compare(h[j].due); c != 0 {
		return c < 0
	}
	return h[i].order < h[j].order
}

// due counts the timers due at or before now in the subtree at i, stale
// ones included.
func (h timerHeap) due(now time.Time, i int) int {
	if i >= len(h) || h[i].due.After(now) {
		return 0
	}
	return 1 + h.due(now, 2*i+1) + h.due(now, 2*i+2)
}

func (h *timerHeap) push(t timer) {
	*h = append(*h, t)
	q := *h
	for j := len(q) - 1; j > 0; {
		i := (j - 1) / 2
		if !q.less(j, i) {
			break
		}
		q[i], q[j] = q[j], q[i]
		j = i
	}
}

func (h *timerHeap) pop() timer {
	q := *h
	n := len(q) - 1
	q[0], q[n] = q[n], q[0]
	for i := 0; ; {
		j := 2*i + 1
		if j >= n {
			break
		}
		if j2 := j + 1; j2 < n && q.less(j2, j) {
			j = j2
		}
		if !q.less(j, i) {
			break
		}
		q[i], q[j] = q[j], q[i]
		i = j
	}
	t := q[n]
	q[n] = timer{} // drop the reference to the group
	*h = q[:n]
	return t
}
