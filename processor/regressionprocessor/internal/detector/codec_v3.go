package detector

import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"

// stateV3 is the State layout of snapshot format version 3: the rarity
// histograms were whole (head and upper buckets together) and came after
// the seasonal profile. It is kept only to read snapshots saved by earlier
// versions; versions 1 and 2 migrate through it.
type stateV3 struct {
	Last   int64
	N      uint32
	Model  uint8
	Mag    float64
	Base   baseline.Robust
	Spike  SpikeState
	Shift  LevelShiftState
	Drift  DriftState
	Dec    DecisionState
	Deploy DeployState
	Season baseline.Profile
	Rarity rarityV3
	Window DeployWindow
}

type rarityV3 struct{ Up, Down tailHistV3 }

type tailHistV3 struct {
	W, Tot float32
	Used   uint32
	C      [baseline.TailBuckets]float32
}

// split returns the histogram as a head and its upper buckets.
func (h *tailHistV3) split() (baseline.TailHead, baseline.TailHigh) {
	head := baseline.TailHead{W: h.W, Tot: h.Tot, Used: h.Used}
	var high baseline.TailHigh
	copy(head.Low[:], h.C[:baseline.TailLow])
	copy(high[:], h.C[baseline.TailLow:])
	return head, high
}

// migrate returns the same state in the current layout.
func (v *stateV3) migrate() State {
	st := State{
		Last: v.Last, N: v.N, Model: v.Model, Mag: v.Mag,
		Base: v.Base, Spike: v.Spike, Shift: v.Shift, Drift: v.Drift, Dec: v.Dec, Deploy: v.Deploy,
		Season: v.Season,
		Window: v.Window,
	}
	st.Rarity.Up, st.High.Up = v.Rarity.Up.split()
	st.Rarity.Down, st.High.Down = v.Rarity.Down.split()
	return st
}
