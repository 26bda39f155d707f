package detector

import (
	"math"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"
)

// driftDetector follows the slow trend of the deseasonalised level (a Holt
// trend with time-based weights) and forecasts when it reaches the configured
// limit. It scores only with a limit (utilization-like series): a forecast
// inside the horizon scores from 0.5 (at the horizon) to 1 (now), provided
// the trend is real — it moves the level by at least one baseline scale per
// slope half-life.
type driftDetector struct {
	limit     float64
	horizon   float64 // seconds
	trend     baseline.TrendParams
	minPoints uint32
	enabled   bool
	hasLimit  bool
}

var _ Detector = (*driftDetector)(nil)

func newDriftDetector(c *Config) driftDetector {
	return driftDetector{
		limit:     c.Drift.Limit,
		horizon:   c.Drift.Horizon.Seconds(),
		trend:     baseline.TrendParams{LevelHL: c.Drift.LevelHalfLife.Seconds(), SlopeHL: c.Drift.SlopeHalfLife.Seconds()},
		minPoints: uint32(max(c.Drift.MinPoints, 2)),
		enabled:   c.Drift.Enabled,
		hasLimit:  !math.IsNaN(c.Drift.Limit),
	}
}

func (d *driftDetector) Kind() Kind { return KindDrift }

func (d *driftDetector) observe(st *State, c *pointCtx) Signal {
	c.tte = math.NaN()
	if !d.enabled {
		return Signal{}
	}
	t := &st.Drift.Trend
	var w *baseline.TrendStep
	if c.step != nil {
		w = &c.step.trend
	}
	t.Update(c.ts, c.x-c.offset, &d.trend, w)
	if !d.hasLimit {
		return Signal{}
	}
	tte := t.TimeTo(d.limit - c.offset)
	if (d.limit-c.x)*(d.limit-c.expected) < 0 || c.x == d.limit {
		tte = 0 // already at or beyond the limit
	}
	c.tte = tte
	if t.N < d.minPoints || !(tte <= d.horizon) {
		return Signal{}
	}
	if tte > 0 && math.Abs(t.Slope)*d.trend.SlopeHL < c.scale {
		return Signal{} // too weak a trend to trust the forecast
	}
	dir := dirOf(t.Slope)
	if tte == 0 {
		// At or beyond the limit: the direction is the side it lies on.
		if dir = dirOf(d.limit - c.expected); dir == DirNone {
			dir = DirUp
		}
	}
	return Signal{Score: 0.5 + 0.5*(1-tte/d.horizon), Kind: KindDrift, Dir: dir}
}
