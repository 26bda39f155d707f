package detector

import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"

// stateV1 is the State layout of snapshot format version 1, before the
// per-point fields were packed at the front (see State). It is kept only to
// read snapshots saved by earlier versions; the values are the same, only
// their order differs, the rarity histograms gained Used (derived from the
// counts) and the deploy change time, which nothing read, is gone: so both
// layouts encode to the same length, and stores that frame snapshots by
// SnapshotSize read records of either version.
type stateV1 struct {
	Last   int64
	N      uint32
	Model  uint8
	Mag    float64
	Base   baseline.Robust
	Season profileV1
	Spike  SpikeState
	Shift  struct {
		M        float64
		RunSum   float64
		RunLen   uint16
		RunSign  int8
		Up, Down tailHistV1
	}
	Drift  DriftState
	Deploy struct {
		Version       uint64
		ChangeAt      int64
		Before, After [MaxDeployWindow]float32
		BN, BI, AN    uint8
		Active        bool
	}
	Dec decisionV3
}

type profileV1 struct {
	Off, Scale [baseline.DailyBuckets]float32
	Week       [baseline.WeeklyBuckets]float32
	DayVisits  [baseline.DailyBuckets]uint8
	WkVisits   [baseline.WeeklyBuckets]uint8
	S          profileScalarsV3
}

type tailHistV1 struct {
	C      [baseline.TailBuckets]float32
	W, Tot float32
}

func (h *tailHistV1) migrate() tailHistV3 {
	out := tailHistV3{W: h.W, Tot: h.Tot, C: h.C}
	for k, c := range h.C {
		if c > 0 {
			out.Used |= 1 << k
		}
	}
	return out
}

// migrateV1 returns the same state in the layout of version 3.
func migrateV1(v *stateV1) stateV3 {
	p := &v.Season
	st := stateV3{
		Last:  v.Last,
		N:     v.N,
		Model: v.Model,
		Mag:   v.Mag,
		Base:  v.Base,
		Spike: v.Spike,
		Shift: LevelShiftState{M: v.Shift.M, RunSum: v.Shift.RunSum, RunLen: v.Shift.RunLen, RunSign: v.Shift.RunSign},
		Drift: v.Drift,
		Dec:   v.Dec,
		Deploy: DeployState{
			Version: v.Deploy.Version, BN: v.Deploy.BN, BI: v.Deploy.BI, AN: v.Deploy.AN, Active: v.Deploy.Active,
		},
		Season: profileV3{S: p.S, DayVisits: p.DayVisits, Week: p.Week, WkVisits: p.WkVisits},
		Rarity: rarityV3{v.Shift.Up.migrate(), v.Shift.Down.migrate()},
		Window: DeployWindow{Before: v.Deploy.Before, After: v.Deploy.After},
	}
	for i := range p.Off {
		st.Season.Day[i] = baseline.DayBucket{Off: p.Off[i], Scale: p.Scale[i]}
	}
	return st
}
