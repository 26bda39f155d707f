package engine

import (
	"container/list"
	"slices"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Evidence keys a change finding may carry (see the package documentation).
const (
	EvidenceChangeKind = "change.kind" // deploy (default) or config, or any other kind
	EvidenceChangeFrom = "change.from" // version or revision before
	EvidenceChangeTo   = "change.to"   // version or revision after; defaults to service.version
)

// changeFromFinding turns a KindChange finding into a Change.
func changeFromFinding(f *incident.Finding) incident.Change {
	c := incident.Change{
		Entity:      f.Entity,
		Kind:        incident.ChangeDeploy,
		From:        f.Evidence[EvidenceChangeFrom],
		To:          f.Evidence[EvidenceChangeTo],
		Time:        f.Time,
		Description: f.Title,
		FindingID:   f.ID,
	}
	if k := f.Evidence[EvidenceChangeKind]; k != "" {
		c.Kind = incident.ChangeKind(k)
	}
	if c.To == "" {
		c.To, _ = f.Entity.Get(attrServiceVer)
	}
	if c.Description == "" {
		c.Description = f.Summary
	}
	return c
}

const maxChangesPerNode = 16

// changeIndex remembers recent changes by topology node, bounded in count
// and expired ChangeLookback+Window after they happened.
type changeIndex struct {
	byNode map[string][]linkedChange
	order  *list.List // of linkedChange in arrival order, for expiry and eviction
	max    int
	keep   time.Duration

	dropped uint64
}

func newChangeIndex(maxChanges int, keep time.Duration) *changeIndex {
	return &changeIndex{byNode: map[string][]linkedChange{}, order: list.New(), max: maxChanges, keep: keep}
}

func (x *changeIndex) add(c linkedChange) {
	if x.order.Len() >= x.max {
		x.remove(x.order.Front())
		x.dropped++
	}
	cs := x.byNode[c.node]
	if len(cs) >= maxChangesPerNode {
		// forget the oldest change of this node; its list element stays until expiry
		cs = slices.Delete(cs, 0, 1)
		x.dropped++
	}
	x.byNode[c.node] = append(cs, c)
	x.order.PushBack(c)
}

func (x *changeIndex) remove(el *list.Element) {
	c := x.order.Remove(el).(linkedChange)
	cs := x.byNode[c.node]
	i := slices.IndexFunc(cs, func(o linkedChange) bool { return o.FindingID == c.FindingID })
	if i >= 0 {
		cs = slices.Delete(cs, i, i+1)
	}
	if len(cs) == 0 {
		delete(x.byNode, c.node)
	} else {
		x.byNode[c.node] = cs
	}
}

func (x *changeIndex) expire(now time.Time) {
	limit := now.Add(-x.keep)
	for el := x.order.Front(); el != nil; el = x.order.Front() {
		if !el.Value.(linkedChange).Time.Before(limit) {
			return
		}
		x.remove(el)
	}
}
