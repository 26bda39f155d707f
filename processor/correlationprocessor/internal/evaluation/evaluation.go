// Package evaluation replays generated storms through the correlation engine
// and measures grouping and root-cause quality against the ground truth.
package evaluation

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/stormgen"
)

// Report holds the quality figures over a set of storms.
type Report struct {
	Storms    int
	Findings  int // every finding fed, duplicates and changes included
	Incidents int // incidents opened
	// Distinct counts the distinct fingerprints (changes: findings), i.e.
	// the findings left after deduplication alone.
	Distinct int
	// Ideal is the number of incidents a perfect engine would open: one per
	// storm and one per unrelated trouble (the unrelated deploy opens none).
	Ideal int
	// Compression is 1 - Incidents/Findings.
	Compression float64
	// Purity pools every storm: the share of grouped findings that belong to
	// the majority truth label of their incident.
	Purity float64
	// ARI is the mean adjusted Rand index of the incident partition against
	// the truth partition (each finding not in an incident is a singleton).
	ARI float64
	// PooledARI is the adjusted Rand index over all storms' findings at
	// once (labels and incidents are per storm), so large storms weigh more.
	PooledARI float64
	// NoiseAbsorbed is the share of noise findings (unrelated troubles and
	// the unrelated deploy) that ended in their storm's main incident.
	NoiseAbsorbed float64
	// RootTop1 and RootTop3: share of storms whose root cause is the first,
	// or among the first three, candidates of the incident holding most of
	// the storm.
	RootTop1, RootTop3 float64
	// StormRecall is the mean share of a storm's findings that land in its
	// main incident.
	StormRecall float64
	// TimeToIncident is from the storm's first onset to its incident's
	// opened update.
	MeanTimeToIncident, MaxTimeToIncident time.Duration
	PerCause                              map[stormgen.Cause]*CauseReport
	Failures                              []string // storms with a wrong top-1, for diagnosis
}

// CauseReport breaks root-cause accuracy down by injected cause.
type CauseReport struct{ Storms, Top1, Top3 int }

// String renders the report for people.
func (r Report) String() string {
	s := fmt.Sprintf("storms %d, findings %d (%d distinct fingerprints), incidents %d (ideal %d), compression %.4f (%.1f%% fewer incidents than findings, %.1f%% fewer than fingerprints)\n"+
		"purity %.4f, adjusted Rand index %.4f (mean per storm) %.4f (pooled), storm recall %.4f, noise absorbed %.4f\n"+
		"root cause top-1 %.3f, top-3 %.3f\n"+
		"time to incident mean %s, max %s\n",
		r.Storms, r.Findings, r.Distinct, r.Incidents, r.Ideal, r.Compression, 100*r.Compression, 100*(1-float64(r.Incidents)/float64(max(r.Distinct, 1))), r.Purity, r.ARI, r.PooledARI, r.StormRecall, r.NoiseAbsorbed,
		r.RootTop1, r.RootTop3, r.MeanTimeToIncident.Round(time.Second), r.MaxTimeToIncident.Round(time.Second))
	for _, c := range stormgen.Causes {
		if pc := r.PerCause[c]; pc != nil {
			s += fmt.Sprintf("  %-8s storms %3d  top-1 %.3f  top-3 %.3f\n", c, pc.Storms,
				float64(pc.Top1)/float64(pc.Storms), float64(pc.Top3)/float64(pc.Storms))
		}
	}
	return s
}

// Run generates n storms from seeds first..first+n-1 and replays each
// through a fresh engine with cfg (plus the storm's static dependency map).
func Run(n int, first int64, cfg engine.Config) (Report, error) {
	r := Report{PerCause: map[stormgen.Cause]*CauseReport{}}
	var purityNum, purityDen int
	var ttiTotal time.Duration
	var allPred, allTruth []string
	var noise, absorbed int
	for i := range n {
		st := stormgen.Generate(first + int64(i))
		res, err := Replay(st, cfg)
		if err != nil {
			return r, fmt.Errorf("storm %d: %w", st.Seed, err)
		}
		r.Storms++
		r.Findings += len(st.Findings)
		fps := map[string]bool{}
		for _, f := range st.Findings {
			fps[f.Fingerprint] = true
		}
		r.Distinct += len(fps)
		labels := map[string]bool{}
		for _, l := range st.Truth {
			if l != stormgen.LabelDeploy {
				labels[l] = true
			}
		}
		r.Ideal += len(labels)
		r.Incidents += res.Opened
		num, den := purity(res.Pred, st.Truth)
		purityNum += num
		purityDen += den
		r.ARI += ARI(res.Pred, st.Truth)
		pc := r.PerCause[st.Cause]
		if pc == nil {
			pc = &CauseReport{}
			r.PerCause[st.Cause] = pc
		}
		pc.Storms++
		main, recall := mainIncident(res.Pred, st.Truth)
		r.StormRecall += recall
		for k, p := range res.Pred {
			if p != "" {
				p = strconv.FormatInt(st.Seed, 10) + "/" + p
			}
			allPred = append(allPred, p)
			allTruth = append(allTruth, strconv.FormatInt(st.Seed, 10)+"/"+st.Truth[k])
			if st.Truth[k] != stormgen.LabelStorm {
				noise++
				if res.Pred[k] == main && main != "" {
					absorbed++
				}
			}
		}
		inc, ok := res.Final[main]
		if !ok {
			r.Failures = append(r.Failures, fmt.Sprintf("seed %d (%s): no incident", st.Seed, st.Cause))
			continue
		}
		for k, rc := range inc.RootCauses {
			if engine.NodeOf(rc.Entity) != st.RootNode {
				continue
			}
			if k == 0 {
				r.RootTop1++
				pc.Top1++
			}
			if k < 3 {
				r.RootTop3++
				pc.Top3++
			}
		}
		if len(inc.RootCauses) == 0 || engine.NodeOf(inc.RootCauses[0].Entity) != st.RootNode {
			got := "none"
			if len(inc.RootCauses) > 0 {
				got = fmt.Sprintf("%s (%.3f %v)", engine.NodeOf(inc.RootCauses[0].Entity), inc.RootCauses[0].Score, inc.RootCauses[0].Reasons)
			}
			r.Failures = append(r.Failures, fmt.Sprintf("seed %d (%s): want %s, got %s", st.Seed, st.Cause, st.RootNode, got))
		}
		tti := timeToIncident(res.Updates[main], st)
		ttiTotal += tti
		r.MaxTimeToIncident = max(r.MaxTimeToIncident, tti)
	}
	if r.Storms == 0 {
		return r, nil
	}
	r.Compression = 1 - float64(r.Incidents)/float64(r.Findings)
	if purityDen > 0 {
		r.Purity = float64(purityNum) / float64(purityDen)
	}
	r.ARI /= float64(r.Storms)
	r.PooledARI = ARI(allPred, allTruth)
	if noise > 0 {
		r.NoiseAbsorbed = float64(absorbed) / float64(noise)
	}
	r.StormRecall /= float64(r.Storms)
	r.RootTop1 /= float64(r.Storms)
	r.RootTop3 /= float64(r.Storms)
	r.MeanTimeToIncident = ttiTotal / time.Duration(r.Storms)
	return r, nil
}

// timeToIncident is from the storm's first onset to the first update of
// its main incident that shows a storm finding (the incident may have been
// opened earlier by noise the storm then joined).
func timeToIncident(ups []incident.Update, st stormgen.Storm) time.Duration {
	storm := map[string]bool{}
	for i, f := range st.Findings {
		if st.Truth[i] == stormgen.LabelStorm {
			storm[f.Fingerprint] = true
		}
	}
	for _, u := range ups {
		for _, m := range u.Incident.Members {
			if storm[m.Fingerprint] {
				return u.Incident.UpdatedAt.Sub(stormStart(st))
			}
		}
	}
	return 0
}

func stormStart(st stormgen.Storm) time.Time {
	var t time.Time
	for i, f := range st.Findings {
		if st.Truth[i] == stormgen.LabelStorm && f.Kind != incident.KindChange && (t.IsZero() || f.Time.Before(t)) {
			t = f.Time
		}
	}
	return t
}

// Result is one storm's replay.
type Result struct {
	// Pred[i] is the incident ID finding i ended in, or "" when none.
	Pred  []string
	Final map[string]incident.Incident // last version of each incident
	// Updates lists each incident's updates in order.
	Updates map[string][]incident.Update
	Opened  int
}

// Replay feeds one storm through a fresh engine: trace edges first, then the
// findings in arrival order, then a tick far enough ahead to resolve every
// incident. Every update is validated and sequences are checked.
func Replay(st stormgen.Storm, cfg engine.Config) (Result, error) {
	cfg.Dependencies = st.Static
	eng, err := engine.New(cfg)
	if err != nil {
		return Result{}, err
	}
	for _, r := range st.Resources {
		eng.ObserveEntity(r.Entity, r.Time)
	}
	for _, e := range st.Traced {
		eng.ObserveEdge(e.Client, e.Server, e.Time)
	}
	res := Result{Final: map[string]incident.Incident{}, Updates: map[string][]incident.Update{}}
	check := func(ups []incident.Update) error {
		for _, u := range ups {
			if err := u.Validate(); err != nil {
				return fmt.Errorf("invalid update %s of %s: %w", u.Event, u.Incident.ID, err)
			}
			prev, seen := res.Final[u.Incident.ID]
			if seen && u.Incident.Sequence != prev.Sequence+1 || !seen && u.Incident.Sequence != 1 {
				return fmt.Errorf("incident %s: sequence %d after %d", u.Incident.ID, u.Incident.Sequence, prev.Sequence)
			}
			if u.Event == incident.EventOpened {
				res.Opened++
			}
			res.Final[u.Incident.ID] = u.Incident
			res.Updates[u.Incident.ID] = append(res.Updates[u.Incident.ID], u)
		}
		return nil
	}
	var last time.Time
	for _, f := range st.Findings {
		ups, err := eng.Ingest(f)
		if err != nil {
			return res, err
		}
		if err := check(ups); err != nil {
			return res, err
		}
		for _, t := range []time.Time{f.Time, f.ObservedTime} {
			if t.After(last) {
				last = t
			}
		}
	}
	if err := check(eng.Tick(last.Add(24 * time.Hour))); err != nil {
		return res, err
	}
	for id, inc := range res.Final {
		if inc.Status != incident.StatusResolved {
			return res, fmt.Errorf("incident %s not resolved after the final tick", id)
		}
	}
	byFP, byChange := map[string]string{}, map[string]string{}
	for _, id := range slices.Sorted(maps.Keys(res.Final)) {
		inc := res.Final[id]
		for _, m := range inc.Members {
			byFP[m.Fingerprint] = id
		}
		for _, c := range inc.Changes {
			byChange[c.FindingID] = id
		}
	}
	res.Pred = make([]string, len(st.Findings))
	for i, f := range st.Findings {
		if f.Kind == incident.KindChange {
			res.Pred[i] = byChange[f.ID]
		} else {
			res.Pred[i] = byFP[f.Fingerprint]
		}
	}
	return res, nil
}

// purity returns the majority-label count summed over incidents and the
// number of findings in incidents.
func purity(pred, truth []string) (num, den int) {
	counts := map[string]map[string]int{}
	for i, p := range pred {
		if p == "" {
			continue
		}
		if counts[p] == nil {
			counts[p] = map[string]int{}
		}
		counts[p][truth[i]]++
		den++
	}
	for _, c := range counts {
		best := 0
		for _, n := range c {
			best = max(best, n)
		}
		num += best
	}
	return num, den
}

// mainIncident returns the incident holding most storm findings and the
// share of storm findings in it.
func mainIncident(pred, truth []string) (string, float64) {
	counts := map[string]int{}
	total := 0
	for i, p := range pred {
		if truth[i] != stormgen.LabelStorm {
			continue
		}
		total++
		if p != "" {
			counts[p]++
		}
	}
	best, bestN := "", 0
	for _, id := range slices.Sorted(maps.Keys(counts)) {
		if counts[id] > bestN {
			best, bestN = id, counts[id]
		}
	}
	if total == 0 {
		return best, 0
	}
	return best, float64(bestN) / float64(total)
}

// ARI is the adjusted Rand index of two labelings; in pred, "" marks a
// finding in no incident, which counts as its own cluster.
func ARI(pred, truth []string) float64 {
	n := len(pred)
	if n < 2 {
		return 1
	}
	p := make([]string, n)
	for i, v := range pred {
		if v == "" {
			v = "\x00none-" + strconv.Itoa(i)
		}
		p[i] = v
	}
	choose2 := func(k int) float64 { return float64(k) * float64(k-1) / 2 }
	cont := map[[2]string]int{}
	a, b := map[string]int{}, map[string]int{}
	for i := range n {
		cont[[2]string{p[i], truth[i]}]++
		a[p[i]]++
		b[truth[i]]++
	}
	var index, sumA, sumB float64
	for _, c := range cont {
		index += choose2(c)
	}
	for _, c := range a {
		sumA += choose2(c)
	}
	for _, c := range b {
		sumB += choose2(c)
	}
	expected := sumA * sumB / choose2(n)
	maxIndex := (sumA + sumB) / 2
	if maxIndex == expected {
		return 1
	}
	return (index - expected) / (maxIndex - expected)
}
