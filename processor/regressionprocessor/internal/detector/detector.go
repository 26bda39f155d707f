// Package detector is the numeric core of the regression processor: per-point
// detectors (spike, level shift, drift, post-change) over a robust,
// seasonality-aware baseline, a combiner that turns their signals into one
// anomaly score in [0, 1], and a decision with warm-up, hysteresis and
// cool-down.
//
// It imports no collector package. A Model holds the immutable, compiled
// configuration; a State holds everything learned about one series (a fixed
// size value, no pointers, see State). Model.Observe takes the state, the
// data point and its timestamp and returns a Verdict; nothing reads the wall
// clock and nothing is random, so the same points give the same verdicts.
package detector

import "math"

// Kind names the detector (or pattern) behind a verdict.
type Kind uint8

const (
	KindNone       Kind = iota
	KindSpike           // one point far above the baseline or a new high
	KindDip             // one point far below the baseline or a new low
	KindLevelShift      // a sustained change of level (change point)
	KindSeasonal        // a deviation from the learned daily/weekly pattern
	KindDrift           // a slow trend forecast to reach the configured limit
	KindPostChange      // a regression after a version change (rank test)
)

var kindNames = [...]string{"", "spike", "dip", "level_shift", "seasonal", "drift", "post_change"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Direction is the sign of a deviation.
type Direction int8

const (
	DirNone Direction = 0
	DirUp   Direction = 1
	DirDown Direction = -1
)

func (d Direction) String() string {
	switch d {
	case DirUp:
		return "up"
	case DirDown:
		return "down"
	}
	return ""
}

func dirOf(x float64) Direction {
	switch {
	case x > 0:
		return DirUp
	case x < 0:
		return DirDown
	}
	return DirNone
}

// Decision is the state of the alarm after a point.
type Decision uint8

const (
	DecisionNormal  Decision = iota // no anomaly open
	DecisionOpen                    // this point opened an anomaly
	DecisionOngoing                 // an anomaly opened earlier is still open
	DecisionClose                   // this point closed the open anomaly
)

var decisionNames = [...]string{"normal", "open", "ongoing", "close"}

func (d Decision) String() string {
	if int(d) < len(decisionNames) {
		return decisionNames[d]
	}
	return "unknown"
}

// Skip says why a point was not evaluated.
type Skip uint8

const (
	SkipNone       Skip = iota
	SkipInvalid         // NaN or ±Inf value
	SkipOutOfOrder      // timestamp not after the series' last accepted one
)

// Point is one data point of a series.
type Point struct {
	Time    int64   // Unix nanoseconds, from the data
	Value   float64 // the observed value
	Version uint64  // hash of the version attribute (service.version…); 0 = none
}

// Signal is one detector's opinion about a point.
type Signal struct {
	Score float64 // [0, 1]
	Kind  Kind
	Dir   Direction
}

// Scores is the per-detector breakdown of a verdict, for explanations.
type Scores struct {
	Spike, LevelShift, Drift, PostChange float32
}

// Verdict is the result of observing one point.
type Verdict struct {
	// Score is the anomaly score in [0, 1] that a threshold applies to. It is
	// onset-weighted: it rises on the first anomalous point and is damped
	// while an anomaly of the same or smaller strength goes on.
	Score float64
	// Raw is the combined detector score before onset weighting; the open
	// anomaly closes when it falls below the exit threshold.
	Raw float64
	// Expected is the baseline's value for this point (level plus seasonal
	// offset); Lower and Upper the band of normal values around it.
	Expected, Lower, Upper float64
	Kind                   Kind
	Direction              Direction
	Decision               Decision
	// Anomalous is true while an anomaly is open (Open or Ongoing).
	Anomalous bool
	// Warm is false during warm-up, when Score is forced to 0.
	Warm bool
	// Seasonal is the seasonal model in use.
	Seasonal uint8
	// TimeToLimit is the drift forecast in seconds until the configured limit
	// is reached; +Inf when it is not approached, NaN without a limit.
	TimeToLimit float64
	Scores      Scores
	Skip        Skip
}

// Detector is one explainable test over a series. Each detector reads the
// shared per-point context (the baseline's residual, scale, …) and its own
// part of the State, and returns its Signal.
type Detector interface {
	Kind() Kind
	observe(st *State, c *pointCtx) Signal
}

// rarityScore maps a tail probability to [0, 1]: -log10(p)/scale.
func rarityScore(p, scale float64) float64 {
	if p >= 1 {
		return 0
	}
	if p <= 0 {
		return 1
	}
	return min(1, -math.Log10(p)/scale)
}
