package detector

import (
	"math"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"
)

// levelShiftDetector is a change-point test: a short exponentially weighted
// mean of clipped robust z-scores (a two-window comparison: the last few
// points against the long baseline) is judged by how rare such a mean is in
// this series' own history. A run of ConfirmPoints points on one side beyond
// ConfirmZ confirms the change: the baseline level jumps to the new level, so
// the score falls back once the new level is the normal one.
type levelShiftDetector struct {
	alpha    float64
	clip     float64
	confirmN uint16
	confirmZ float64
	minShift float64
	scale    float64
	growth   float64
	enabled  bool
}

var _ Detector = (*levelShiftDetector)(nil)

func newLevelShiftDetector(c *Config) levelShiftDetector {
	return levelShiftDetector{
		alpha:    c.LevelShift.Alpha,
		clip:     c.LevelShift.Clip,
		confirmN: uint16(c.LevelShift.ConfirmPoints),
		confirmZ: c.LevelShift.ConfirmZ,
		minShift: c.LevelShift.MinShift,
		scale:    c.ScoreScale,
		growth:   baseline.GrowthForMemory(float64(c.Memory)),
		enabled:  c.LevelShift.Enabled,
	}
}

func (d *levelShiftDetector) Kind() Kind { return KindLevelShift }

// ready notes in c whether each rarity histogram holds the history to
// score. ObserveMemo calls it before the baseline arithmetic: which
// histogram observe uses depends on the sign of M, known only at the end of
// that arithmetic, so the first read of their heads' cache line would start
// there, and with many series it misses with nothing left to overlap it.
// Read here, the miss runs beside the arithmetic (BenchmarkConsumeMetrics,
// 100k series: about -25 ns of 215 per point). Reading both at the start of
// observe, after the arithmetic, had measured slower than reading one.
func (d *levelShiftDetector) ready(st *State, c *pointCtx) {
	if !d.enabled { // observe reads neither
		return
	}
	c.upReady = st.rarity(false).Weight() >= minRarityWeight
	c.downReady = st.rarity(true).Weight() >= minRarityWeight
}

func (d *levelShiftDetector) observe(st *State, c *pointCtx) Signal {
	s := &st.Shift
	if !d.enabled {
		return Signal{}
	}
	s.M += d.alpha * (baseline.Clip(c.z, d.clip) - s.M)
	down := s.M < 0
	h := st.rarity(down)
	am := math.Abs(s.M)
	// The rarity of |M| matters only when it may score; it is read before
	// |M| joins the history. Most points of most series are far below
	// min_shift, and skipping Tail for them spares its reads of the
	// histogram's upper buckets.
	ready := c.upReady
	if down {
		ready = c.downReady
	}
	ok := am >= d.minShift && ready
	var p float64
	if ok {
		p = h.Tail(am, 1)
	}
	h.Add(am, d.growth)

	// One-sided run for confirmation.
	var sign int8
	switch {
	case c.z > d.confirmZ:
		sign = 1
	case c.z < -d.confirmZ:
		sign = -1
	}
	switch sign {
	case 0:
		s.RunSign, s.RunLen, s.RunSum = 0, 0, 0
	case s.RunSign:
		if s.RunLen < math.MaxUint16 {
			s.RunLen++
		}
		s.RunSum += c.res
	default:
		s.RunSign, s.RunLen, s.RunSum = sign, 1, c.res
	}
	runLen := s.RunLen
	if s.RunLen >= d.confirmN {
		c.shift = s.RunSum / float64(s.RunLen)
		c.shifted = true
		s.RunSign, s.RunLen, s.RunSum = 0, 0, 0
		s.M = 0
	}
	if !ok {
		return Signal{}
	}
	sig := Signal{Score: rarityScore(p, d.scale), Dir: dirOf(s.M)}
	if c.shifted {
		sig.Dir = dirOf(c.shift)
	}
	switch {
	case runLen <= 1 && c.z != 0 && math.Abs(s.M) <= d.alpha*math.Abs(baseline.Clip(c.z, d.clip))*1.5:
		// One point carries the mean: it is a spike or dip, not a shift.
		sig.Kind = KindSpike
		if c.z < 0 {
			sig.Kind = KindDip
		}
		sig.Dir = dirOf(c.z)
	case c.model != baseline.ModelFlat:
		sig.Kind = KindSeasonal
	default:
		sig.Kind = KindLevelShift
	}
	return sig
}
