package detector

import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"

// stateV2 is the State layout of snapshot format version 2: the same
// fields as version 3, but the seasonal profile's visit counters came after
// the arrays they count. It is kept only to read snapshots saved by earlier
// versions.
type stateV2 = stateLayoutV2[profileV2]

type profileV2 struct {
	S         profileScalarsV3
	Day       [baseline.DailyBuckets]baseline.DayBucket
	DayVisits [baseline.DailyBuckets]uint8
	Week      [baseline.WeeklyBuckets]float32
	WkVisits  [baseline.WeeklyBuckets]uint8
}

// migrateV2 returns the same state in the layout of version 3.
func migrateV2(v *stateV2) stateV3 {
	p := &v.Season
	return stateV3{
		Last: v.Last, N: v.N, Model: v.Model, Mag: v.Mag,
		Base: v.Base, Spike: v.Spike, Shift: v.Shift, Drift: v.Drift, Dec: v.Dec, Deploy: v.Deploy,
		Season: profileV3{S: p.S, DayVisits: p.DayVisits, WkVisits: p.WkVisits, Day: p.Day, Week: p.Week},
		Rarity: v.Rarity,
		Window: v.Window,
	}
}
