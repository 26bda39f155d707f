package canary

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

var (
	t0  = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).UnixNano()
	key = series.KeyOf("rpc.latency", "api")
)

func noise(i int) float64 { return float64((i*7919)%11) - 5 }

// tracked is a tracker with the watches its caller (the engine) keeps.
type tracked struct {
	*Tracker
	watches map[series.Key]*Watch
}

func newTracker(t testing.TB, mutate func(*Config)) *tracked {
	t.Helper()
	cfg := DefaultConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	tr, err := New(cfg)
	require.NoError(t, err)
	return &tracked{Tracker: tr, watches: map[series.Key]*Watch{}}
}

func (tr *tracked) observe(k series.Key, p *Point) Verdict {
	w := tr.watches[k]
	if w == nil {
		w = new(Watch)
		tr.watches[k] = w
	}
	var v Verdict
	tr.Observe(k, w, p, &v)
	return v
}

// feed is one version reporting a value every minute from minute `from`.
type feed struct {
	name  string
	from  int
	value func(i int) float64
}

// run feeds the versions side by side, minute by minute, for n minutes and
// returns the verdicts per version name.
func run(tr *tracked, k series.Key, n int, feeds ...feed) map[string][]Verdict {
	out := map[string][]Verdict{}
	for i := 0; i < n; i++ {
		ts := t0 + int64(i)*int64(time.Minute)
		for _, f := range feeds {
			if i < f.from {
				continue
			}
			h := series.KeyOf(f.name).Lo | 1
			out[f.name] = append(out[f.name], tr.observe(k, &Point{Version: h, Name: f.name, Time: ts, Value: f.value(i)}))
		}
	}
	return out
}

func decisions(vs []Verdict) []detector.Decision {
	var out []detector.Decision
	for _, v := range vs {
		if v.Decision != detector.DecisionNormal {
			out = append(out, v.Decision)
		}
	}
	return out
}

func TestCanaryThirtyPercentSlowerFlags(t *testing.T) {
	tr := newTracker(t, nil)
	got := run(tr, key, 100,
		feed{"1.0", 0, func(i int) float64 { return 100 + noise(i) }},
		feed{"1.1", 30, func(i int) float64 { return 130 + noise(i+4) }})
	for _, v := range got["1.0"] {
		assert.Contains(t, []Role{RoleOnly, RoleBaseline}, v.Role)
		assert.False(t, v.Compared, "the baseline is not judged")
	}
	var compared []Verdict
	for _, v := range got["1.1"] {
		assert.Equal(t, RoleCanary, v.Role)
		if v.Compared {
			compared = append(compared, v)
		}
	}
	require.Len(t, compared, 3, "70 canary points: a comparison per 20")
	first := compared[0]
	assert.Equal(t, detector.DecisionOpen, first.Decision)
	assert.Equal(t, detector.DirUp, first.Direction)
	assert.Equal(t, "1.1", first.Version)
	assert.Equal(t, "1.0", first.Baseline)
	assert.InDelta(t, 0.3, first.RelChange, 0.03)
	assert.InDelta(t, 1, first.Effect, 0.05)
	assert.GreaterOrEqual(t, first.Score, 0.6)
	assert.Equal(t, detector.DecisionOngoing, compared[1].Decision)
	assert.Equal(t, 1, tr.Comparing())
}

func TestIdenticalVersionsDoNotFlag(t *testing.T) {
	tr := newTracker(t, nil)
	got := run(tr, key, 300,
		feed{"1.0", 0, func(i int) float64 { return 100 + noise(i) }},
		feed{"1.1", 10, func(i int) float64 { return 100 + noise(i+3) }})
	var n int
	for _, v := range got["1.1"] {
		if v.Compared {
			n++
			assert.Zero(t, v.Score)
			assert.Less(t, v.RelChange, 0.1)
		}
	}
	assert.Equal(t, 14, n)
	assert.Empty(t, decisions(got["1.1"]))
}

func TestCanaryCloses(t *testing.T) {
	t.Run("when it recovers", func(t *testing.T) {
		tr := newTracker(t, nil)
		got := run(tr, key, 100,
			feed{"1.0", 0, func(i int) float64 { return 100 + noise(i) }},
			feed{"1.1", 10, func(i int) float64 {
				if i < 50 {
					return 150 + noise(i)
				}
				return 100 + noise(i)
			}})
		assert.Equal(t, []detector.Decision{detector.DecisionOpen, detector.DecisionOngoing, detector.DecisionClose}, decisions(got["1.1"]))
	})
	t.Run("when the baseline goes (promotion)", func(t *testing.T) {
		tr := newTracker(t, nil)
		var vs []Verdict
		for i := 0; i < 100; i++ {
			ts := t0 + int64(i)*int64(time.Minute)
			if i < 60 {
				tr.observe(key, &Point{Version: 1, Name: "1.0", Time: ts, Value: 100 + noise(i)})
			}
			if i >= 10 {
				vs = append(vs, tr.observe(key, &Point{Version: 3, Name: "1.1", Time: ts, Value: 150 + noise(i)}))
			}
		}
		// Windows end at minutes 29, 49 and 69 (half of the last one still has
		// baseline points); at minute 70 the baseline is 11 minutes silent.
		assert.Equal(t, []detector.Decision{detector.DecisionOpen, detector.DecisionOngoing, detector.DecisionOngoing, detector.DecisionClose}, decisions(vs))
		assert.Equal(t, detector.DecisionClose, vs[60].Decision)
		last := vs[len(vs)-1]
		assert.Equal(t, RoleOnly, last.Role, "1.0 expired after version_ttl")
		assert.Zero(t, tr.Comparing())
	})
}

func TestThirdVersionAndCaps(t *testing.T) {
	t.Run("a third version is a second canary", func(t *testing.T) {
		tr := newTracker(t, nil)
		got := run(tr, key, 60,
			feed{"1.0", 0, func(i int) float64 { return 100 + noise(i) }},
			feed{"1.1", 5, func(i int) float64 { return 100 + noise(i+2) }},
			feed{"1.2", 10, func(i int) float64 { return 140 + noise(i) }})
		assert.Empty(t, decisions(got["1.1"]))
		require.NotEmpty(t, decisions(got["1.2"]))
		for _, v := range got["1.2"] {
			if v.Compared {
				assert.Equal(t, "1.0", v.Baseline, "canaries are compared with the baseline, not with each other")
			}
		}
	})
	t.Run("max_versions", func(t *testing.T) {
		tr := newTracker(t, func(c *Config) { c.MaxVersions = 2 })
		got := run(tr, key, 30,
			feed{"1.0", 0, func(i int) float64 { return 100 + noise(i) }},
			feed{"1.1", 1, func(i int) float64 { return 100 + noise(i) }},
			feed{"1.2", 2, func(i int) float64 { return 100 + noise(i) }})
		for _, v := range got["1.2"] {
			assert.Equal(t, Verdict{Role: RoleCapped, Cap: CapVersions}, v)
		}
		assert.Equal(t, RoleCanary, got["1.1"][len(got["1.1"])-1].Role)
	})
	t.Run("max_groups", func(t *testing.T) {
		tr := newTracker(t, func(c *Config) { c.MaxGroups = 1 })
		other := series.KeyOf("rpc.latency", "web")
		a := run(tr, key, 5, feed{"1.0", 0, func(int) float64 { return 1 }}, feed{"1.1", 0, func(int) float64 { return 1 }})
		b := run(tr, other, 5, feed{"1.0", 0, func(int) float64 { return 1 }}, feed{"1.1", 0, func(int) float64 { return 1 }})
		assert.Equal(t, RoleCanary, a["1.1"][4].Role)
		assert.Equal(t, RoleOnly, b["1.0"][4].Role, "the baseline of an uncompared identity is followed as usual")
		assert.Equal(t, Verdict{Role: RoleCapped, Cap: CapGroups}, b["1.1"][4])
		assert.Equal(t, 1, tr.Comparing())
	})
}

func TestExpire(t *testing.T) {
	tr := newTracker(t, nil)
	run(tr, key, 3, feed{"a", 0, func(int) float64 { return 1 }}, feed{"b", 0, func(int) float64 { return 1 }})
	assert.Equal(t, 1, tr.Comparing())
	assert.Equal(t, Watch{}, *tr.watches[key], "a compared identity has no watch")
	assert.Zero(t, tr.Expire(t0+int64(5*time.Minute)))
	assert.Equal(t, 1, tr.Expire(t0+int64(time.Hour)))
	assert.Zero(t, tr.Comparing())
}

// TestBaselineIsTheVersionStartedFirst: after a restart both versions are
// seen at once; the start time of their points (process start of a
// cumulative stream) still tells the baseline, whatever arrives first.
func TestBaselineIsTheVersionStartedFirst(t *testing.T) {
	for _, tc := range []struct {
		name          string
		canaryStart   int64
		wantCanaryIs  string
		wantRoleOfNew Role
	}{
		{"start times known", t0 - int64(time.Hour), "1.1", RoleCanary},
		{"no start times: arrival order", 0, "1.0", RoleBaseline},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTracker(t, nil)
			var last Verdict
			for i := 0; i < 3; i++ {
				ts := t0 + int64(i)*int64(time.Minute)
				baseStart := int64(0)
				if tc.canaryStart != 0 {
					baseStart = t0 - int64(48*time.Hour)
				}
				// The canary's point arrives first.
				last = tr.observe(key, &Point{Version: 2, Name: "1.1", Start: tc.canaryStart, Time: ts, Value: 1})
				tr.observe(key, &Point{Version: 1, Name: "1.0", Start: baseStart, Time: ts, Value: 1})
			}
			assert.Equal(t, tc.wantRoleOfNew, last.Role)
			if last.Role == RoleCanary {
				assert.Equal(t, tc.wantCanaryIs, last.Version)
			}
		})
	}
}

// TestSequentialDeployIsNotACanary: a version that replaces another after
// more than version_ttl of silence is a deploy, not a side-by-side run.
func TestSequentialDeployIsNotACanary(t *testing.T) {
	tr := newTracker(t, nil)
	for i := 0; i < 40; i++ {
		ts := t0 + int64(i)*int64(time.Minute)
		name := "1.0"
		if i >= 20 {
			ts += int64(time.Hour)
			name = "1.1"
		}
		v := tr.observe(key, &Point{Version: series.KeyOf(name).Lo, Name: name, Time: ts, Value: 1})
		assert.Equal(t, RoleOnly, v.Role)
	}
	assert.Zero(t, tr.Comparing())
}

func TestBadPointsAreNotCompared(t *testing.T) {
	tr := newTracker(t, nil)
	nan := func(int) float64 { return 0 }
	got := run(tr, key, 60,
		feed{"1.0", 0, func(i int) float64 { return 100 + noise(i) }},
		feed{"1.1", 0, func(i int) float64 {
			if i%2 == 0 {
				return nan(i) / nan(i) // NaN
			}
			return 100 + noise(i)
		}})
	var n int
	for _, v := range got["1.1"] {
		if v.Compared {
			n++
		}
	}
	assert.Equal(t, 1, n, "30 valid canary points: one window")
	// An old point of a version (out of order) does not enter its window.
	v := tr.observe(key, &Point{Version: series.KeyOf("1.1").Lo | 1, Name: "1.1", Time: t0, Value: 1e9})
	assert.False(t, v.Compared)
	assert.Equal(t, detector.SkipOutOfOrder, v.Skip)
	for _, v := range got["1.1"][:10] {
		if v.Skip != detector.SkipNone {
			assert.Equal(t, detector.SkipInvalid, v.Skip)
		}
	}
}

func TestDeterministic(t *testing.T) {
	f := []feed{
		{"1.0", 0, func(i int) float64 { return 100 + noise(i) }},
		{"1.1", 7, func(i int) float64 { return 120 + 3*noise(i+1) }},
	}
	a := run(newTracker(t, nil), key, 200, f...)
	b := run(newTracker(t, nil), key, 200, f...)
	assert.Equal(t, a, b)
}

func TestConfigValidate(t *testing.T) {
	c := DefaultConfig()
	require.NoError(t, c.Validate())
	c = Config{Window: 4, MaxVersions: 5, MaxP: 1, MinEffect: 2, MinRelChange: -1}
	err := c.Validate()
	for _, want := range []string{"window = 4", "version_ttl = 0s", "max_versions = 5", "max_groups = 0", "max_p = 1", "min_effect = 2", "min_relative_change = -1"} {
		assert.ErrorContains(t, err, want)
	}
	_, err = New(c)
	assert.Error(t, err)
}

func BenchmarkObserve(b *testing.B) {
	tr := newTracker(b, nil)
	keys := make([]series.Key, 1000) // = max_groups: all compared
	for i := range keys {
		keys[i] = series.KeyOf("m", strconv.Itoa(i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() { // every minute, each identity reports from two versions
		ts := t0 + int64(i/(2*len(keys)))*int64(time.Minute)
		k := keys[(i/2)%len(keys)]
		tr.observe(k, &Point{Version: uint64(1 + i%2), Name: "v", Time: ts, Value: 100 + noise(i)})
		i++
	}
}
