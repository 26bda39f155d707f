package baseline

import (
	"math"
	"math/bits"
)

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
//
// Used marks the non-empty buckets, so Tail adds only those (a statistic
// usually fills a handful of the 32 buckets) and finds the highest one
// without a scan; W, Tot and Used come first so they share a cache line
// with the low buckets, where most samples fall.
type TailHist struct {
	W    float32 // weight of the next sample; 0 means empty
	Tot  float32 // sum of C
	Used uint32  // bit k set when C[k] > 0
	C    [TailBuckets]float32
}

// tailBucket returns the bucket of z and the position inside it in [0, 1).
// It approximates log2 piecewise-linearly between powers of two (exact at
// bucket edges), which is monotone and cheap: for z = (1+f)·2^e it is e+f,
// read straight from the bits of z.
func tailBucket(z float64) (int, float64) {
	if !(z > 0) {
		return 0, 0
	}
	b := math.Float64bits(z)
	e := int(b>>52) - 1023 // z > 0: no sign bit; subnormals give l < 0 below
	f := float64(b&(1<<52-1)) / (1 << 52)
	l := float64(e) + f - tailMinLog2
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
	above := h.Used &^ (uint32(2)<<k - 1) // k = 31 gives 0: nothing above
	w := float64(h.W)
	den := float64(h.Tot) + w
	if above == 0 && h.C[k] == 0 {
		// Beyond everything seen: extrapolate from the highest bucket.
		below := h.Used & (uint32(1)<<k - 1)
		if below == 0 {
			return 1
		}
		top := bits.Len32(below) - 1
		return 0.5 * w / den * math.Exp2(-slope*(float64(k-top)+frac))
	}
	// Highest bucket first, the order the estimate has always been summed in.
	var sum float64
	for above != 0 {
		j := bits.Len32(above) - 1
		sum += float64(h.C[j])
		above &^= 1 << j
	}
	return (sum + (1-frac)*float64(h.C[k]) + 0.5*w) / den
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
	h.Used |= 1 << k
	h.W *= float32(growth)
	if h.W > 1e30 {
		inv := 1 / h.W
		for j := range h.C {
			h.C[j] *= inv
		}
		h.Tot *= inv
		h.W = 1
		h.Used = h.usedMask() // old counts may underflow to 0
	}
}

func (h *TailHist) usedMask() uint32 {
	var m uint32
	for j, c := range h.C {
		if c > 0 {
			m |= 1 << j
		}
	}
	return m
}

// Valid reports whether the histogram could have been built by Add: finite,
// non-negative counts and weights, and Used marking the non-empty buckets
// (for decoded snapshots).
func (h *TailHist) Valid() bool {
	for _, c := range h.C {
		if !(c >= 0 && c <= math.MaxFloat32) {
			return false
		}
	}
	return h.W >= 0 && h.W <= math.MaxFloat32 && h.Tot >= 0 && h.Tot <= math.MaxFloat32 && h.Used == h.usedMask()
}

// Migrate fills Used for a histogram decoded from a layout without it.
func (h *TailHist) Migrate() { h.Used = h.usedMask() }

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
