package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// member is one fingerprint of a group.
type member struct {
	incident.Member
	entity incident.Entity
	node   string
	order  int // insertion order within the group, for stable output
}

// linkedChange is a change event linked to a group.
type linkedChange struct {
	incident.Change
	node        string
	fingerprint string
}

// group is a pending or open incident (cf. Alertmanager's aggrGroup): the
// findings collected so far, its timers and what it last emitted.
type group struct {
	id      string
	created time.Time // engine time at creation; GroupWait counts from it
	order   uint64    // creation order, the last tie-breaker
	labels  map[string]string

	members []*member
	byFP    map[string]*member
	nodes   map[string][]*member // topology node → members there
	changes []linkedChange

	total        int64
	severity     incident.Severity
	first, last  time.Time // onset bounds of the members
	lastActivity time.Time // engine time a finding last joined; quiet period counts from it
	recurrenceOf string

	// emission state
	emitted  bool
	sequence int64
	openedAt time.Time
	lastEmit time.Time
	dirty    bool
	dirtyAt  time.Time
	rootNode string // top candidate of the last ranking

	// timer state
	scheduled time.Time // zero when no timer is queued
	gen       uint64
}

func newGroup(id string, created time.Time, order uint64, labels map[string]string) *group {
	return &group{
		id:      id,
		created: created,
		order:   order,
		labels:  labels,
		byFP:    map[string]*member{},
		nodes:   map[string][]*member{},
	}
}

// add records a new fingerprint in the group.
func (g *group) add(f *incident.Finding, node string) *member {
	m := &member{
		Member: incident.Member{
			Fingerprint: f.Fingerprint,
			FindingID:   f.ID,
			Kind:        f.Kind,
			Severity:    f.Severity,
			EntityKey:   f.Entity.Key(),
			Signal:      f.Signal,
			FirstSeen:   f.Time,
			LastSeen:    f.Time,
			Count:       1,
		},
		entity: f.Entity,
		node:   node,
		order:  len(g.members),
	}
	g.members = append(g.members, m)
	g.byFP[f.Fingerprint] = m
	g.nodes[node] = append(g.nodes[node], m)
	g.noteFinding(f)
	return m
}

// noteFinding updates the counters and bounds every finding touches.
func (g *group) noteFinding(f *incident.Finding) {
	g.total++
	if f.Severity > g.severity {
		g.severity = f.Severity
	}
	if g.first.IsZero() || f.Time.Before(g.first) {
		g.first = f.Time
	}
	if f.Time.After(g.last) {
		g.last = f.Time
	}
}

// nodeOnset returns the earliest onset among the members on node.
func (g *group) nodeOnset(node string) time.Time {
	var t time.Time
	for _, m := range g.nodes[node] {
		if t.IsZero() || m.FirstSeen.Before(t) {
			t = m.FirstSeen
		}
	}
	return t
}

// within reports whether onset t falls in the group's sliding window.
func (g *group) within(t time.Time, window time.Duration) bool {
	return !t.Before(g.first.Add(-window)) && !t.After(g.last.Add(window))
}

// compatible reports whether the finding's match attributes agree with the
// group's labels.
func compatible(labels map[string]string, e incident.Entity, keys []string) bool {
	for _, k := range keys {
		v, ok := e.Get(k)
		if !ok {
			continue
		}
		if have, ok := labels[k]; ok && have != v {
			return false
		}
	}
	return true
}

// labelsOf extracts the match attributes of an entity.
func labelsOf(e incident.Entity, keys []string) map[string]string {
	var m map[string]string
	for _, k := range keys {
		if v, ok := e.Get(k); ok {
			if m == nil {
				m = make(map[string]string, len(keys))
			}
			m[k] = v
		}
	}
	return m
}

// labelKey renders labels canonically, for the incident ID.
func labelKey(labels map[string]string) string {
	if len(labels) == 0 {
		return ""
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(labels[k])
		b.WriteByte(';')
	}
	return b.String()
}

// snapshotIncident renders the group as an incident at time at.
func (g *group) snapshotIncident(status incident.Status, at time.Time, rcs []incident.RootCause) incident.Incident {
	inc := incident.Incident{
		ID:             g.id,
		Sequence:       g.sequence,
		Status:         status,
		Severity:       g.severity,
		OpenedAt:       g.openedAt,
		UpdatedAt:      at,
		FirstFindingAt: g.first,
		LastFindingAt:  g.last,
		RootCauses:     rcs,
		TotalFindings:  g.total,
		RecurrenceOf:   g.recurrenceOf,
	}
	if status == incident.StatusResolved {
		inc.ResolvedAt = at
	}
	services, hosts := map[string]struct{}{}, map[string]struct{}{}
	inc.Members = make([]incident.Member, len(g.members))
	for i, m := range g.members {
		inc.Members[i] = m.Member
		if v, ok := m.entity.Get(attrServiceName); ok && v != "" {
			services[v] = struct{}{}
		}
		if v, ok := m.entity.Get(attrHostName); ok && v != "" {
			hosts[v] = struct{}{}
		}
	}
	inc.Services = sortedKeys(services)
	inc.Hosts = sortedKeys(hosts)
	if len(g.changes) > 0 {
		inc.Changes = make([]incident.Change, len(g.changes))
		for i, c := range g.changes {
			inc.Changes[i] = c.Change
		}
	}
	if len(g.labels) > 0 {
		inc.Labels = make(map[string]string, len(g.labels))
		for k, v := range g.labels {
			inc.Labels[k] = v
		}
	}
	inc.Title = g.title(rcs)
	inc.Summary = fmt.Sprintf("%d findings (%d distinct) on %d entities, %d services, %d hosts, %d linked changes, between %s and %s.",
		g.total, len(g.members), len(g.nodes), len(inc.Services), len(inc.Hosts), len(g.changes),
		g.first.UTC().Format(time.RFC3339), g.last.UTC().Format(time.RFC3339))
	return inc
}

func (g *group) title(rcs []incident.RootCause) string {
	if len(rcs) == 0 {
		return fmt.Sprintf("%d findings", g.total)
	}
	top := rcs[0]
	what := string(top.Kind)
	if layer := top.Entity.Layer().String(); layer != what {
		what = layer + " " + what
	}
	if impacted := len(g.nodes) - 1; impacted > 0 {
		return fmt.Sprintf("%s at %s, %d more entities impacted", what, top.Entity.Key(), impacted)
	}
	return fmt.Sprintf("%s at %s", what, top.Entity.Key())
}

func sortedKeys(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
