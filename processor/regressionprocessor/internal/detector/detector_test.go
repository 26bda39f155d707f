package detector

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/baseline"
)

// weekly is daily() on weekdays and half of it on Saturdays and Sundays.
func weekly(i int) float64 {
	ts := time.Unix(0, t0+int64(i)*step).UTC()
	v := daily(i)
	if wd := ts.Weekday(); wd == time.Saturday || wd == time.Sunday {
		v *= 0.5
	}
	return v
}

func TestDetectsAnomalies(t *testing.T) {
	const n, at = 3000, 2000
	tests := []struct {
		name     string
		gen      func() []Point
		wantKind Kind
		wantDir  Direction
		// alsoKind must appear on some point of the opened anomaly.
		alsoKind Kind
	}{
		{
			name: "spike",
			gen: func() []Point {
				p := series(n, 1, constant(100))
				p[at].Value += 20
				return p
			},
			wantKind: KindSpike, wantDir: DirUp,
		},
		{
			name: "dip",
			gen: func() []Point {
				p := series(n, 1, constant(100))
				p[at].Value -= 20
				return p
			},
			wantKind: KindDip, wantDir: DirDown,
		},
		{
			name: "level step up",
			gen: func() []Point {
				p := series(n, 1, constant(100))
				for i := at; i < n; i++ {
					p[i].Value += 8
				}
				return p
			},
			wantDir: DirUp, alsoKind: KindLevelShift,
		},
		{
			name: "level step down in a daily pattern",
			gen: func() []Point {
				p := series(288*10, 2, daily)
				for i := 288 * 8; i < len(p); i++ {
					p[i].Value -= 30
				}
				return p
			},
			wantDir: DirDown,
		},
	}
	m := MustNew(DefaultConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts := tt.gen()
			vs := run(t, m, pts)
			start := at
			if len(pts) != n {
				start = 288 * 8
			}
			got := opensIn(vs, start, start+12)
			require.NotEmpty(t, got, "no anomaly opened within 12 points of the change")
			v := vs[got[0]]
			assert.GreaterOrEqual(t, v.Score, m.Config().Threshold)
			if tt.wantKind != KindNone {
				assert.Equal(t, tt.wantKind, v.Kind)
			}
			assert.Equal(t, tt.wantDir, v.Direction)
			if tt.alsoKind != KindNone {
				found := false
				for i := got[0]; i < len(vs) && vs[i].Anomalous; i++ {
					found = found || vs[i].Kind == tt.alsoKind
				}
				assert.True(t, found, "kind %v never reported during the anomaly", tt.alsoKind)
			}
			// The band is around the expected value.
			assert.Less(t, v.Lower, v.Expected)
			assert.Greater(t, v.Upper, v.Expected)
		})
	}
}

func TestLearnedSeasonalityDoesNotAlarm(t *testing.T) {
	tests := []struct {
		name      string
		days      int
		gen       func(int) float64
		quietFrom int // day from which no anomaly may open
		wantModel baseline.Model
	}{
		{name: "daily", days: 21, gen: daily, quietFrom: 3, wantModel: baseline.ModelDaily},
		{name: "weekly", days: 42, gen: weekly, quietFrom: 15, wantModel: baseline.ModelWeekly},
	}
	m := MustNew(DefaultConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := run(t, m, series(288*tt.days, 2, tt.gen))
			assert.Empty(t, opensIn(vs, 288*tt.quietFrom, len(vs)), "alarm on a learned pattern")
			assert.Equal(t, uint8(tt.wantModel), vs[len(vs)-1].Seasonal)
		})
	}
	t.Run("off", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Seasonal.Mode = SeasonalityOff
		vs := run(t, MustNew(cfg), series(288*7, 2, daily))
		for _, v := range vs {
			require.Equal(t, uint8(baseline.ModelFlat), v.Seasonal)
		}
	})
}

func TestDriftTimeToLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Drift.Limit = 100
	m := MustNew(cfg)
	const slope = 0.02 // per 5 minutes: from 50 to 100 in 2500 points
	vs := run(t, m, series(2600, 0.5, func(i int) float64 { return 50 + slope*float64(i) }))
	for _, i := range []int{500, 1000, 1500, 2000} {
		truth := (100 - (50 + slope*float64(i))) / slope * time.Duration(step).Seconds()
		assert.InEpsilon(t, truth, vs[i].TimeToLimit, 0.15, "point %d", i)
	}
	// A drift verdict comes before the limit is reached, within the horizon.
	first := -1
	for i, v := range vs {
		if v.Kind == KindDrift && v.Score >= cfg.Threshold {
			first = i
			break
		}
	}
	require.NotEqual(t, -1, first, "no drift verdict")
	assert.Less(t, first, 2500)
	assert.GreaterOrEqual(t, first, 2500-int(cfg.Drift.Horizon/(5*time.Minute))-30)
	assert.Equal(t, DirUp, vs[first].Direction)

	t.Run("no limit", func(t *testing.T) {
		vs := run(t, MustNew(DefaultConfig()), series(500, 0.5, func(i int) float64 { return 50 + slope*float64(i) }))
		assert.True(t, math.IsNaN(vs[499].TimeToLimit))
		assert.Zero(t, vs[499].Scores.Drift)
	})
}

func TestPostChange(t *testing.T) {
	const change = 600
	gen := func(shift float64) []Point {
		p := series(800, 5, constant(100))
		for i := range p {
			p[i].Version = 1
			if i >= change {
				p[i].Version = 2
				p[i].Value += shift
			}
		}
		return p
	}
	m := MustNew(DefaultConfig())
	w := m.Config().Deploy.Window
	t.Run("regression after deploy", func(t *testing.T) {
		vs := run(t, m, gen(30))
		v := vs[change+w-1]
		assert.Greater(t, float64(v.Scores.PostChange), 0.5)
		found := false
		for _, v := range vs[change : change+w] {
			found = found || (v.Kind == KindPostChange && v.Direction == DirUp)
		}
		assert.True(t, found, "no post_change verdict")
	})
	t.Run("deploy without change", func(t *testing.T) {
		vs := run(t, m, gen(0))
		for _, v := range vs {
			require.Zero(t, v.Scores.PostChange)
		}
	})
	t.Run("small change below effect gate", func(t *testing.T) {
		vs := run(t, m, gen(3)) // 3% of the level, 0.6σ
		for _, v := range vs {
			require.Zero(t, v.Scores.PostChange)
		}
	})
}

func TestWarmup(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Warmup = 100
	m := MustNew(cfg)
	pts := series(300, 1, constant(10))
	for i := 0; i < 100; i += 7 {
		pts[i].Value = 1000 * float64(i%3-1) // wild values during warm-up
	}
	vs := run(t, m, pts)
	for i := 0; i < 100; i++ {
		require.Zero(t, vs[i].Score, "point %d", i)
		require.False(t, vs[i].Warm)
		require.Equal(t, DecisionNormal, vs[i].Decision)
	}
	assert.True(t, vs[100].Warm)
}

func TestHysteresisAndCoolDown(t *testing.T) {
	cfg := DefaultConfig()
	cfg.OnsetHalfLife = 0 // judge every spike on its own
	cfg.CoolDown = 2 * time.Hour
	m := MustNew(cfg)
	pts := series(3000, 1, constant(100))
	// Spikes: at 2000 (opens), 2012 (1h later: cool-down), 2100 (8h later).
	for _, i := range []int{2000, 2012, 2100} {
		pts[i].Value += 40
	}
	vs := run(t, m, pts)
	assert.Equal(t, DecisionOpen, vs[2000].Decision)
	// Closes once the raw score falls under the exit threshold.
	closed := -1
	for i := 2001; i < 2012; i++ {
		if vs[i].Decision == DecisionClose {
			closed = i
			break
		}
		require.True(t, vs[i].Anomalous)
	}
	require.NotEqual(t, -1, closed, "never closed")
	assert.Less(t, vs[closed].Raw, cfg.ExitThreshold)
	assert.GreaterOrEqual(t, vs[2012].Raw, cfg.Threshold, "second spike should score")
	assert.NotEqual(t, DecisionOpen, vs[2012].Decision, "cool-down")
	assert.Equal(t, DecisionOpen, vs[2100].Decision, "after cool-down")
}

func TestOnsetWeighting(t *testing.T) {
	m := MustNew(DefaultConfig())
	pts := series(3000, 1, constant(100))
	pts[2000].Value += 40
	pts[2003].Value += 40 // same news 15 minutes later
	vs := run(t, m, pts)
	assert.GreaterOrEqual(t, vs[2000].Score, m.Config().Threshold)
	assert.Less(t, vs[2003].Score, vs[2003].Raw, "repeat is damped")
}

func TestSkips(t *testing.T) {
	m := MustNew(DefaultConfig())
	var st State
	for _, p := range series(100, 1, constant(5)) {
		m.Observe(&st, p)
	}
	before, _ := st.MarshalBinary()
	last := st.Last
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		got := m.Observe(&st, Point{Time: last + step, Value: v})
		assert.Equal(t, SkipInvalid, got.Skip)
	}
	got := m.Observe(&st, Point{Time: last, Value: 5}) // same time
	assert.Equal(t, SkipOutOfOrder, got.Skip)
	got = m.Observe(&st, Point{Time: last - step, Value: 5}) // older
	assert.Equal(t, SkipOutOfOrder, got.Skip)
	after, _ := st.MarshalBinary()
	assert.Equal(t, before, after, "skipped points must not change the state")
}

func TestDeterministicAndIrregular(t *testing.T) {
	// Irregular steps (1 s to 20 min) and a 2-day gap, on a stationary
	// series: the same input gives the same output, and nothing alarms
	// after warm-up.
	pts := series(4000, 1, constant(50))
	ts := t0
	for i := range pts {
		d := time.Duration(1+(i*7919)%1200) * time.Second
		if i == 2500 {
			d = 48 * time.Hour
		}
		ts += int64(d)
		pts[i].Time = ts
	}
	m := MustNew(DefaultConfig())
	a, b := run(t, m, pts), run(t, m, pts)
	require.Equal(t, len(a), len(b))
	for i := range a {
		if !(math.IsNaN(a[i].TimeToLimit) && math.IsNaN(b[i].TimeToLimit)) {
			require.Equal(t, a[i], b[i], "point %d", i)
		}
	}
	assert.LessOrEqual(t, len(opensIn(a, 500, len(a))), 2, "stationary series with gaps: %v", opensIn(a, 500, len(a)))
}

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig()
	require.NoError(t, ok.Validate())
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"threshold", func(c *Config) { c.Threshold = 0 }, "threshold"},
		{"exit above threshold", func(c *Config) { c.ExitThreshold = 0.9 }, "exit_threshold"},
		{"memory", func(c *Config) { c.Memory = 1 }, "memory"},
		{"deploy window", func(c *Config) { c.Deploy.Window = MaxDeployWindow + 1 }, "deploy.window"},
		{"limit inf", func(c *Config) { c.Drift.Limit = math.Inf(1) }, "drift.limit"},
		{"alpha", func(c *Config) { c.Baseline.LevelAlpha = 2 }, "baseline.level_alpha"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.mutate(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			_, err = New(c)
			assert.Error(t, err)
		})
	}
	t.Run("all problems at once", func(t *testing.T) {
		c := DefaultConfig()
		c.Threshold, c.Memory = 0, 1
		err := c.Validate()
		assert.Contains(t, err.Error(), "threshold")
		assert.Contains(t, err.Error(), "memory")
	})
}

func TestKindStrings(t *testing.T) {
	for k, want := range map[Kind]string{KindSpike: "spike", KindDip: "dip", KindLevelShift: "level_shift",
		KindSeasonal: "seasonal", KindDrift: "drift", KindPostChange: "post_change", KindNone: ""} {
		assert.Equal(t, want, k.String())
	}
	assert.Equal(t, "up", DirUp.String())
	assert.Equal(t, "down", DirDown.String())
	assert.Equal(t, "open", DecisionOpen.String())
}

// TestMemoDoesNotChangeVerdicts interleaves series of two models with
// regular steps (memo hits), irregular ones (misses), a shared step length
// between the models and a gap, and checks that one shared Memo gives
// exactly the verdicts of Observe without one.
func TestMemoDoesNotChangeVerdicts(t *testing.T) {
	other := DefaultConfig() // every step factor differs from the default's
	other.Drift.Limit = 400
	other.Drift.LevelHalfLife, other.Drift.SlopeHalfLife = 30*time.Minute, 3*time.Hour
	other.Spike.EnvelopeHalfLife, other.OnsetHalfLife = 7*24*time.Hour, 6*time.Hour
	other.Seasonal.DayAlpha, other.Seasonal.WeekAlpha = 0.3, 0.2
	models := []*Model{MustNew(DefaultConfig()), MustNew(other)}
	gens := [][]Point{series(3000, 2, daily), series(3000, 5, weekly), series(3000, 1, constant(7))}
	for i := range gens[2] {
		// Irregular: 1 s to 20 min, and a 2-day gap.
		gens[2][i].Time = t0 + int64(i)*step + int64(i*7919%1200)*int64(time.Second)
		if i >= 2000 {
			gens[2][i].Time += 48 * int64(time.Hour)
		}
	}
	gens[0][2500].Value += 300
	var mm Memo
	plain := make([]State, len(gens)*len(models))
	memo := make([]State, len(plain))
	for i := 0; i < 3000; i++ {
		for g, pts := range gens {
			for mi, m := range models {
				s := g*len(models) + mi
				want := m.Observe(&plain[s], pts[i])
				var got Verdict
				m.ObserveMemo(&memo[s], pts[i], &mm, &got)
				if !(math.IsNaN(want.TimeToLimit) && math.IsNaN(got.TimeToLimit)) {
					require.Equal(t, want, got, "series %d point %d", s, i)
				}
			}
		}
	}
}
