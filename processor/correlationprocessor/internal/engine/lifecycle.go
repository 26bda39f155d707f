package engine

import (
	"container/heap"
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
	heap.Push(&e.timers, timer{due: d, order: g.order, g: g, gen: g.gen})
}

// fire handles every timer due at or before the clock, in due order.
func (e *Engine) fire(ups []incident.Update) []incident.Update {
	for len(e.timers) > 0 && !e.timers[0].due.After(e.now) {
		t := heap.Pop(&e.timers).(timer)
		g := t.g
		if t.gen != g.gen || e.groups[g.id] != g {
			continue
		}
		g.scheduled = time.Time{}
		at := t.due
		switch {
		case !g.emitted:
			ups = append(ups, e.emit(g, incident.EventOpened, at))
		case g.dirty && !at.Before(e.nextDue(g)) && at.Before(g.lastActivity.Add(e.cfg.ResolveAfter)):
			ups = append(ups, e.emit(g, incident.EventUpdated, at))
		}
		if !at.Before(g.lastActivity.Add(e.cfg.ResolveAfter)) {
			ups = append(ups, e.resolve(g, at))
			continue
		}
		e.schedule(g)
	}
	return ups
}

func (e *Engine) emit(g *group, ev incident.Event, at time.Time) incident.Update {
	cands := e.rank(g)
	if len(cands) > 0 {
		g.rootNode = cands[0].node
	}
	rcs := e.rootCauses(cands, len(cands))
	g.sequence++
	status := incident.StatusOpen
	switch ev {
	case incident.EventOpened:
		g.emitted = true
		g.openedAt = at
		for _, m := range g.members {
			if r, ok := e.recent[m.Fingerprint]; ok {
				g.recurrenceOf = r.id
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
		if e.byFP[m.Fingerprint] == g {
			delete(e.byFP, m.Fingerprint)
		}
		if e.recentList.Len() >= e.cfg.MaxRemembered {
			e.forgetRecent(e.recentList.Front())
		}
		ref := recentRef{id: g.id, until: until}
		e.recent[m.Fingerprint] = ref
		e.recentList.PushBack(recentItem{m.Fingerprint, ref})
	}
	for n := range g.nodes {
		e.byNode[n] = removeGroup(e.byNode[n], g)
		if len(e.byNode[n]) == 0 {
			delete(e.byNode, n)
		}
	}
	return up
}

// timer is one queued wake-up of a group; stale ones (gen mismatch) are
// skipped when popped.
type timer struct {
	due   time.Time
	order uint64
	g     *group
	gen   uint64
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if c := h[i].due.Compare(h[j].due); c != 0 {
		return c < 0
	}
	return h[i].order < h[j].order
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = timer{}
	*h = old[:len(old)-1]
	return t
}
