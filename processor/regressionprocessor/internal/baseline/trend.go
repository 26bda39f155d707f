package baseline

import "math"

// Trend is a Holt linear trend (level and slope per second) for irregularly
// spaced points: the weights are derived from the time step, so a gap does
// not make the slope jump. It is used for slow drift and time-to-limit
// forecasts.
type Trend struct {
	Level float64
	Slope float64 // per second
	Last  int64   // Unix ns of the last update
	N     uint32
}

// TrendStep holds the level and slope weights of a step of Dt nanoseconds
// (see TrendParams.Step), which series scraped at the same interval share.
type TrendStep struct {
	Dt   int64
	A, B float64
}

// TrendParams are the level and slope half-lives of a Trend, in seconds.
type TrendParams struct{ LevelHL, SlopeHL float64 }

// Step returns the weights of a step of dt nanoseconds.
func (q *TrendParams) Step(dt int64) TrendStep {
	s := float64(dt) / 1e9
	return TrendStep{Dt: dt, A: 1 - DecayFor(s, q.LevelHL), B: 1 - DecayFor(s, q.SlopeHL)}
}

// Update feeds (ts, x). w holds the weights of the step since the last
// update; when it is nil or for another step they are computed here.
func (t *Trend) Update(ts int64, x float64, q *TrendParams, w *TrendStep) {
	if t.N < math.MaxUint32 {
		t.N++
	}
	if t.N == 1 {
		t.Level, t.Slope, t.Last = x, 0, ts
		return
	}
	if ts <= t.Last {
		return
	}
	if w == nil || w.Dt != ts-t.Last {
		own := q.Step(ts - t.Last)
		w = &own
	}
	dt := float64(ts-t.Last) / 1e9
	t.Last = ts
	a, b := w.A, w.B
	pred := t.Level + t.Slope*dt
	lvl := pred + a*(x-pred)
	t.Slope += b * ((lvl-t.Level)/dt - t.Slope)
	t.Level = lvl
}

// TimeTo returns the seconds until the trend reaches limit, or +Inf when it
// is moving away from it or flat.
func (t *Trend) TimeTo(limit float64) float64 {
	d := limit - t.Level
	if d == 0 {
		return 0
	}
	if t.Slope == 0 || (d > 0) != (t.Slope > 0) {
		return math.Inf(1)
	}
	return d / t.Slope
}
