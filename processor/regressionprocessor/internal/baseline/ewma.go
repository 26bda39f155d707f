package baseline

import "math"

// EWMA is an exponentially weighted mean and variance (West's incremental
// form). The zero value is empty; the first Update sets the mean.
type EWMA struct {
	Mean float64
	Var  float64
	N    uint32
}

// Update adds x with weight alpha in (0, 1]. While fewer than 1/alpha points
// have been seen it uses the plain running mean, so early values are not
// over-weighted by the starting point.
func (e *EWMA) Update(x, alpha float64) {
	if e.N < math.MaxUint32 {
		e.N++
	}
	if a := 1 / float64(e.N); a > alpha {
		alpha = a
	}
	d := x - e.Mean
	e.Mean += alpha * d
	e.Var = (1 - alpha) * (e.Var + alpha*d*d)
}

// Std is the standard deviation.
func (e *EWMA) Std() float64 { return math.Sqrt(e.Var) }

// AlphaForHalfLife returns the per-step weight whose influence halves after
// n steps.
func AlphaForHalfLife(n float64) float64 {
	if n <= 0 {
		return 1
	}
	return 1 - math.Exp2(-1/n)
}

// DecayFor returns the factor exp(-ln2·dt/halfLife): the share of a quantity
// with the given half-life that survives dt. Both are in the same unit.
func DecayFor(dt, halfLife float64) float64 {
	if halfLife <= 0 {
		return 0
	}
	if dt <= 0 {
		return 1
	}
	return math.Exp2(-dt / halfLife)
}

// Clip bounds x to [-c, c].
func Clip(x, c float64) float64 {
	if x > c {
		return c
	}
	if x < -c {
		return -c
	}
	return x
}
