// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// hist is an exponential histogram data point at scale 0, in plain values.
type hist struct {
	offset int32
	counts []uint64
	zero   uint64
	count  uint64
	sum    float64
}

func histOf(t *testing.T, md pmetric.Metrics, cgroupPath, name string) hist {
	t.Helper()
	for _, rm := range md.ResourceMetrics().All() {
		if p, ok := rm.Resource().Attributes().Get("aiops.cgroup.path"); !ok || p.Str() != cgroupPath {
			continue
		}
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			if m.Name() != name {
				continue
			}
			dp := m.ExponentialHistogram().DataPoints().At(0)
			require.Equal(t, int32(0), dp.Scale())
			return hist{
				offset: dp.Positive().Offset(), counts: dp.Positive().BucketCounts().AsRaw(),
				zero: dp.ZeroCount(), count: dp.Count(), sum: dp.Sum(),
			}
		}
	}
	return hist{}
}

func switchesOf(t *testing.T, md pmetric.Metrics, cgroupPath string) (vol, invol int64) {
	t.Helper()
	for _, rm := range md.ResourceMetrics().All() {
		if p, ok := rm.Resource().Attributes().Get("aiops.cgroup.path"); !ok || p.Str() != cgroupPath {
			continue
		}
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			if m.Name() != metricSwitches {
				continue
			}
			for _, dp := range m.Sum().DataPoints().All() {
				typ, _ := dp.Attributes().Get(attrSwitchType)
				if typ.Str() == "voluntary" {
					vol += dp.IntValue()
				} else {
					invol += dp.IntValue()
				}
			}
		}
	}
	return vol, invol
}

// bucketCount returns the count of bucket index i.
func (h hist) bucketCount(i int32) uint64 {
	if i < h.offset || int(i-h.offset) >= len(h.counts) {
		return 0
	}
	return h.counts[i-h.offset]
}

// minus returns the histogram of what was recorded between prev and h.
func (h hist) minus(prev hist) hist {
	d := hist{offset: min(h.offset, prev.offset), zero: h.zero - prev.zero, count: h.count - prev.count, sum: h.sum - prev.sum}
	if len(prev.counts) == 0 {
		d.offset = h.offset
	}
	for i := d.offset; i < h.offset+int32(len(h.counts)); i++ {
		d.counts = append(d.counts, h.bucketCount(i)-prev.bucketCount(i))
	}
	return d
}

func (h hist) mean() float64 {
	if h.count == 0 {
		return 0
	}
	return h.sum / float64(h.count)
}

// quantile is the upper bound of the bucket holding the q-quantile.
func (h hist) quantile(q float64) float64 {
	rank := uint64(q * float64(h.count))
	seen := h.zero
	for j, c := range h.counts {
		seen += c
		if seen >= rank && c > 0 {
			return upper(h.offset + int32(j))
		}
	}
	return 0
}

func upper(i int32) float64 { return float64(uint64(1) << uint(i+1)) }

// sumWithinBuckets checks that the sum lies between what the buckets allow:
// every value v of bucket i satisfies 2^i < v <= 2^(i+1).
func (h hist) sumWithinBuckets() bool {
	var lo, hi float64
	for j, c := range h.counts {
		i := h.offset + int32(j)
		lo += float64(c) * upper(i) / 2
		hi += float64(c) * upper(i)
	}
	return h.sum >= lo && h.sum <= hi
}
