package baseline

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEWMA(t *testing.T) {
	var e EWMA
	for _, x := range []float64{1, 2, 3, 4} {
		e.Update(x, 0.01) // young: running mean
	}
	assert.InDelta(t, 2.5, e.Mean, 1e-12)
	var c EWMA
	for i := 0; i < 1000; i++ {
		c.Update(7, 0.1)
	}
	assert.Equal(t, 7.0, c.Mean)
	assert.InDelta(t, 0, c.Std(), 1e-12)
	assert.InDelta(t, 0.5, 1-AlphaForHalfLife(1), 1e-12)
	assert.InDelta(t, 0.25, DecayFor(2, 1), 1e-12)
	assert.Equal(t, 1.0, DecayFor(0, 1))
	assert.Equal(t, 3.0, Clip(5, 3))
	assert.Equal(t, -3.0, Clip(-5, 3))
}

func TestRobustIgnoresOutliers(t *testing.T) {
	var r Robust
	r.Init(10)
	rng := rand.New(rand.NewPCG(1, 1))
	p := RobustParams{LevelAlpha: 0.05, ScaleAlpha: 0.02, Clip: 3}
	for i := 0; i < 2000; i++ {
		x := 10 + rng.NormFloat64()
		if i%50 == 0 {
			x = 1000 // outliers
		}
		r.Update(r.Residual(x, 0), math.Max(r.Scale, 1e-9), p)
	}
	assert.InDelta(t, 10, r.Level, 0.3)
	assert.InDelta(t, 0.8, r.Scale, 0.25) // mean |N(0,1)| ≈ 0.8
}

// newTailHist returns an empty histogram with its own storage.
func newTailHist() TailHist { return TailHist{Head: new(TailHead), High: new(TailHigh)} }

func TestTailHist(t *testing.T) {
	h := newTailHist()
	assert.Equal(t, 1.0, h.Tail(3, 1))
	g := GrowthForMemory(1000)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := 0; i < 5000; i++ {
		h.Add(math.Abs(rng.NormFloat64()), g)
	}
	assert.InDelta(t, 1000, h.Weight(), 50)
	p1, p2, p3 := h.Tail(0.5, 1), h.Tail(2, 1), h.Tail(3.5, 1)
	assert.Greater(t, p1, p2)
	assert.Greater(t, p2, p3)
	assert.InDelta(t, 0.62, p1, 0.1) // P(|Z| ≥ 0.5) ≈ 0.62
	assert.InDelta(t, 0.046, p2, 0.03)
	// Far beyond anything seen: smaller than the in-range floor.
	floor := 0.5 / (h.Weight() + 1)
	assert.Less(t, h.Tail(100, 1), floor)
	assert.Less(t, h.Tail(1000, 1), h.Tail(100, 1))
	// Lazy decay rescales without changing the estimates.
	for i := 0; i < 200000; i++ {
		h.Add(1, g)
	}
	assert.False(t, math.IsInf(float64(h.Head.W), 0) || math.IsNaN(float64(h.Head.Tot)))
	assert.InDelta(t, 1000, h.Weight(), 50)
}

func TestEnvelope(t *testing.T) {
	var e Envelope
	assert.Zero(t, e.Breakout(5))
	for _, x := range []float64{0, 10, 5} {
		e.Update(x, 5, 1)
	}
	assert.Zero(t, e.Breakout(7))
	assert.InDelta(t, 0.5, e.Breakout(15), 1e-12)
	assert.InDelta(t, -0.2, e.Breakout(-2), 1e-12)
	// Relaxes towards the reference.
	e.Update(5, 5, 0.5)
	assert.InDelta(t, 7.5, e.Hi, 1e-12)
	assert.InDelta(t, 2.5, e.Lo, 1e-12)
}

func TestTrend(t *testing.T) {
	var tr Trend
	t0 := int64(0)
	for i := 0; i < 500; i++ {
		ts := t0 + int64(i)*int64(time.Minute)
		tr.Update(ts, 10+0.5*float64(i), &TrendParams{LevelHL: 600, SlopeHL: 3600}, nil) // 0.5 per minute
	}
	assert.InEpsilon(t, 0.5/60, tr.Slope, 0.02)
	lvl := tr.Level
	assert.InEpsilon(t, (1000-lvl)/(0.5/60), tr.TimeTo(1000), 0.05)
	assert.True(t, math.IsInf(tr.TimeTo(0), 1), "moving away")
}

func TestSlotOf(t *testing.T) {
	// Thursday 1970-01-01 00:00 is week bucket 0; 12:15 is day bucket 24.
	s := SlotOf(int64(12*time.Hour + 15*time.Minute))
	assert.Equal(t, 24, s.Day)
	assert.Equal(t, 6, s.Week)
	s = SlotOf(-int64(time.Minute)) // before the epoch
	assert.Equal(t, DailyBuckets-1, s.Day)
	assert.Equal(t, WeeklyBuckets-1, s.Week)
}

func TestProfileChoosesModel(t *testing.T) {
	q := SeasonalParams{
		DayAlpha: 0.4, WeekAlpha: 0.4, Clip: 3, DailyGain: 0.6, WeeklyGain: 0.8,
		MinDaily: int64(24 * time.Hour), MinWeekly: int64(14 * 24 * time.Hour),
		ErrHalfLife: int64(8 * time.Hour), ErrHalfLifeL: int64(7 * 24 * time.Hour), AllowWeek: true,
	}
	step := int64(5 * time.Minute)
	rng := rand.New(rand.NewPCG(3, 3))
	run := func(days int, f func(ts int64) float64) (*Profile, Model) {
		var p Profile
		var m Model
		for ts := int64(0); ts < int64(days)*nsPerDay; ts += step {
			x := f(ts) + rng.NormFloat64()
			s := SlotOf(ts)
			m = p.Choose(ts, s, &q)
			p.Learn(ts, s, x, 1, 1e-9, &q, nil)
		}
		return &p, m
	}
	sine := func(ts int64) float64 {
		return 100 + 40*math.Sin(2*math.Pi*float64(ts%nsPerDay)/float64(nsPerDay))
	}
	p, m := run(5, sine)
	assert.Equal(t, ModelDaily, m)
	// The offset of 06:00 (sin = 1) is about +40.
	assert.InDelta(t, 40, p.Offset(ModelDaily, SlotOf(6*int64(time.Hour))), 5)

	_, m = run(5, func(int64) float64 { return 50 })
	assert.Equal(t, ModelFlat, m, "noise is not seasonal")

	// Sparse bursts are not a daily pattern either.
	_, m = run(5, func(ts int64) float64 {
		if rng.IntN(50) == 0 {
			return 500
		}
		return 0
	})
	assert.Equal(t, ModelFlat, m)

	weekend := func(ts int64) float64 {
		v := sine(ts)
		if d := (ts / nsPerDay) % 7; d == 2 || d == 3 { // epoch day 0 is a Thursday
			v -= 60
		}
		return v
	}
	_, m = run(35, weekend)
	require.Equal(t, ModelWeekly, m)
}

// TestProfileSlotCacheIsTransparent: where a bucket is kept (with the
// scalars or in its array) changes nothing a caller sees. A copy of the
// profile whose cache is moved elsewhere at every point — its buckets
// written back, another slot's loaded — must choose, offset and learn
// exactly as the profile itself, over weeks of a daily and weekly pattern
// with irregular steps.
func TestProfileSlotCacheIsTransparent(t *testing.T) {
	q := SeasonalParams{
		DayAlpha: 0.4, WeekAlpha: 0.4, Clip: 3, DailyGain: 0.6, WeeklyGain: 0.8,
		MinDaily: int64(24 * time.Hour), MinWeekly: int64(14 * 24 * time.Hour),
		ErrHalfLife: int64(8 * time.Hour), ErrHalfLifeL: int64(7 * 24 * time.Hour), AllowWeek: true,
	}
	rng := rand.New(rand.NewPCG(7, 7))
	var p, moved Profile
	for ts := int64(0); ts < 21*nsPerDay; ts += int64(1+rng.IntN(20)) * int64(time.Minute) {
		day := float64(ts%nsPerDay) / float64(nsPerDay)
		x := 100 + 40*math.Sin(2*math.Pi*day) + 10*float64(ts/nsPerDay%7) + rng.NormFloat64()
		s := SlotOf(ts)
		if moved.Init {
			moved.cache(SlotOf(ts + int64(rng.IntN(7))*nsPerDay/3))
		}
		for _, m := range []Model{ModelFlat, ModelDaily, ModelWeekly} {
			require.Equal(t, p.Offset(m, s), moved.Offset(m, s), "ts %d", ts)
		}
		require.Equal(t, p.BucketScale(s), moved.BucketScale(s))
		require.Equal(t, p.Choose(ts, s, &q), moved.Choose(ts, s, &q))
		p.Learn(ts, s, x, 1, 1e-9, &q, nil)
		moved.Learn(ts, s, x, 1, 1e-9, &q, nil)
		require.Equal(t, p.Ref, moved.Ref)
	}
	assert.Equal(t, ModelWeekly, p.Choose(21*nsPerDay, SlotOf(21*nsPerDay), &q), "the weekly buckets were learned")
}

// TestTailBucketMatchesFrexp checks the bit-level log2 against the
// definition through math.Frexp (z = m·2^e, m in [0.5, 1): e-1 + 2m-1),
// including bucket edges, the clamps and special values.
func TestTailBucketMatchesFrexp(t *testing.T) {
	ref := func(z float64) (int, float64) {
		if !(z > 0) {
			return 0, 0
		}
		m, e := math.Frexp(z)
		l := float64(e-1) + (2*m - 1) - tailMinLog2
		switch {
		case l < 0:
			return 0, 0
		case l >= TailBuckets-1:
			return TailBuckets - 1, 0
		}
		return int(l), l - float64(int(l))
	}
	zs := []float64{0, -1, math.NaN(), math.Inf(1), math.SmallestNonzeroFloat64, 1e-300, 0.125, 0.1249999, 1, 1.5, 3, 7.99, 1 << 27, 1 << 28, 1e12, math.MaxFloat64}
	rng := rand.New(rand.NewPCG(4, 4))
	for i := 0; i < 10000; i++ {
		zs = append(zs, math.Exp2(rng.Float64()*40-8))
	}
	for _, z := range zs {
		wk, wf := ref(z)
		gk, gf := tailBucket(z)
		require.Equal(t, wk, gk, "z=%v", z)
		require.Equal(t, wf, gf, "z=%v", z)
	}
}

// TestTailMatchesScan checks Tail, which visits only the buckets marked in
// Used, against the plain scan of all buckets it replaced (bit for bit),
// through rescales that underflow old buckets to zero.
func TestTailMatchesScan(t *testing.T) {
	scan := func(h TailHist, z, slope float64) float64 {
		if h.Head.W == 0 {
			return 1
		}
		k, frac := tailBucket(z)
		var above float64
		top := -1
		for j := TailBuckets - 1; j > k; j-- {
			c := float64(*h.c(j))
			if c > 0 && top < 0 {
				top = j
			}
			above += c
		}
		w := float64(h.Head.W)
		den := float64(h.Head.Tot) + w
		if top < 0 && *h.c(k) == 0 {
			for j := k - 1; j >= 0; j-- {
				if *h.c(j) > 0 {
					top = j
					break
				}
			}
			if top < 0 {
				return 1
			}
			return 0.5 * w / den * math.Exp2(-slope*(float64(k-top)+frac))
		}
		return (above + (1-frac)*float64(*h.c(k)) + 0.5*w) / den
	}
	h := newTailHist()
	g := GrowthForMemory(50) // rescales every ~3,500 samples
	rng := rand.New(rand.NewPCG(5, 5))
	emptied := false
	for i := 0; i < 40000; i++ {
		z := math.Exp2(rng.NormFloat64() * 3)
		if i > 20000 {
			z = 1 // old buckets decay away and underflow
		}
		for _, q := range []float64{z, z * 4, z / 4, 1e6, 0} {
			require.Equal(t, scan(h, q, 1), h.Tail(q, 1), "sample %d, z %v", i, q)
		}
		h.Add(z, g)
		require.True(t, h.Valid())
		emptied = emptied || (i > 20000 && bits.OnesCount32(h.Head.Used) == 1)
	}
	assert.True(t, emptied, "old buckets underflowed to zero")
}
