package baseline

import "math"

// Robust is a Huber-style streaming location and scale: the level moves by
// the residual clipped at Clip scales, and the scale is the exponentially
// weighted mean of the absolute residual clipped the same way (about 0.8σ for
// Gaussian noise). Outliers therefore move neither estimate by more than a
// bounded step, while a genuine level change is absorbed gradually (or at
// once through Shift, when a change-point detector confirms it).
type Robust struct {
	Level float64
	Scale float64
	N     uint32
}

// RobustParams are the per-point weights of Robust.
type RobustParams struct {
	LevelAlpha float64 // weight of a clipped residual in the level
	ScaleAlpha float64 // weight of a clipped |residual| in the scale
	Clip       float64 // clip, in scales
}

// Residual returns x - (Level + offset).
func (r *Robust) Residual(x, offset float64) float64 { return x - r.Level - offset }

// Init starts the estimator at x.
func (r *Robust) Init(x float64) { r.Level, r.Scale, r.N = x, 0, 1 }

// Update feeds the residual res = x - expected; sc is the scale used for
// clipping (at least a floor, so a constant series can still learn).
func (r *Robust) Update(res, sc float64, p RobustParams) {
	if r.N < math.MaxUint32 {
		r.N++
	}
	if r.N == 1 {
		// Not initialised: start here.
		r.Level += res
		return
	}
	c := p.Clip * sc
	r.Level += p.LevelAlpha * Clip(res, c)
	a := p.ScaleAlpha
	if n := 1 / float64(r.N-1); n > a {
		a = n // plain mean of |res| while young
		c = math.Inf(1)
	}
	r.Scale += a * (min(math.Abs(res), c) - r.Scale)
}

// Shift moves the level by d (a confirmed change point).
func (r *Robust) Shift(d float64) { r.Level += d }
