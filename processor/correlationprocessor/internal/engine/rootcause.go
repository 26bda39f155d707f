package engine

import (
	"cmp"
	"slices"
	"strconv"
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
	members     []*member // the group's members on node
	entity      incident.Entity
	kind        incident.Kind
	onset       time.Time
	severity    incident.Severity
	layer       incident.Layer
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

// rankScratch is the working memory of rank and rootCauses, reused across
// emissions so that ranking allocates only what it returns.
type rankScratch struct {
	cands   []candidate
	onsets  []time.Time
	members []*member
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

// rank scores the group's candidates, best first. The result lives in
// e.rankBuf and is valid until the next call.
func (e *Engine) rank(g *group) []candidate {
	cands := e.rankBuf.cands[:0]
	for _, nm := range g.nodes { // sorted by node, as index needs
		ms := nm.members
		c := candidate{node: nm.node, members: ms, layer: layerOfNode(nm.node)}
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
		cands = append(cands, c)
	}
	e.rankBuf.cands = cands
	index := func(node string) (int, bool) {
		return slices.BinarySearchFunc(cands, node, func(c candidate, n string) int { return cmp.Compare(c.node, n) })
	}
	for i := range cands {
		cands[i].consistency, cands[i].known = e.consistency(cands[i].node, g)
	}
	// Dependents that started no earlier than the candidate (less the onset
	// tolerance) are explained by it; a candidate is explained away by its
	// most consistent explainer.
	tol := e.cfg.OnsetTolerance
	for i := range cands {
		earliest := cands[i].onset.Add(-tol)
		e.graph.walk(cands[i].node, false, e.cfg.MaxHops, rankMaxVisits, func(n string, _ int) bool {
			if j, ok := index(n); ok && !cands[j].onset.Before(earliest) {
				cands[i].dependents++
				cands[i].depMass += cands[j].mass
				cands[j].explained = max(cands[j].explained, cands[i].consistency)
			}
			return true
		})
	}
	// changes on the candidate shortly before its onset
	for k := range g.changes {
		ch := &g.changes[k]
		i, ok := index(ch.node)
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
	onsets := e.rankBuf.onsets[:0]
	for i := range cands {
		onsets = append(onsets, cands[i].onset)
	}
	e.rankBuf.onsets = onsets
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

// rootCauses renders the top-k candidates. The reasons are built by
// concatenation rather than fmt: this runs for every update and fmt's
// allocations dominated it.
func (e *Engine) rootCauses(cands []candidate, total int) []incident.RootCause {
	k := min(len(cands), e.cfg.TopK)
	if k == 0 {
		return nil
	}
	out := make([]incident.RootCause, k)
	var tb [len(time.RFC3339) + 8]byte
	for i := range cands[:k] {
		c := &cands[i]
		rc := incident.RootCause{Entity: c.entity, Kind: c.kind, Score: c.score, Reasons: make([]string, 0, 7)}
		rc.Reasons = append(rc.Reasons, "onset "+string(c.onset.UTC().AppendFormat(tb[:0], time.RFC3339))+", "+
			strconv.Itoa(c.onsetRank+1)+ordinalSuffix(c.onsetRank+1)+" of "+strconv.Itoa(total)+" failing entities to start")
		if total > 1 {
			rc.Reasons = append(rc.Reasons, strconv.Itoa(c.dependents)+" of the "+strconv.Itoa(total-1)+
				" other failing entities depend on it (callers or contained)")
		}
		if c.known > 0 {
			rc.Reasons = append(rc.Reasons, percent(c.consistency)+" of what depends on it directly is failing ("+
				strconv.Itoa(c.known)+" known)")
		} else {
			rc.Reasons = append(rc.Reasons, "nothing known depends on it")
		}
		if c.explained == 0 {
			rc.Reasons = append(rc.Reasons, "no failing dependency of it started first")
		} else {
			rc.Reasons = append(rc.Reasons, "a failing dependency that started first may explain it ("+
				percent(c.explained)+" consistent)")
		}
		rc.Reasons = append(rc.Reasons, layerReason(c.layer))
		if c.change != nil {
			rc.Reasons = append(rc.Reasons, changeReason(c.change, c.onset))
		}
		rc.Reasons = append(rc.Reasons, severityReason(c.severity))
		rc.FindingIDs = e.evidenceIDs(c)
		out[i] = rc
	}
	return out
}

// evidenceIDs returns the IDs of the candidate's first findings by onset
// (at most maxEvidenceIDs), then its change's.
func (e *Engine) evidenceIDs(c *candidate) []string {
	sorted := append(e.rankBuf.members[:0], c.members...)
	slices.SortFunc(sorted, func(a, b *member) int {
		return cmp.Or(a.FirstSeen.Compare(b.FirstSeen), cmp.Compare(a.order, b.order))
	})
	n := min(len(sorted), maxEvidenceIDs)
	ids := make([]string, n, n+1)
	for i, m := range sorted[:n] {
		ids[i] = m.FindingID
	}
	clear(sorted)
	e.rankBuf.members = sorted[:0]
	if c.change != nil {
		ids = append(ids, c.change.FindingID)
	}
	return ids
}

// changeReason says which change preceded (or followed) the onset.
func changeReason(ch *linkedChange, onset time.Time) string {
	desc := string(ch.Kind)
	if ch.From != "" || ch.To != "" {
		desc += " " + orUnknown(ch.From) + "→" + orUnknown(ch.To)
	}
	d := onset.Sub(ch.Time).Round(time.Second)
	if d < 0 {
		return desc + " " + (-d).String() + " after its onset"
	}
	return desc + " " + d.String() + " before its onset"
}

// percent renders a share in [0, 1] as a whole percentage, like %.0f%%.
func percent(share float64) string {
	return strconv.FormatFloat(100*share, 'f', 0, 64) + "%"
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// ordinalSuffix returns the English ordinal suffix of n: st, nd, rd or th.
func ordinalSuffix(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return "th"
	case n%10 == 1:
		return "st"
	case n%10 == 2:
		return "nd"
	case n%10 == 3:
		return "rd"
	}
	return "th"
}

// The reasons naming a layer or a severity are few: built once, not per
// update.
var (
	layerReasons    [incident.LayerChange + 1]string
	severityReasons [incident.SeverityCritical + 1]string
)

func init() {
	for l := range layerReasons {
		layerReasons[l] = incident.Layer(l).String() + " layer"
	}
	for s := range severityReasons {
		severityReasons[s] = "severity " + incident.Severity(s).String()
	}
}

func layerReason(l incident.Layer) string {
	if int(l) < len(layerReasons) {
		return layerReasons[l]
	}
	return l.String() + " layer"
}

func severityReason(s incident.Severity) string {
	if int(s) < len(severityReasons) {
		return severityReasons[s]
	}
	return "severity " + s.String()
}

// consistency returns the share of what directly depends on node that is
// failing (has members in the group): for a service its calling services,
// for infrastructure the services running on it (reached through
// containment only). Without known dependents there is no contrary evidence
// and it returns 1.
func (e *Engine) consistency(node string, failing *group) (share float64, known int) {
	var total, bad int
	switch layerOfNode(node) {
	case incident.LayerService:
		for caller := range e.graph.in[node] {
			if layerOfNode(caller) == incident.LayerService {
				total++
				if failing.hasNode(caller) {
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
					if failing.hasNode(n) {
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
