package engine

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// snapshotVersion is bumped on any incompatible change of the encoding.
const snapshotVersion = 1

// The snapshot encoding is JSON with times as Unix nanoseconds (0 = zero
// time), so a restored engine emits byte-identical updates.
type snapState struct {
	Version    int          `json:"version"`
	Now        int64        `json:"now"`
	LastTick   int64        `json:"last_tick"`
	Order      uint64       `json:"order"`
	Groups     []snapGroup  `json:"groups"`
	Edges      []snapEdge   `json:"edges,omitempty"`
	Changes    []snapChange `json:"changes,omitempty"`
	Recent     []snapRecent `json:"recent,omitempty"`
	Stats      Stats        `json:"stats"`
	EdgeCounts [2]uint64    `json:"edge_counts"`
}

type snapGroup struct {
	ID           string            `json:"id"`
	Created      int64             `json:"created"`
	Order        uint64            `json:"order"`
	Labels       map[string]string `json:"labels,omitempty"`
	Members      []snapMember      `json:"members"`
	Changes      []snapChange      `json:"changes,omitempty"`
	Total        int64             `json:"total"`
	Severity     incident.Severity `json:"severity"`
	First        int64             `json:"first"`
	Last         int64             `json:"last"`
	LastActivity int64             `json:"last_activity"`
	RecurrenceOf string            `json:"recurrence_of,omitempty"`
	Emitted      bool              `json:"emitted"`
	Sequence     int64             `json:"sequence"`
	OpenedAt     int64             `json:"opened_at"`
	LastEmit     int64             `json:"last_emit"`
	Dirty        bool              `json:"dirty"`
	DirtyAt      int64             `json:"dirty_at"`
	RootNode     string            `json:"root_node,omitempty"`
}

type snapMember struct {
	Fingerprint string            `json:"fp"`
	FindingID   string            `json:"id"`
	Kind        incident.Kind     `json:"kind"`
	Severity    incident.Severity `json:"severity"`
	Entity      map[string]string `json:"entity"`
	Signal      string            `json:"signal,omitempty"`
	FirstSeen   int64             `json:"first"`
	LastSeen    int64             `json:"last"`
	Count       int64             `json:"count"`
	Node        string            `json:"node"`
}

type snapChange struct {
	Entity      map[string]string   `json:"entity"`
	Kind        incident.ChangeKind `json:"kind"`
	From        string              `json:"from,omitempty"`
	To          string              `json:"to,omitempty"`
	Time        int64               `json:"time"`
	Description string              `json:"description,omitempty"`
	FindingID   string              `json:"finding_id"`
	Node        string              `json:"node"`
	Fingerprint string              `json:"fp"`
}

type snapEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Last int64  `json:"last"`
}

type snapRecent struct {
	Fingerprint string `json:"fp"`
	ID          string `json:"id"`
	Until       int64  `json:"until"`
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func snapChangeOf(c linkedChange) snapChange {
	return snapChange{
		Entity: maps.Collect(c.Entity.All()), Kind: c.Kind, From: c.From, To: c.To, Time: nanos(c.Time),
		Description: c.Description, FindingID: c.FindingID, Node: c.node, Fingerprint: c.fingerprint,
	}
}

func (s snapChange) linked() linkedChange {
	return linkedChange{
		Change: incident.Change{
			Entity: incident.NewEntity(s.Entity), Kind: s.Kind, From: s.From, To: s.To, Time: fromNanos(s.Time),
			Description: s.Description, FindingID: s.FindingID,
		},
		node: s.Node, fingerprint: s.Fingerprint,
	}
}

// Snapshot encodes the engine's state — open and pending incidents with
// their members and timers, learned edges, remembered changes and resolved
// fingerprints, counters — for persistence. Static edges come from the
// configuration and are not included.
func (e *Engine) Snapshot() ([]byte, error) {
	s := snapState{Version: snapshotVersion, Now: nanos(e.now), LastTick: nanos(e.lastTick), Order: e.order, Stats: e.stats,
		EdgeCounts: [2]uint64{e.graph.expired, e.graph.evicted}}
	groups := make([]*group, 0, len(e.groups))
	for _, g := range e.groups {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b *group) int { return cmp.Compare(a.order, b.order) })
	for _, g := range groups {
		sg := snapGroup{
			ID: g.id, Created: nanos(g.created), Order: g.order, Labels: g.labels, Total: g.total,
			Severity: g.severity, First: nanos(g.first), Last: nanos(g.last), LastActivity: nanos(g.lastActivity),
			RecurrenceOf: g.recurrenceOf, Emitted: g.emitted, Sequence: g.sequence, OpenedAt: nanos(g.openedAt),
			LastEmit: nanos(g.lastEmit), Dirty: g.dirty, DirtyAt: nanos(g.dirtyAt), RootNode: g.rootNode,
		}
		for _, m := range g.members {
			sg.Members = append(sg.Members, snapMember{
				Fingerprint: m.Fingerprint, FindingID: m.FindingID, Kind: m.Kind, Severity: m.Severity,
				Entity: maps.Collect(m.entity.All()), Signal: m.Signal, FirstSeen: nanos(m.FirstSeen), LastSeen: nanos(m.LastSeen),
				Count: m.Count, Node: m.node,
			})
		}
		for _, c := range g.changes {
			sg.Changes = append(sg.Changes, snapChangeOf(c))
		}
		s.Groups = append(s.Groups, sg)
	}
	for el := e.graph.lru.Front(); el != nil; el = el.Next() {
		ed := el.Value.(*edge)
		s.Edges = append(s.Edges, snapEdge{From: ed.from, To: ed.to, Last: nanos(ed.last)})
	}
	for el := e.changes.order.Front(); el != nil; el = el.Next() {
		s.Changes = append(s.Changes, snapChangeOf(el.Value.(linkedChange)))
	}
	e.recent.each(func(_ int, it recentItem) {
		s.Recent = append(s.Recent, snapRecent{Fingerprint: it.fp, ID: it.id, Until: nanos(it.until)})
	})
	return json.Marshal(s)
}

// Restore replaces the engine's state with a snapshot taken by Snapshot,
// possibly by another process. The engine's configuration is kept; state
// beyond its caps is dropped as new data would be.
func (e *Engine) Restore(data []byte) error {
	var s snapState
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("correlation engine: restore: %w (the snapshot is corrupt; delete it to start empty)", err)
	}
	if s.Version != snapshotVersion {
		return fmt.Errorf("correlation engine: restore: snapshot version %d, this build reads %d (delete it to start empty)", s.Version, snapshotVersion)
	}
	fresh, err := New(e.cfg)
	if err != nil {
		return err
	}
	*e = *fresh
	e.now, e.lastTick, e.order, e.stats = fromNanos(s.Now), fromNanos(s.LastTick), s.Order, s.Stats
	e.graph.expired, e.graph.evicted = s.EdgeCounts[0], s.EdgeCounts[1]
	for _, ed := range s.Edges {
		e.graph.observe(ed.From, ed.To, fromNanos(ed.Last))
	}
	for _, c := range s.Changes {
		e.changes.add(c.linked())
	}
	for _, r := range s.Recent {
		e.recent.remember(r.Fingerprint, r.ID, fromNanos(r.Until))
	}
	for _, sg := range s.Groups {
		if len(e.groups) >= e.cfg.MaxOpenIncidents {
			e.stats.FindingsDropped += uint64(sg.Total)
			continue
		}
		g := newGroup(sg.ID, fromNanos(sg.Created), sg.Order, sg.Labels)
		g.total, g.severity, g.first, g.last = sg.Total, sg.Severity, fromNanos(sg.First), fromNanos(sg.Last)
		g.lastActivity, g.recurrenceOf, g.emitted, g.sequence = fromNanos(sg.LastActivity), sg.RecurrenceOf, sg.Emitted, sg.Sequence
		g.openedAt, g.lastEmit, g.dirty, g.dirtyAt, g.rootNode = fromNanos(sg.OpenedAt), fromNanos(sg.LastEmit), sg.Dirty, fromNanos(sg.DirtyAt), sg.RootNode
		for _, sm := range sg.Members {
			if len(g.members) >= e.cfg.MaxMembers {
				break
			}
			m := &member{
				Member: incident.Member{
					Fingerprint: sm.Fingerprint, FindingID: sm.FindingID, Kind: sm.Kind, Severity: sm.Severity,
					EntityKey: "", Signal: sm.Signal, FirstSeen: fromNanos(sm.FirstSeen), LastSeen: fromNanos(sm.LastSeen), Count: sm.Count,
				},
				entity: incident.NewEntity(sm.Entity), node: sm.Node, order: len(g.members), g: g,
			}
			m.EntityKey = m.entity.Key()
			if !g.hasNode(m.node) {
				e.byNode[m.node] = append(e.byNode[m.node], g)
			}
			g.members = append(g.members, m)
			g.fileMember(m)
			e.byFP[m.Fingerprint] = m
		}
		for _, c := range sg.Changes {
			g.changes = append(g.changes, c.linked())
		}
		e.groups[g.id] = g
		e.schedule(g)
	}
	return nil
}
