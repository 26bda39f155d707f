package detector

import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"

// stateV3 is the State layout of snapshot format version 3: the rarity
// histograms were whole (head and upper buckets together) and came after
// the seasonal profile, the profile kept every bucket in its arrays, and
// the decision state held two timestamps that are no longer kept (the
// onset weight's, always the previous point's, and the open anomaly's
// start, which nothing read). It is kept only to read snapshots saved by
// earlier versions; versions 1 and 2 migrate through it.
type stateV3 = stateLayoutV2[profileV3]

// stateLayoutV2 is the State layout of format versions 2 and 3, which
// differ only in the order of the seasonal profile's arrays (P).
type stateLayoutV2[P any] struct {
	Last   int64
	N      uint32
	Model  uint8
	Mag    float64
	Base   baseline.Robust
	Spike  SpikeState
	Shift  LevelShiftState
	Drift  DriftState
	Dec    decisionV3
	Deploy DeployState
	Season P
	Rarity rarityV3
	Window DeployWindow
}

type decisionV3 struct {
	Inhib     float64
	InhibAt   int64
	OpenedAt  int64
	ClosedAt  int64
	Open      bool
	HasClosed bool
	Kind      Kind
	Dir       Direction
}

type profileV3 struct {
	S         profileScalarsV3
	DayVisits [baseline.DailyBuckets]uint8
	WkVisits  [baseline.WeeklyBuckets]uint8
	Day       [baseline.DailyBuckets]baseline.DayBucket
	Week      [baseline.WeeklyBuckets]float32
}

// profileScalarsV3 are the seasonal profile's scalars in format versions 1
// to 3.
type profileScalarsV3 struct {
	ErrFlat, ErrDaily, ErrFlatL, ErrDailyL, ErrWeeklyL float32
	Ref                                                float64
	First, Prev                                        int64
	PrevDay, PrevWeek                                  uint8
	VisitN                                             uint16
	Init                                               bool
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

// migrateV3 returns the same state in the current layout.
func migrateV3(v *stateV3) State {
	d, p, ps := &v.Dec, &v.Season, &v.Season.S
	st := State{
		Last: v.Last, N: v.N, Model: v.Model, Mag: v.Mag,
		Base: v.Base, Spike: v.Spike, Shift: v.Shift, Drift: v.Drift, Deploy: v.Deploy,
		Dec: DecisionState{
			Inhib: d.Inhib, ClosedAt: d.ClosedAt, Open: d.Open, HasClosed: d.HasClosed, Kind: d.Kind, Dir: d.Dir,
		},
		Season: baseline.Profile{
			ErrFlat: ps.ErrFlat, ErrDaily: ps.ErrDaily, ErrFlatL: ps.ErrFlatL, ErrDailyL: ps.ErrDailyL, ErrWeeklyL: ps.ErrWeeklyL,
			Ref: ps.Ref, First: ps.First, Prev: ps.Prev, PrevDay: ps.PrevDay, PrevWeek: ps.PrevWeek, VisitN: ps.VisitN, Init: ps.Init,
			DayVisits: p.DayVisits, WkVisits: p.WkVisits, Day: p.Day, Week: p.Week,
		},
		Window: v.Window,
	}
	st.Season.Uncache()
	st.Rarity.Up, st.High.Up = v.Rarity.Up.split()
	st.Rarity.Down, st.High.Down = v.Rarity.Down.split()
	return st
}
