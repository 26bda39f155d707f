package baseline

import "math"

// TailBuckets is the number of log2 buckets of a TailHist.
const TailBuckets = 32

// tailMinLog2 is log2 of the lower edge of bucket 1; smaller values share
// bucket 0. Bucket k covers [2^(k-1+tailMinLog2), 2^(k+tailMinLog2)).
const tailMinLog2 = -3

// TailHist is an exponentially decayed histogram of a non-negative statistic
// on a log2 scale. Tail turns a new value into an estimate of how often values
// at least this large were seen recently, which calibrates any statistic
// against the series' own history: a spike in a series that spikes every hour
// is not rare, the same spike in a quiet series is.
//
// Decay is lazy: each sample is added with a weight that grows geometrically
// (W), which is the same as shrinking all older counts, and the counts are
// rescaled only when W gets large. Counts are float32 to keep the state small.
type TailHist struct {
	C   [TailBuckets]float32
	W   float32 // weight of the next sample; 0 means empty
	Tot float32 // sum of C
}

// tailBucket returns the bucket of z and the position inside it in [0, 1).
// It approximates log2 piecewise-linearly between powers of two (exact at
// bucket edges), which is monotone and cheap.
func tailBucket(z float64) (int, float64) {
	if !(z > 0) {
		return 0, 0
	}
	m, e := math.Frexp(z) // z = m·2^e, m in [0.5, 1)
	l := float64(e-1) + (2*m - 1) - tailMinLog2
	if l < 0 {
		return 0, 0
	}
	if l >= TailBuckets-1 {
		return TailBuckets - 1, 0
	}
	k := int(l)
	return k, l - float64(k)
}

// Tail estimates P(Z ≥ z) under the decayed history. The estimate never goes
// below half a sample's share (0.5·W/(Tot+W)) inside the observed range;
// beyond the largest value seen it keeps falling by a factor 2^slope per
// doubling of z (a Pareto-like tail), so "far above anything seen" ranks
// above "just above". An empty histogram returns 1.
func (h *TailHist) Tail(z, slope float64) float64 {
	if h.W == 0 {
		return 1
	}
	k, frac := tailBucket(z)
	var above float64
	top := -1
	for j := TailBuckets - 1; j > k; j-- {
		c := float64(h.C[j])
		if c > 0 && top < 0 {
			top = j
		}
		above += c
	}
	w := float64(h.W)
	den := float64(h.Tot) + w
	if top < 0 && h.C[k] == 0 {
		// Beyond everything seen: extrapolate from the highest bucket.
		for j := k - 1; j >= 0; j-- {
			if h.C[j] > 0 {
				top = j
				break
			}
		}
		if top < 0 {
			return 1
		}
		return 0.5 * w / den * math.Exp2(-slope*(float64(k-top)+frac))
	}
	return (above + (1-frac)*float64(h.C[k]) + 0.5*w) / den
}

// Add records z; growth = 1/(1-1/n) gives an effective memory of about n
// samples.
func (h *TailHist) Add(z, growth float64) {
	if h.W == 0 {
		h.W = 1
	}
	k, _ := tailBucket(z)
	h.C[k] += h.W
	h.Tot += h.W
	h.W *= float32(growth)
	if h.W > 1e30 {
		inv := 1 / h.W
		for j := range h.C {
			h.C[j] *= inv
		}
		h.Tot *= inv
		h.W = 1
	}
}

// Weight is the effective number of samples the histogram holds.
func (h *TailHist) Weight() float64 {
	if h.W == 0 {
		return 0
	}
	return float64(h.Tot / h.W)
}

// GrowthForMemory returns the per-sample weight growth for an effective
// memory of n samples.
func GrowthForMemory(n float64) float64 {
	if n <= 1 {
		return 2
	}
	return 1 / (1 - 1/n)
}
