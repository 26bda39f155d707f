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

// Update feeds (ts, x) with level and slope half-lives in seconds.
func (t *Trend) Update(ts int64, x, levelHL, slopeHL float64) {
	if t.N < math.MaxUint32 {
		t.N++
	}
	if t.N == 1 {
		t.Level, t.Slope, t.Last = x, 0, ts
		return
	}
	dt := float64(ts-t.Last) / 1e9
	if dt <= 0 {
		return
	}
	t.Last = ts
	a := 1 - DecayFor(dt, levelHL)
	b := 1 - DecayFor(dt, slopeHL)
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
