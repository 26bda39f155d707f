package ranktest

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func seq(n int, f func(i int) float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func TestCompare(t *testing.T) {
	noise := func(i int) float64 { return float64((i*7919)%11) - 5 }
	tests := []struct {
		name      string
		a, b      []float64
		maxP      float64 // P must be at most this…
		minP      float64 // …and at least this
		delta     float64
		relChange float64
	}{
		{
			name: "separated: b all larger",
			a:    seq(20, func(i int) float64 { return float64(i) }),
			b:    seq(20, func(i int) float64 { return float64(100 + i) }),
			maxP: 1e-6, delta: 1, relChange: 100 / 9.5,
		},
		{
			name: "30 % slower with noise",
			a:    seq(20, func(i int) float64 { return 100 + noise(i) }),
			b:    seq(20, func(i int) float64 { return 130 + noise(i+3) }),
			maxP: 1e-6, delta: 1, relChange: 0.3,
		},
		{
			name: "same values in another order",
			a:    seq(22, func(i int) float64 { return 100 + noise(i) }),
			b:    seq(22, func(i int) float64 { return 100 + noise(i+5) }),
			maxP: 1, minP: 0.5, delta: 0, relChange: 0,
		},
		{
			name: "all equal",
			a:    seq(10, func(int) float64 { return 3 }),
			b:    seq(10, func(int) float64 { return 3 }),
			maxP: 1, minP: 1, delta: 0, relChange: 0,
		},
		{
			name: "empty b",
			a:    seq(10, func(i int) float64 { return float64(i) }),
			maxP: 1, minP: 1, delta: 0, relChange: -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compare(tt.a, tt.b)
			assert.LessOrEqual(t, r.P, tt.maxP)
			assert.GreaterOrEqual(t, r.P, tt.minP)
			assert.InDelta(t, tt.delta, r.Delta, 0.05)
			assert.InDelta(t, tt.relChange, r.RelChange(), 0.02)
		})
	}
}

// TestCompareIsAntisymmetric: swapping the samples flips delta and keeps P.
func TestCompareIsAntisymmetric(t *testing.T) {
	a := seq(15, func(i int) float64 { return float64(i % 7) })
	b := seq(25, func(i int) float64 { return float64(i%5) + 1.5 })
	ab, ba := Compare(a, b), Compare(b, a)
	assert.InDelta(t, ab.P, ba.P, 1e-12)
	assert.InDelta(t, -ab.Delta, ba.Delta, 1e-12)
	assert.Greater(t, ab.Delta, 0.0)
}

// TestCompareKnownValue checks the normal approximation against a value
// computed by hand: a = 1..5, b = 6..10, U_b = 25, μ = 12.5, σ² = 22.92,
// z = (12.5 − 0.5)/4.787 = 2.507, p = 0.0122.
func TestCompareKnownValue(t *testing.T) {
	r := Compare([]float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10})
	assert.InDelta(t, 0.0122, r.P, 0.0005)
	assert.Equal(t, 1.0, r.Delta)
	assert.Equal(t, 3.0, r.MedianA)
	assert.Equal(t, 8.0, r.MedianB)
}

func TestCompareLargeSamplesAllocate(t *testing.T) {
	a := seq(MaxSample+10, func(i int) float64 { return float64(i) })
	b := seq(MaxSample+10, func(i int) float64 { return float64(i) + 0.5 })
	r := Compare(a, b)
	assert.False(t, math.IsNaN(r.P))
	assert.Greater(t, r.P, 0.5)
}

func TestCompareAllocatesNothing(t *testing.T) {
	a := seq(40, func(i int) float64 { return float64(i) })
	b := seq(40, func(i int) float64 { return float64(i) * 1.1 })
	assert.Zero(t, testing.AllocsPerRun(100, func() { Compare(a, b) }))
}

func BenchmarkCompare(b *testing.B) {
	x := seq(20, func(i int) float64 { return float64((i * 7) % 13) })
	y := seq(20, func(i int) float64 { return float64((i*5)%11) + 2 })
	b.ReportAllocs()
	for b.Loop() {
		Compare(x, y)
	}
}

// TestCompareHugeValues: medians of values near ±MaxFloat64 stay finite.
func TestCompareHugeValues(t *testing.T) {
	r := Compare([]float64{math.MaxFloat64, math.MaxFloat64}, []float64{-math.MaxFloat64, -math.MaxFloat64})
	assert.Equal(t, math.MaxFloat64, r.MedianA)
	assert.Equal(t, -math.MaxFloat64, r.MedianB)
	assert.False(t, math.IsNaN(r.RelChange()))
}

// TestCompareFloat32 covers the detectors' float32 windows: the same verdicts,
// exact medians, no allocation.
func TestCompareFloat32(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	b := []float32{11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	r := Compare(a, b)
	assert.Less(t, r.P, 0.001)
	assert.InDelta(t, 1, r.Delta, 1e-9)
	assert.Equal(t, 5.5, r.MedianA)
	assert.Equal(t, 15.5, r.MedianB)
	assert.Equal(t, Compare(toFloat64(a), toFloat64(b)), r, "float32 and float64 samples of the same values agree")
	assert.Equal(t, 1.0, Compare([]float32{1, 1, 1}, []float32{1, 1, 1}).P)
	assert.Zero(t, testing.AllocsPerRun(100, func() { Compare(a, b) }))
}

func toFloat64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
