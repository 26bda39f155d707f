package detector

import (
	"math"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/ranktest"
)

// deployDetector compares the Window points before a version change with the
// Window points after it: a Mann–Whitney rank test (robust to outliers and to
// any distribution) gated by the effect size (|Cliff's delta|) and the
// relative change of the median, so a tiny but significant change on a very
// quiet series does not alarm. It scores once, when the after-window is full.
type deployDetector struct {
	window    uint8
	maxP      float64
	minEffect float64
	minRel    float64
	enabled   bool
}

var _ Detector = (*deployDetector)(nil)

func newDeployDetector(c *Config) deployDetector {
	return deployDetector{
		window:    uint8(c.Deploy.Window),
		maxP:      c.Deploy.MaxP,
		minEffect: c.Deploy.MinEffect,
		minRel:    c.Deploy.MinRelChange,
		enabled:   c.Deploy.Enabled,
	}
}

func (d *deployDetector) Kind() Kind { return KindPostChange }

func (d *deployDetector) observe(st *State, c *pointCtx) Signal {
	if !d.enabled {
		return Signal{}
	}
	s, win := &st.Deploy, &st.Window
	if c.version != 0 {
		if s.Version != 0 && c.version != s.Version && s.BN >= d.window/2 {
			s.Active, s.AN = true, 0
		}
		s.Version = c.version
	}
	if !s.Active {
		win.Before[s.BI] = float32(c.x)
		s.BI = (s.BI + 1) % d.window
		if s.BN < d.window {
			s.BN++
		}
		return Signal{}
	}
	win.After[s.AN] = float32(c.x)
	s.AN++
	if s.AN < d.window {
		return Signal{}
	}
	before := win.Before[:s.BN]
	after := win.After[:s.AN]
	r := ranktest.Compare(before, after)
	p, delta, mb, ma := r.P, r.Delta, r.MedianA, r.MedianB
	// The after-window becomes the new history.
	win.Before = win.After
	s.BN, s.BI, s.AN, s.Active = d.window, 0, 0, false

	rel := math.Abs(ma - mb)
	if den := max(math.Abs(mb), math.Abs(ma)); den > 0 {
		rel /= den
	}
	if p > d.maxP || math.Abs(delta) < d.minEffect || rel < d.minRel {
		return Signal{}
	}
	score := min(1, 0.6+0.1*math.Log10(d.maxP/max(p, 1e-300)))
	return Signal{Score: score, Kind: KindPostChange, Dir: dirOf(ma - mb)}
}
