package detector

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// t0 is an arbitrary Monday 00:00 UTC.
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()

const step = int64(5 * time.Minute)

// series generates n points, one per step, value f(i) plus Gaussian noise of
// the given standard deviation, with a fixed seed.
func series(n int, noise float64, f func(i int) float64) []Point {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]Point, n)
	for i := range out {
		out[i] = Point{Time: t0 + int64(i)*step, Value: f(i) + noise*r.NormFloat64()}
	}
	return out
}

func run(t testing.TB, m *Model, pts []Point) []Verdict {
	t.Helper()
	var st State
	out := make([]Verdict, len(pts))
	for i, p := range pts {
		out[i] = m.Observe(&st, p)
	}
	return out
}

// opens returns the indexes where an anomaly opened.
func opens(vs []Verdict) []int {
	var idx []int
	for i, v := range vs {
		if v.Decision == DecisionOpen {
			idx = append(idx, i)
		}
	}
	return idx
}

// opensIn returns the opens in [from, to).
func opensIn(vs []Verdict, from, to int) []int {
	var idx []int
	for _, i := range opens(vs) {
		if i >= from && i < to {
			idx = append(idx, i)
		}
	}
	return idx
}

func constant(c float64) func(int) float64 { return func(int) float64 { return c } }

func daily(i int) float64 {
	h := float64((int64(i)*step)%int64(24*time.Hour)) / float64(time.Hour)
	return 100 + 50*math.Sin(2*math.Pi*h/24)
}
