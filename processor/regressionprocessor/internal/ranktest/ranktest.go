// Package ranktest compares two samples without assuming a distribution: the
// Mann–Whitney U test with its effect size (Cliff's delta) and the medians.
// It is the statistics of the post-change detector and of the canary
// comparison; it imports no collector package and allocates nothing for
// samples up to MaxSample values each.
package ranktest

import (
	"math"
	"slices"
)

// MaxSample is the largest sample compared without allocating.
const MaxSample = 128

// Result is the outcome of comparing sample b against sample a.
type Result struct {
	// P is the two-sided p-value of the Mann–Whitney U test (normal
	// approximation with tie and continuity corrections).
	P float64
	// Delta is Cliff's delta, P(b > a) − P(b < a) in [−1, 1]: positive when
	// b tends to be larger.
	Delta float64
	// MedianA and MedianB are the medians of the samples.
	MedianA, MedianB float64
}

// RelChange is (MedianB − MedianA) / |MedianA|: +0.3 when b's median is 30 %
// above a's. When MedianA is 0 it is the change relative to the larger
// magnitude of the two, so it stays finite.
func (r Result) RelChange() float64 {
	d := r.MedianB - r.MedianA
	den := math.Abs(r.MedianA)
	if den == 0 {
		den = math.Abs(r.MedianB)
	}
	if den == 0 {
		return 0
	}
	return d / den
}

// Sample is the element type of a sample: the detectors keep float32
// windows, the canary comparison float64 ones. Values are compared as they
// are, without conversion.
type Sample interface{ ~float32 | ~float64 }

type obs[T Sample] struct {
	v     T
	fromB bool
}

// Compare tests b against a. An empty sample gives P = 1 and Delta = 0.
func Compare[T Sample](a, b []T) Result {
	r := Result{P: 1, MedianA: median(a), MedianB: median(b)}
	if len(a) == 0 || len(b) == 0 {
		return r
	}
	var buf [2 * MaxSample]obs[T]
	all := buf[:0]
	if len(a)+len(b) > len(buf) {
		all = make([]obs[T], 0, len(a)+len(b))
	}
	for _, v := range a {
		all = append(all, obs[T]{v, false})
	}
	for _, v := range b {
		all = append(all, obs[T]{v, true})
	}
	slices.SortFunc(all, func(x, y obs[T]) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	rb, ties := rankSumB(all)
	f1, f2 := float64(len(a)), float64(len(b))
	ub := rb - f2*(f2+1)/2 // pairs where b > a, ties count half
	r.Delta = 2*ub/(f1*f2) - 1
	nn := f1 + f2
	sigma2 := f1 * f2 / 12 * ((nn + 1) - ties/(nn*(nn-1)))
	if sigma2 <= 0 {
		return r // every value equal
	}
	z := max(0, (math.Abs(ub-f1*f2/2)-0.5)/math.Sqrt(sigma2))
	r.P = math.Erfc(z / math.Sqrt2)
	return r
}

// rankSumB returns the sum of b's mid-ranks in the sorted pooled sample and
// the tie term Σ(t³ − t) of the variance.
func rankSumB[T Sample](all []obs[T]) (rb, ties float64) {
	n := len(all)
	for i := 0; i < n; {
		j := i + 1
		for j < n && all[j].v == all[i].v {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if all[k].fromB {
				rb += mid
			}
		}
		if t := float64(j - i); t > 1 {
			ties += t*t*t - t
		}
		i = j
	}
	return rb, ties
}

// median returns the median of v (0 when empty); it sorts a copy.
func median[T Sample](v []T) float64 {
	var buf [MaxSample]T
	s := buf[:0]
	if len(v) > len(buf) {
		s = make([]T, 0, len(v))
	}
	s = append(s, v...)
	slices.Sort(s)
	n := len(s)
	switch {
	case n == 0:
		return 0
	case n%2 == 1:
		return float64(s[n/2])
	}
	return float64(s[n/2-1])/2 + float64(s[n/2])/2 // no overflow near ±MaxFloat64
}
