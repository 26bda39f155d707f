package engine

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Root-cause ranking. Every topology node with a member is a candidate. Its
// score is a weighted sum of features, each in [0, 1], so the score is in
// [0, 1] too:
//
//	explanation  0.45  share of the incident's findings (occurrences) it
//	                   accounts for: its own, plus consistency × those of
//	                   the candidates it explains. It explains a candidate
//	                   that depends on it, directly or transitively, and
//	                   started no earlier than it (less OnsetTolerance).
//	                   Consistency is the share of what directly depends on
//	                   it that is failing: for a service its callers, for a
//	                   pod, node, host or hardware the services running on
//	                   it; a cause whose dependents are mostly healthy is a
//	                   weak explanation
//	root         0.15  1 minus the consistency of the best candidate that
//	                   explains it (a failing dependency that started first)
//	onset        0.15  onset order among the candidates, earliest = 1
//	change       0.15  a change on it within ChangeLookback before its onset
//	layer        0.05  hardware 1, host 0.8, node 0.6, pod 0.4, service 0.2
//	severity     0.05  highest severity among its findings
//
// Ties are broken by earlier onset, lower layer, then node name, so the
// order is total and replays rank identically.
const (
	wExplanation = 0.45
	wRoot        = 0.15
	wOnset       = 0.15
	wChange      = 0.15
	wLayer       = 0.05
	wSeverity    = 0.05

	maxEvidenceIDs = 10
	rankMaxVisits  = 4096
)

type candidate struct {
	node        string
	entity      incident.Entity
	kind        incident.Kind
	onset       time.Time
	severity    incident.Severity
	layer       incident.Layer
	ids         []string
	dependents  int
	mass        int64   // occurrences at the node
	depMass     int64   // occurrences at the candidates it explains
	explained   float64 // consistency of the best candidate explaining this one
	consistency float64
	known       int // direct dependents known from the topology
	change      *linkedChange
	onsetRank   int
	score       float64
}

func layerScore(l incident.Layer) float64 {
	switch l {
	case incident.LayerHardware:
		return 1
	case incident.LayerHost:
		return 0.8
	case incident.LayerNode:
		return 0.6
	case incident.LayerPod:
		return 0.4
	case incident.LayerService:
		return 0.2
	default:
		return 0
	}
}

// rank scores the group's candidates, best first.
func (e *Engine) rank(g *group) []candidate {
	cands := make([]candidate, 0, len(g.nodes))
	for node, ms := range g.nodes {
		c := candidate{node: node, layer: layerOfNode(node)}
		best := ms[0]
		for _, m := range ms {
			c.mass += m.Count
			if c.onset.IsZero() || m.FirstSeen.Before(c.onset) {
				c.onset = m.FirstSeen
			}
			if m.Severity > best.Severity || m.Severity == best.Severity && m.order < best.order {
				best = m
			}
		}
		c.entity, c.kind, c.severity = best.entity, best.Kind, best.Severity
		sorted := slices.Clone(ms)
		slices.SortFunc(sorted, func(a, b *member) int {
			return cmp.Or(a.FirstSeen.Compare(b.FirstSeen), cmp.Compare(a.order, b.order))
		})
		for _, m := range sorted[:min(len(sorted), maxEvidenceIDs)] {
			c.ids = append(c.ids, m.FindingID)
		}
		cands = append(cands, c)
	}
	slices.SortFunc(cands, func(a, b candidate) int { return cmp.Compare(a.node, b.node) })
	index := make(map[string]int, len(cands))
	for i := range cands {
		index[cands[i].node] = i
	}
	// Dependents that started no earlier than the candidate (less the onset
	// tolerance) are explained by it; each explained candidate remembers
	// its explainers.
	explainers := make([][]int, len(cands))
	tol := e.cfg.OnsetTolerance
	for i := range cands {
		earliest := cands[i].onset.Add(-tol)
		e.graph.walk(cands[i].node, false, e.cfg.MaxHops, rankMaxVisits, func(n string, _ int) bool {
			if j, ok := index[n]; ok && !cands[j].onset.Before(earliest) {
				cands[i].dependents++
				cands[i].depMass += cands[j].mass
				explainers[j] = append(explainers[j], i)
			}
			return true
		})
	}
	for i := range cands {
		cands[i].consistency, cands[i].known = e.consistency(cands[i].node, g.nodes)
	}
	// A candidate is explained away by its most consistent explainer.
	for j := range cands {
		for _, i := range explainers[j] {
			cands[j].explained = max(cands[j].explained, cands[i].consistency)
		}
	}
	// changes on the candidate shortly before its onset
	for k := range g.changes {
		ch := &g.changes[k]
		i, ok := index[ch.node]
		if !ok {
			continue
		}
		c := &cands[i]
		if ch.Time.Before(c.onset.Add(-e.cfg.ChangeLookback)) || ch.Time.After(c.onset.Add(e.cfg.GroupWait)) {
			continue
		}
		if c.change == nil || ch.Time.After(c.change.Time) {
			c.change = ch
		}
	}
	// onset rank, ties sharing a rank
	onsets := make([]time.Time, len(cands))
	for i := range cands {
		onsets[i] = cands[i].onset
	}
	slices.SortFunc(onsets, time.Time.Compare)
	onsets = slices.CompactFunc(onsets, time.Time.Equal)
	var totalMass int64
	for i := range cands {
		totalMass += cands[i].mass
	}
	for i := range cands {
		c := &cands[i]
		c.onsetRank, _ = slices.BinarySearchFunc(onsets, c.onset, time.Time.Compare)
		explanation := (float64(c.mass) + c.consistency*float64(c.depMass)) / float64(max(totalMass, 1))
		onset := 1.0
		if len(onsets) > 1 {
			onset = 1 - float64(c.onsetRank)/float64(len(onsets)-1)
		}
		root := 1 - c.explained
		change := 0.0
		if c.change != nil {
			change = 1
		}
		sev := float64(c.severity-incident.SeverityInfo) / float64(incident.SeverityCritical-incident.SeverityInfo)
		c.score = wExplanation*explanation + wRoot*root + wOnset*onset + wChange*change + wLayer*layerScore(c.layer) + wSeverity*sev
		c.score = min(max(c.score, 0), 1)
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(
			cmp.Compare(b.score, a.score),
			a.onset.Compare(b.onset),
			cmp.Compare(a.layer, b.layer),
			cmp.Compare(a.node, b.node),
		)
	})
	return cands
}

// rootCauses renders the top-k candidates.
func (e *Engine) rootCauses(cands []candidate, total int) []incident.RootCause {
	k := min(len(cands), e.cfg.TopK)
	if k == 0 {
		return nil
	}
	out := make([]incident.RootCause, k)
	for i, c := range cands[:k] {
		rc := incident.RootCause{Entity: c.entity, Kind: c.kind, Score: c.score}
		rc.Reasons = append(rc.Reasons, fmt.Sprintf("onset %s, %s of %d failing entities to start",
			c.onset.UTC().Format(time.RFC3339), ordinal(c.onsetRank+1), total))
		if total > 1 {
			rc.Reasons = append(rc.Reasons, fmt.Sprintf("%d of the %d other failing entities depend on it (callers or contained)", c.dependents, total-1))
		}
		if c.known > 0 {
			rc.Reasons = append(rc.Reasons, fmt.Sprintf("%.0f%% of what depends on it directly is failing (%d known)", 100*c.consistency, c.known))
		} else {
			rc.Reasons = append(rc.Reasons, "nothing known depends on it")
		}
		if c.explained == 0 {
			rc.Reasons = append(rc.Reasons, "no failing dependency of it started first")
		} else {
			rc.Reasons = append(rc.Reasons, fmt.Sprintf("a failing dependency that started first may explain it (%.0f%% consistent)", 100*c.explained))
		}
		rc.Reasons = append(rc.Reasons, fmt.Sprintf("%s layer", c.layer))
		if c.change != nil {
			ch := c.change
			desc := string(ch.Kind)
			if ch.From != "" || ch.To != "" {
				desc += fmt.Sprintf(" %s→%s", orUnknown(ch.From), orUnknown(ch.To))
			}
			if d := c.onset.Sub(ch.Time).Round(time.Second); d >= 0 {
				rc.Reasons = append(rc.Reasons, fmt.Sprintf("%s %s before its onset", desc, d))
			} else {
				rc.Reasons = append(rc.Reasons, fmt.Sprintf("%s %s after its onset", desc, -d))
			}
		}
		rc.Reasons = append(rc.Reasons, fmt.Sprintf("severity %s", c.severity))
		rc.FindingIDs = slices.Clone(c.ids)
		if c.change != nil {
			rc.FindingIDs = append(rc.FindingIDs, c.change.FindingID)
		}
		out[i] = rc
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// consistency returns the share of what directly depends on node that is
// failing (has members in the group): for a service its calling services,
// for infrastructure the services running on it (reached through
// containment only). Without known dependents there is no contrary evidence
// and it returns 1.
func (e *Engine) consistency(node string, failing map[string][]*member) (share float64, known int) {
	var total, bad int
	switch layerOfNode(node) {
	case incident.LayerService:
		for caller := range e.graph.in[node] {
			if layerOfNode(caller) == incident.LayerService {
				total++
				if _, ok := failing[caller]; ok {
					bad++
				}
			}
		}
	case incident.LayerHardware, incident.LayerHost, incident.LayerNode, incident.LayerPod:
		e.graph.walkUntil(node, false, e.cfg.MaxHops, rankMaxVisits,
			func(n string) bool { return layerOfNode(n) != incident.LayerService },
			func(n string, _ int) bool {
				if layerOfNode(n) == incident.LayerService {
					total++
					if _, ok := failing[n]; ok {
						bad++
					}
				}
				return true
			})
	}
	if total == 0 {
		return 1, 0
	}
	return float64(bad) / float64(total), total
}
