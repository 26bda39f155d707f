package detector

import (
	"math"
	"slices"
)

// mannWhitney compares two samples with the Mann–Whitney U test (normal
// approximation with tie correction, continuity corrected). It returns the
// two-sided p-value and Cliff's delta = P(b > a) - P(b < a) in [-1, 1],
// positive when b tends to be larger. a and b must not both be empty. It
// allocates nothing for samples up to MaxDeployWindow each.
func mannWhitney(a, b []float32) (p, delta float64) {
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return 1, 0
	}
	type obs struct {
		v     float32
		fromB bool
	}
	var buf [2 * MaxDeployWindow]obs
	all := buf[:0]
	if n1+n2 > len(buf) {
		all = make([]obs, 0, n1+n2)
	}
	for _, v := range a {
		all = append(all, obs{v, false})
	}
	for _, v := range b {
		all = append(all, obs{v, true})
	}
	slices.SortFunc(all, func(x, y obs) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	// Rank sum of b with mid-ranks for ties; tie term for the variance.
	var rb, ties float64
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
	f1, f2 := float64(n1), float64(n2)
	ub := rb - f2*(f2+1)/2 // pairs where b > a (ties count half)
	delta = 2*ub/(f1*f2) - 1
	mu := f1 * f2 / 2
	nn := f1 + f2
	sigma2 := f1 * f2 / 12 * ((nn + 1) - ties/(nn*(nn-1)))
	if sigma2 <= 0 {
		return 1, delta // all values equal
	}
	z := (math.Abs(ub-mu) - 0.5) / math.Sqrt(sigma2)
	if z < 0 {
		z = 0
	}
	return math.Erfc(z / math.Sqrt2), delta
}

// median32 returns the median of v; it sorts a copy on the stack.
func median32(v []float32) float64 {
	var buf [MaxDeployWindow]float32
	s := buf[:0]
	if len(v) > len(buf) {
		s = make([]float32, 0, len(v))
	}
	s = append(s, v...)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return (float64(s[n/2-1]) + float64(s[n/2])) / 2
}
