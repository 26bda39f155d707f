package detector

import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"

// stepFactors are the per-point weights that depend only on the model and
// the time step dt since the series' previous point: the envelope and onset
// decays, the trend weights and the seasonal profile's weights.
type stepFactors struct {
	dt     int64
	env    float64 // envelope decay (1 = never forget)
	onset  float64 // onset-weighting decay (unused without onset weighting)
	trend  baseline.TrendStep
	season baseline.SeasonStep
}

func (m *Model) stepFactors(dt int64) stepFactors {
	f := stepFactors{
		dt:     dt,
		env:    1,
		trend:  m.drift.trend.Step(dt),
		season: m.seasonal.Step(dt),
	}
	if m.spike.envHL > 0 {
		f.env = baseline.DecayFor(float64(dt), m.spike.envHL)
	}
	if m.onsetHL > 0 {
		f.onset = baseline.DecayFor(float64(dt), m.onsetHL)
	}
	return f
}

// Memo caches the step factors of the last few step lengths, per model. In a
// collector most series are scraped at one or a few intervals, so the
// exponentials and powers behind the factors (eight per point) are computed
// once per interval instead of once per point. A cached factor is the value
// the model would compute, so verdicts do not depend on the memo.
//
// The zero Memo is empty. It is not safe for concurrent use: an Engine owns
// one.
type Memo struct {
	ways [memoWays]memoEntry
}

type memoEntry struct {
	m *Model
	f stepFactors
}

// The memo is direct-mapped by a hash of the step length.
const (
	memoBits = 2
	memoWays = 1 << memoBits
)

func (mm *Memo) get(m *Model, dt int64) *stepFactors {
	e := &mm.ways[(uint64(dt)*0x9e3779b97f4a7c15)>>(64-memoBits)]
	if e.m != m || e.f.dt != dt {
		e.m, e.f = m, m.stepFactors(dt)
	}
	return &e.f
}
