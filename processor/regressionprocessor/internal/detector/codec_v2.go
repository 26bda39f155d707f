package detector

import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"

// stateV2 is the State layout of snapshot format version 2: the same
// fields, but the seasonal profile's visit counters came after the arrays
// they count (see baseline.Profile). It is kept only to read snapshots
// saved by earlier versions.
type stateV2 struct {
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
	Season profileV2
	Rarity rarityV3
	Window DeployWindow
}

type profileV2 struct {
	ErrFlat, ErrDaily, ErrFlatL, ErrDailyL, ErrWeeklyL float32
	Ref                                                float64
	First, Prev                                        int64
	PrevDay, PrevWeek                                  uint8
	VisitN                                             uint16
	Init                                               bool
	Day                                                [baseline.DailyBuckets]baseline.DayBucket
	DayVisits                                          [baseline.DailyBuckets]uint8
	Week                                               [baseline.WeeklyBuckets]float32
	WkVisits                                           [baseline.WeeklyBuckets]uint8
}

// migrate returns the same state in the layout of version 3.
func (v *stateV2) migrate() stateV3 {
	p := &v.Season
	return stateV3{
		Last: v.Last, N: v.N, Model: v.Model, Mag: v.Mag,
		Base: v.Base, Spike: v.Spike, Shift: v.Shift, Drift: v.Drift, Dec: v.Dec, Deploy: v.Deploy,
		Season: profileV3{
			ErrFlat: p.ErrFlat, ErrDaily: p.ErrDaily, ErrFlatL: p.ErrFlatL, ErrDailyL: p.ErrDailyL, ErrWeeklyL: p.ErrWeeklyL,
			Ref: p.Ref, First: p.First, Prev: p.Prev, PrevDay: p.PrevDay, PrevWeek: p.PrevWeek, VisitN: p.VisitN, Init: p.Init,
			DayVisits: p.DayVisits, WkVisits: p.WkVisits, Day: p.Day, Week: p.Week,
		},
		Rarity: v.Rarity,
		Window: v.Window,
	}
}
