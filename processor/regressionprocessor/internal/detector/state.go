package detector

import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"

// State is everything learned about one series. It is a fixed-size value with
// no pointers or slices (about 1.6 KiB, see TestStateSize): tables can keep
// states in one slab that the garbage collector does not scan, and snapshots
// are a plain binary encoding (see MarshalBinary). The zero State is a new
// series.
//
// Layout: a point reads or writes every scalar but only one bucket of each
// array, and with many series none of a state is in cache when its next
// point comes. So what every point touches comes first, in one run of
// about six cache lines: the scalars, the heads of the rarity histograms
// (their low buckets, where nearly all samples fall) and the seasonal
// profile's scalars, among them the buckets of its current slot. The
// arrays follow; a point touches one line of them (the deploy ring) and
// the profile's arrays when its slot changes. Format version 1 had a point
// touch about seventeen of the 26 lines, version 3 about thirteen in five
// places.
//
// Fields are exported only for the binary codec; treat them as opaque.
type State struct {
	Last   int64  // timestamp of the last accepted point (Unix ns)
	N      uint32 // accepted points
	Model  uint8  // seasonal model in use (baseline.Model)
	Mag    float64
	Base   baseline.Robust
	Spike  SpikeState
	Shift  LevelShiftState
	Drift  DriftState
	Dec    DecisionState
	Deploy DeployState
	Rarity RarityState
	Season baseline.Profile
	Window DeployWindow
	High   RarityHigh
}

// SpikeState is the spike detector's part of a State.
type SpikeState struct {
	Env baseline.Envelope
}

// LevelShiftState is the change-point detector's part of a State (its
// rarity histograms are in RarityState).
type LevelShiftState struct {
	M       float64 // short-term mean of clipped z-scores
	RunSum  float64 // sum of residuals of the current one-sided run
	RunLen  uint16
	RunSign int8
}

// RarityState holds the heads of the change-point detector's rarity
// histograms of |M| above and below the baseline (their upper buckets are
// in RarityHigh, with the cold fields).
type RarityState struct {
	Up, Down baseline.TailHead
}

// RarityHigh holds the upper buckets of the rarity histograms.
type RarityHigh struct {
	Up, Down baseline.TailHigh
}

// rarity returns the rarity histogram of |M| below the baseline (down) or
// above it.
func (s *State) rarity(down bool) baseline.TailHist {
	if down {
		return baseline.TailHist{Head: &s.Rarity.Down, High: &s.High.Down}
	}
	return baseline.TailHist{Head: &s.Rarity.Up, High: &s.High.Up}
}

// DriftState is the drift detector's part of a State.
type DriftState struct {
	Trend baseline.Trend
}

// DeployState is the post-change detector's part of a State (its value
// windows are in DeployWindow).
type DeployState struct {
	Version uint64
	BN, BI  uint8 // values in Before, next ring index
	AN      uint8 // values in After
	Active  bool  // collecting After
}

// DeployWindow holds the values the post-change detector compares.
type DeployWindow struct {
	Before [MaxDeployWindow]float32 // ring of the latest values
	After  [MaxDeployWindow]float32 // values since the change
}

// DecisionState is the combiner's part of a State.
type DecisionState struct {
	Inhib     float64 // onset weighting: decayed recent score
	ClosedAt  int64
	Open      bool
	HasClosed bool
	Kind      Kind // kind of the open anomaly
	Dir       Direction
}

// Reset makes s a new series.
func (s *State) Reset() { *s = State{} }

// Points returns the number of accepted points.
func (s *State) Points() uint32 { return s.N }

// LastTime returns the timestamp of the last accepted point (Unix ns).
func (s *State) LastTime() int64 { return s.Last }
