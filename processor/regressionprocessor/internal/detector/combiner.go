package detector

import (
	"math"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"
)

// Model is a compiled, immutable Config: the detectors and the combiner. One
// Model serves any number of series (each with its own State) and is safe
// for concurrent use; a State is not.
type Model struct {
	cfg      Config
	robust   baseline.RobustParams
	seasonal baseline.SeasonalParams
	seasonOn bool
	magAlpha float64
	onsetHL  float64 // ns; 0 = no onset weighting
	coolDown int64
	gapReset int64
	warmup   uint32

	spike  spikeDetector
	shift  levelShiftDetector
	drift  driftDetector
	deploy deployDetector
}

// New compiles cfg.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{
		cfg: cfg,
		robust: baseline.RobustParams{
			LevelAlpha: cfg.Baseline.LevelAlpha,
			ScaleAlpha: cfg.Baseline.ScaleAlpha,
			Clip:       cfg.Baseline.Clip,
		},
		seasonal: baseline.SeasonalParams{
			DayAlpha:     cfg.Seasonal.DayAlpha,
			WeekAlpha:    cfg.Seasonal.WeekAlpha,
			ErrHalfLife:  int64(8 * time.Hour),
			ErrHalfLifeL: int64(7 * 24 * time.Hour),
			Clip:         cfg.Baseline.Clip,
			DailyGain:    cfg.Seasonal.DailyGain,
			WeeklyGain:   cfg.Seasonal.WeeklyGain,
			MinDaily:     int64(cfg.Seasonal.MinDaily),
			MinWeekly:    int64(cfg.Seasonal.MinWeekly),
			AllowWeek:    cfg.Seasonal.Mode == SeasonalityAuto,
		},
		seasonOn: cfg.Seasonal.Mode != SeasonalityOff,
		magAlpha: 0.01,
		onsetHL:  float64(cfg.OnsetHalfLife),
		coolDown: int64(cfg.CoolDown),
		gapReset: int64(cfg.GapReset),
		warmup:   uint32(cfg.Warmup),
		spike:    newSpikeDetector(&cfg),
		shift:    newLevelShiftDetector(&cfg),
		drift:    newDriftDetector(&cfg),
		deploy:   newDeployDetector(&cfg),
	}
	return m, nil
}

// MustNew is New for configurations known to be valid (tests, defaults).
func MustNew(cfg Config) *Model {
	m, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return m
}

// Config returns the configuration the model was built from.
func (m *Model) Config() Config { return m.cfg }

// pointCtx is what the baseline tells the detectors about one point.
type pointCtx struct {
	ts       int64
	dt       int64 // ns since the previous accepted point
	x        float64
	version  uint64
	offset   float64 // seasonal offset
	expected float64
	res      float64 // x - expected
	scale    float64 // robust scale used for z
	z        float64
	model    baseline.Model
	step     *stepFactors // weights of the step dt; nil on a series' first point

	upReady, downReady bool // the level-shift rarity histograms can score (levelShiftDetector.ready)

	// Set by detectors.
	shift   float64 // confirmed level change
	shifted bool
	tte     float64
}

// scaleFloor keeps z finite on constant series: MinRelScale of the typical
// magnitude, and an absolute epsilon for series at zero.
func (m *Model) scaleFloor(mag float64) float64 { return m.cfg.Baseline.MinRelScale*mag + 1e-12 }

// Observe evaluates p against the series state st and then learns from it.
// Invalid values and points not newer than the last accepted one are skipped
// (Verdict.Skip says which) and leave st untouched.
func (m *Model) Observe(st *State, p Point) Verdict {
	var mm Memo
	var v Verdict
	m.ObserveMemo(st, p, &mm, &v)
	return v
}

// ObserveMemo is Observe with the step factors cached in mm across calls
// (and series): the same verdicts, fewer exponentials. It writes the
// verdict to v: returned by value through the engine's calls, the 80-byte
// struct was copied at each return, a fifth of a point's cost.
func (m *Model) ObserveMemo(st *State, p Point, mm *Memo, v *Verdict) {
	x := p.Value
	if math.IsNaN(x) || math.IsInf(x, 0) {
		*v = Verdict{Skip: SkipInvalid, Anomalous: st.Dec.Open, TimeToLimit: math.NaN()}
		return
	}
	if st.N > 0 && p.Time <= st.Last {
		*v = Verdict{Skip: SkipOutOfOrder, Anomalous: st.Dec.Open, TimeToLimit: math.NaN()}
		return
	}
	if st.N == 0 {
		m.first(st, p, v)
		return
	}
	c := pointCtx{ts: p.Time, dt: p.Time - st.Last, x: x, version: p.Version}
	c.step = mm.get(m, c.dt)
	if m.gapReset > 0 && c.dt > m.gapReset {
		st.Shift.M, st.Shift.RunLen, st.Shift.RunSign, st.Shift.RunSum = 0, 0, 0, 0
	}

	// Baseline: level + seasonal offset, robust scale.
	slot := baseline.SlotOf(p.Time)
	model := baseline.ModelFlat
	if m.seasonOn {
		model = st.Season.Choose(p.Time, slot, &m.seasonal)
	}
	if uint8(model) != st.Model {
		// A different model gives differently scaled residuals: judge them
		// against a fresh history.
		// Leaving a seasonal model, keep the expected value continuous (the
		// flat level is not deseasonalised). Entering one, keep the level:
		// the next points correct it while the fresh histograms below are
		// still too young to score (see TUNING.md for the alternatives).
		if old := baseline.Model(st.Model); model == baseline.ModelFlat {
			st.Base.Level += st.Season.Offset(old, slot)
		}
		st.Model = uint8(model)
		st.Rarity, st.High = RarityState{}, RarityHigh{}
		st.Shift.M = 0
	}
	m.shift.ready(st, &c)
	floor := m.scaleFloor(st.Mag)
	c.model = model
	c.scale = max(st.Base.Scale, floor)
	if model != baseline.ModelFlat {
		c.offset = st.Season.Offset(model, slot)
		c.scale = max(max(st.Season.BucketScale(slot), seasonalScaleFloor*float64(st.Season.ErrDaily)), floor)
	}
	c.expected = st.Base.Level + c.offset
	c.res = x - c.expected
	c.z = c.res / c.scale

	// Detectors.
	sp := m.spike.observe(st, &c)
	ls := m.shift.observe(st, &c)
	dr := m.drift.observe(st, &c)
	dp := m.deploy.observe(st, &c)

	best := sp
	for _, s := range [...]Signal{ls, dr, dp} {
		if s.Score > best.Score {
			best = s
		}
	}
	*v = Verdict{
		Raw:         best.Score,
		Expected:    c.expected,
		Lower:       c.expected - m.cfg.BandWidth*c.scale,
		Upper:       c.expected + m.cfg.BandWidth*c.scale,
		Seasonal:    uint8(model),
		TimeToLimit: c.tte,
		Scores: Scores{
			Spike:      float32(sp.Score),
			LevelShift: float32(ls.Score),
			Drift:      float32(dr.Score),
			PostChange: float32(dp.Score),
		},
	}
	if best.Score > 0 {
		v.Kind, v.Direction = best.Kind, best.Dir
	}

	// Learn.
	if c.shifted {
		st.Base.Shift(c.shift)
		st.Base.N++
	} else {
		st.Base.Update(c.res, c.scale, m.robust)
	}
	if m.seasonOn {
		st.Season.Learn(p.Time, slot, x, st.Base.Scale, floor, &m.seasonal, &c.step.season)
	}
	st.Mag += m.magAlpha * (math.Abs(x) - st.Mag)
	st.Last = p.Time
	if st.N < math.MaxUint32 {
		st.N++
	}

	m.decide(st, v, p.Time, c.step)
}

// first starts a new series at p.
func (m *Model) first(st *State, p Point, v *Verdict) {
	st.Reset()
	st.Base.Init(p.Value)
	st.Mag = math.Abs(p.Value)
	st.Last = p.Time
	st.N = 1
	c := pointCtx{ts: p.Time, x: p.Value, version: p.Version, expected: p.Value}
	m.spike.observe(st, &c)
	m.drift.observe(st, &c)
	m.deploy.observe(st, &c)
	if m.seasonOn {
		st.Season.Learn(p.Time, baseline.SlotOf(p.Time), p.Value, 0, m.scaleFloor(st.Mag), &m.seasonal, nil)
	}
	*v = Verdict{Expected: p.Value, Lower: p.Value, Upper: p.Value, TimeToLimit: c.tte}
}

// seasonalScaleFloor bounds a time-of-day bucket's scale from below by this
// share of the daily model's mean error, so a bucket that happened to be
// quiet on the days it was learned does not make ordinary noise rare.
const seasonalScaleFloor = 0.8

// onsetDamp is the factor applied to a score that repeats known news.
const onsetDamp = 0.5

// decide applies warm-up, onset weighting, hysteresis and cool-down.
func (m *Model) decide(st *State, v *Verdict, ts int64, f *stepFactors) {
	d := &st.Dec
	v.Warm = st.N > m.warmup
	if !v.Warm {
		v.Raw, v.Kind, v.Direction = 0, KindNone, DirNone
		v.Scores = Scores{}
		return
	}
	// Onset weighting: a score that does not exceed the decayed recent
	// maximum by OnsetMargin repeats known news and is halved. Inhib was
	// set by the previous point (every point past warm-up sets it), so it
	// decays over this point's step.
	inh := d.Inhib
	if m.onsetHL > 0 && inh > 0 {
		inh *= f.onset
	}
	score := v.Raw
	if m.onsetHL > 0 && score <= inh+m.cfg.OnsetMargin {
		score *= onsetDamp
	}
	if m.onsetHL > 0 {
		d.Inhib = max(inh, score)
	}
	v.Score = score

	switch {
	case d.Open && v.Raw < m.cfg.ExitThreshold:
		d.Open, d.HasClosed, d.ClosedAt = false, true, ts
		v.Decision = DecisionClose
		// The close reports the anomaly's last kind and direction, so it
		// pairs with the last ongoing event.
		v.Kind, v.Direction = d.Kind, d.Dir
	case d.Open:
		v.Decision, v.Anomalous = DecisionOngoing, true
		if v.Kind == KindNone {
			v.Kind, v.Direction = d.Kind, d.Dir
		} else {
			d.Kind, d.Dir = v.Kind, v.Direction
		}
	case score >= m.cfg.Threshold && (!d.HasClosed || ts-d.ClosedAt >= m.coolDown):
		d.Open, d.Kind, d.Dir = true, v.Kind, v.Direction
		v.Decision, v.Anomalous = DecisionOpen, true
	}
}
