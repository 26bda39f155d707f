package engine

import (
	"cmp"
	"slices"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

type hit struct {
	g         *group
	dist      int
	inhibited bool // the finding is downstream of g's current root cause
}

// findGroup returns the open or pending group the finding on node belongs
// to, merging pending groups it connects, or nil for a new group.
func (e *Engine) findGroup(node string, f *incident.Finding) *group {
	e.hits = e.hits[:0]
	consider := func(n string, dist int, down bool) bool {
		for _, g := range e.byNode[n] {
			if !g.within(f.Time, e.cfg.Window) || !compatible(g.labels, f.Entity, e.cfg.MatchAttributes) {
				continue
			}
			// Causal precedence: a cause starts before its effects (less
			// OnsetTolerance). Walking down, n may cause the finding;
			// walking up, the finding may cause n.
			if dist > 0 {
				onset := g.nodeOnset(n)
				if down && onset.After(f.Time.Add(e.cfg.OnsetTolerance)) || !down && f.Time.After(onset.Add(e.cfg.OnsetTolerance)) {
					continue
				}
			}
			inhibited := down && g.rootNode == n || dist == 0 && g.rootNode == n
			i := slices.IndexFunc(e.hits, func(h hit) bool { return h.g == g })
			if i < 0 {
				e.hits = append(e.hits, hit{g, dist, inhibited})
				continue
			}
			h := &e.hits[i]
			h.dist = min(h.dist, dist)
			h.inhibited = h.inhibited || inhibited
		}
		return true
	}
	consider(node, 0, true)
	e.graph.walk(node, true, e.cfg.MaxHops, ingestMaxVisits, func(n string, d int) bool { return consider(n, d, true) })
	e.graph.walk(node, false, e.cfg.MaxHops, ingestMaxVisits, func(n string, d int) bool { return consider(n, d, false) })
	if len(e.hits) == 0 {
		return nil
	}
	// Emitted incidents first (their IDs are public), preferring one whose
	// root cause the finding is downstream of (inhibition), then the closest,
	// then the oldest. Among pending groups only, the oldest.
	slices.SortFunc(e.hits, func(a, b hit) int {
		if a.g.emitted != b.g.emitted {
			if a.g.emitted {
				return -1
			}
			return 1
		}
		if a.g.emitted {
			if a.inhibited != b.inhibited {
				if a.inhibited {
					return -1
				}
				return 1
			}
			if c := cmp.Compare(a.dist, b.dist); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.g.order, b.g.order)
	})
	target := e.hits[0].g
	if e.hits[0].inhibited {
		e.stats.FindingsInhibited++
	}
	for _, h := range e.hits[1:] {
		if !h.g.emitted && compatibleLabels(target.labels, h.g.labels) {
			e.merge(target, h.g)
		}
	}
	clear(e.hits) // drop the references to groups
	return target
}

func compatibleLabels(a, b map[string]string) bool {
	for k, v := range b {
		if w, ok := a[k]; ok && w != v {
			return false
		}
	}
	return true
}

// merge moves the pending group src into dst.
func (e *Engine) merge(dst, src *group) {
	e.stats.GroupsMerged++
	for _, m := range src.members {
		delete(e.byFP, m.Fingerprint)
		if len(dst.members) >= e.cfg.MaxMembers {
			e.stats.MembersDropped++
			continue
		}
		known := dst.hasNode(m.node)
		m.order = len(dst.members)
		m.g = dst
		dst.members = append(dst.members, m)
		dst.fileMember(m)
		e.byFP[m.Fingerprint] = m
		if !known {
			e.byNode[m.node] = append(e.byNode[m.node], dst)
		}
	}
	e.unindexNodes(src)
	for _, c := range src.changes {
		e.link(dst, c)
	}
	dst.total += src.total
	dst.severity = max(dst.severity, src.severity)
	if src.first.Before(dst.first) {
		dst.first = src.first
	}
	if src.last.After(dst.last) {
		dst.last = src.last
	}
	if src.lastActivity.After(dst.lastActivity) {
		dst.lastActivity = src.lastActivity
	}
	for k, v := range src.labels {
		if _, ok := dst.labels[k]; !ok {
			if dst.labels == nil {
				dst.labels = map[string]string{}
			}
			dst.labels[k] = v
		}
	}
	delete(e.groups, src.id)
	src.gen++ // invalidates its timer
	e.markDirty(dst)
}

func removeGroup(gs []*group, g *group) []*group {
	if i := slices.Index(gs, g); i >= 0 {
		return slices.Delete(gs, i, i+1)
	}
	return gs
}
