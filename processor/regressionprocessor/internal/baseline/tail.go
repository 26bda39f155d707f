package baseline

import (
	"math"
	"math/bits"
)

// TailBuckets is the number of log2 buckets of a TailHist.
const TailBuckets = 32

// tailMinLog2 is where the log2 scale starts: bucket k ≥ 1 covers
// [2^(k+tailMinLog2), 2^(k+1+tailMinLog2)), bucket 0 everything below.
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
// without a scan.
//
// A TailHist is a view of storage its owner keeps in two parts: the head
// (weights, Used and the low buckets, 32 bytes), which every sample of a
// calibrated statistic touches, and the upper buckets, which only rare
// values and Tail read. The owner can then keep heads among its other
// per-point fields and the upper buckets with its cold data (one cache line
// per sample instead of up to three).
type TailHist struct {
	Head *TailHead
	High *TailHigh
}

// TailLow is the number of buckets in a TailHead: values below
// 2^(TailLow+tailMinLog2) = 4, where nearly all samples of a statistic
// measured in robust scales fall.
const TailLow = 5

// TailHead is the part of a TailHist that every sample touches.
type TailHead struct {
	W    float32 // weight of the next sample; 0 means empty
	Tot  float32 // sum of all counts
	Used uint32  // bit k set when bucket k is not empty
	Low  [TailLow]float32
}

// TailHigh holds the upper buckets of a TailHist.
type TailHigh [TailBuckets - TailLow]float32

// c returns bucket k.
func (h TailHist) c(k int) *float32 {
	if k < TailLow {
		return &h.Head.Low[k]
	}
	return &h.High[k-TailLow]
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
func (h TailHist) Tail(z, slope float64) float64 {
	hd := h.Head
	if hd.W == 0 {
		return 1
	}
	k, frac := tailBucket(z)
	above := hd.Used &^ (uint32(2)<<k - 1) // k = 31 gives 0: nothing above
	w := float64(hd.W)
	den := float64(hd.Tot) + w
	ck := float64(*h.c(k))
	if above == 0 && ck == 0 {
		// Beyond everything seen: extrapolate from the highest bucket.
		below := hd.Used & (uint32(1)<<k - 1)
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
		sum += float64(*h.c(j))
		above &^= 1 << j
	}
	return (sum + (1-frac)*ck + 0.5*w) / den
}

// Add records z; growth = 1/(1-1/n) gives an effective memory of about n
// samples.
func (h TailHist) Add(z, growth float64) {
	hd := h.Head
	if hd.W == 0 {
		hd.W = 1
	}
	k, _ := tailBucket(z)
	*h.c(k) += hd.W
	hd.Tot += hd.W
	hd.Used |= 1 << k
	hd.W *= float32(growth)
	if hd.W > 1e30 {
		inv := 1 / hd.W
		for j := range TailBuckets {
			*h.c(j) *= inv
		}
		hd.Tot *= inv
		hd.W = 1
		hd.Used = h.usedMask() // old counts may underflow to 0
	}
}

func (h TailHist) usedMask() uint32 {
	var m uint32
	for j := range TailBuckets {
		if *h.c(j) > 0 {
			m |= 1 << j
		}
	}
	return m
}

// Valid reports whether the histogram could have been built by Add: finite,
// non-negative counts and weights, and Used marking the non-empty buckets
// (for decoded snapshots).
func (h TailHist) Valid() bool {
	for j := range TailBuckets {
		if c := *h.c(j); !(c >= 0 && c <= math.MaxFloat32) {
			return false
		}
	}
	hd := h.Head
	return hd.W >= 0 && hd.W <= math.MaxFloat32 && hd.Tot >= 0 && hd.Tot <= math.MaxFloat32 && hd.Used == h.usedMask()
}

// Weight is the effective number of samples the histogram holds.
func (h TailHist) Weight() float64 {
	if h.Head.W == 0 {
		return 0
	}
	return float64(h.Head.Tot / h.Head.W)
}

// GrowthForMemory returns the per-sample weight growth for an effective
// memory of n samples.
func GrowthForMemory(n float64) float64 {
	if n <= 1 {
		return 2
	}
	return 1 / (1 - 1/n)
}
