package detector

import "math"

// spikeDetector flags points that leave the series' recent envelope (a new
// high or low by more than a tolerance of the recent range) while lying at
// least MinZ robust scales from the seasonal-aware baseline. A single point
// far from the baseline but inside the envelope is scored by the level-shift
// detector's short-term mean (and reported as a spike or dip).
type spikeDetector struct {
	tol     float64
	envHL   float64 // ns; 0 = never forget
	minZ    float64
	scale   float64
	memory  float64
	enabled bool
}

var _ Detector = (*spikeDetector)(nil)

func newSpikeDetector(c *Config) spikeDetector {
	return spikeDetector{
		tol:     c.Spike.EnvelopeTolerance,
		envHL:   float64(c.Spike.EnvelopeHalfLife),
		minZ:    c.Spike.MinZ,
		scale:   c.ScoreScale,
		memory:  float64(c.Memory),
		enabled: c.Spike.Enabled,
	}
}

func (d *spikeDetector) Kind() Kind { return KindSpike }

func (d *spikeDetector) observe(st *State, c *pointCtx) Signal {
	if !d.enabled {
		return Signal{}
	}
	s := &st.Spike
	var sig Signal
	if e := s.Env.Breakout(c.x); math.Abs(e) > d.tol && math.Abs(c.z) >= d.minZ {
		// A new extreme is about as rare as one point in the history it
		// exceeds, and rarer the further it goes: each tolerance beyond the
		// edge halves the probability.
		n := min(float64(st.N), d.memory)
		r := (math.Log10(n) + math.Abs(e)/d.tol*math.Log10(2)) / d.scale
		sig = Signal{Score: min(1, r), Dir: dirOf(e)}
	}
	decay := 1.0
	if c.step != nil {
		decay = c.step.env
	}
	s.Env.Update(c.x, st.Base.Level, decay)

	switch sig.Dir {
	case DirDown:
		sig.Kind = KindDip
	case DirUp:
		sig.Kind = KindSpike
	}
	return sig
}

// minRarityWeight is the history (in effective points) a rarity histogram
// needs before its estimates are trusted.
const minRarityWeight = 30
