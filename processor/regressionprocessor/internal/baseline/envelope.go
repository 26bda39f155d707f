package baseline

// Envelope tracks the highest and lowest values of the recent history. Both
// bounds relax towards a reference (the current level) with a half-life, so
// an old extreme is forgotten slowly: "the highest value in about a
// half-life".
type Envelope struct {
	Hi, Lo float64
	Set    bool
}

// Breakout returns by how much x leaves the envelope, relative to its width:
// > 0 above Hi, < 0 below Lo, 0 inside (or while the envelope has no width).
func (e *Envelope) Breakout(x float64) float64 {
	if !e.Set {
		return 0
	}
	w := e.Hi - e.Lo
	if w <= 0 {
		return 0
	}
	switch {
	case x > e.Hi:
		return (x - e.Hi) / w
	case x < e.Lo:
		return (x - e.Lo) / w
	}
	return 0
}

// Update relaxes the bounds towards ref by the factor decay (the surviving
// share, see DecayFor) and then widens them to include x.
func (e *Envelope) Update(x, ref, decay float64) {
	if !e.Set {
		e.Hi, e.Lo, e.Set = x, x, true
		return
	}
	if decay < 1 {
		if e.Hi > ref {
			e.Hi = ref + (e.Hi-ref)*decay
		}
		if e.Lo < ref {
			e.Lo = ref - (ref-e.Lo)*decay
		}
	}
	e.Hi = max(e.Hi, x)
	e.Lo = min(e.Lo, x)
}
