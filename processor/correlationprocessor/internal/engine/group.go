package engine

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// member is one fingerprint of a group.
type member struct {
	incident.Member
	entity incident.Entity
	node   string
	order  int    // insertion order within the group, for stable output
	g      *group // the group it belongs to
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
	nodes   []nodeMembers // by topology node, sorted
	// services and hosts are the sorted distinct service.name and host.name
	// values of the members. They are replaced, never modified in place, so
	// updates share them instead of copying.
	services, hosts []string
	changes         []linkedChange

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

	// inline holds the first member and the first slots of members and
	// nodes: most incidents stay small, and this saves four allocations for
	// each one.
	inline struct {
		member  member
		members [1]*member
		nodes   [1]nodeMembers
		onNode  [1]*member
	}
}

func newGroup(id string, created time.Time, order uint64, labels map[string]string) *group {
	g := &group{
		id:      id,
		created: created,
		order:   order,
		labels:  labels,
	}
	g.members, g.nodes = g.inline.members[:0], g.inline.nodes[:0]
	return g
}

// nodeMembers are the members of a group on one topology node.
type nodeMembers struct {
	node    string
	members []*member
}

func (g *group) nodeIndex(node string) (int, bool) {
	return slices.BinarySearchFunc(g.nodes, node, func(n nodeMembers, s string) int { return strings.Compare(n.node, s) })
}

// hasNode reports whether the group has a member on node.
func (g *group) hasNode(node string) bool {
	_, ok := g.nodeIndex(node)
	return ok
}

// fileMember indexes a new member: under its topology node, and by the
// service and host it names, kept sorted so that every update need not
// scan the members for them.
func (g *group) fileMember(m *member) {
	i, ok := g.nodeIndex(m.node)
	if !ok {
		nm := nodeMembers{node: m.node}
		if len(g.nodes) == 0 {
			nm.members = g.inline.onNode[:0]
		}
		g.nodes = slices.Insert(g.nodes, i, nm)
	}
	g.nodes[i].members = append(g.nodes[i].members, m)
	g.services = insertValue(g.services, m.entity, attrServiceName)
	g.hosts = insertValue(g.hosts, m.entity, attrHostName)
}

// insertValue returns the sorted set vs with the entity's non-empty value of
// key added; vs itself is left unchanged (see group.services).
func insertValue(vs []string, e incident.Entity, key string) []string {
	v, ok := e.Get(key)
	if !ok || v == "" {
		return vs
	}
	i, found := slices.BinarySearch(vs, v)
	if found {
		return vs
	}
	return slices.Insert(slices.Clip(vs), i, v)
}

// add records a new fingerprint in the group.
func (g *group) add(f *incident.Finding, node string) *member {
	m := &g.inline.member
	if len(g.members) > 0 {
		m = new(member)
	}
	*m = member{
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
		g:      g,
	}
	g.members = append(g.members, m)
	g.fileMember(m)
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
	i, ok := g.nodeIndex(node)
	if !ok {
		return time.Time{}
	}
	var t time.Time
	for _, m := range g.nodes[i].members {
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
	inc.Members = make([]incident.Member, len(g.members))
	for i, m := range g.members {
		inc.Members[i] = m.Member
	}
	inc.Services, inc.Hosts = g.services, g.hosts
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
	inc.Summary = g.summary(len(inc.Services), len(inc.Hosts))
	return inc
}

// summary renders the incident's one-line summary.
func (g *group) summary(services, hosts int) string {
	b := make([]byte, 0, 160)
	b = strconv.AppendInt(b, g.total, 10)
	b = append(b, " findings ("...)
	b = strconv.AppendInt(b, int64(len(g.members)), 10)
	b = append(b, " distinct) on "...)
	b = strconv.AppendInt(b, int64(len(g.nodes)), 10)
	b = append(b, " entities, "...)
	b = strconv.AppendInt(b, int64(services), 10)
	b = append(b, " services, "...)
	b = strconv.AppendInt(b, int64(hosts), 10)
	b = append(b, " hosts, "...)
	b = strconv.AppendInt(b, int64(len(g.changes)), 10)
	b = append(b, " linked changes, between "...)
	b = g.first.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, " and "...)
	b = g.last.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, '.')
	return string(b)
}

func (g *group) title(rcs []incident.RootCause) string {
	if len(rcs) == 0 {
		return strconv.FormatInt(g.total, 10) + " findings"
	}
	top := rcs[0]
	what := string(top.Kind)
	if layer := top.Entity.Layer().String(); layer != what {
		what = layer + " " + what
	}
	if impacted := len(g.nodes) - 1; impacted > 0 {
		return what + " at " + top.Entity.Key() + ", " + strconv.Itoa(impacted) + " more entities impacted"
	}
	return what + " at " + top.Entity.Key()
}
