// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package histogram

import (
	"math"
	"math/bits"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const nslots = 64

// slotOf is the Go twin of slot_of in sched.bpf.c: ceil(log2(v)) for v >= 1,
// clamped to the last slot.
func slotOf(v uint64) int {
	if v <= 1 {
		return 0
	}
	return min(bits.Len64(v-1), nslots-1)
}

// otlpIndex is the bucket index the OTLP spec assigns to v at scale 0:
// the i with 2^i < v <= 2^(i+1).
func otlpIndex(v uint64) int32 {
	return int32(math.Ceil(math.Log2(float64(v)))) - 1
}

func TestSlotMatchesOTLPIndex(t *testing.T) {
	values := []uint64{1, 2, 3, 4, 5, 7, 8, 9, 1000, 1023, 1024, 1025, 1 << 20, 1<<20 + 1, 1<<40 - 1, 1 << 40}
	for _, v := range values {
		e := FromSlots(record(v), 0, v)
		require.Len(t, e.Counts, 1, "v=%d", v)
		assert.Equal(t, otlpIndex(v), e.Offset, "v=%d", v)
		lo, hi := math.Ldexp(1, int(e.Offset)), math.Ldexp(1, int(e.Offset)+1)
		assert.True(t, float64(v) > lo && float64(v) <= hi, "v=%d not in (%v, %v]", v, lo, hi)
	}
}

func TestSlotClamps(t *testing.T) {
	assert.Equal(t, nslots-1, slotOf(math.MaxUint64))
	assert.Equal(t, nslots-1, slotOf(1<<63))
	assert.Equal(t, nslots-2, slotOf(1<<62))
}

func record(vs ...uint64) []uint64 {
	slots := make([]uint64, nslots)
	for _, v := range vs {
		slots[slotOf(v)]++
	}
	return slots
}

func TestFromSlots(t *testing.T) {
	for _, tc := range []struct {
		name  string
		slots []uint64
		zero  uint64
		sum   uint64
		want  Exponential
	}{
		{name: "empty", slots: make([]uint64, nslots), want: Exponential{}},
		{name: "zeros only", slots: make([]uint64, nslots), zero: 3, want: Exponential{ZeroCount: 3, Count: 3}},
		{
			name:  "trimmed both ends",
			slots: record(3, 4, 100, 100, 1000),
			zero:  1,
			sum:   1207,
			// 3,4 -> slot 2 (index 1); 100 -> slot 7 (index 6); 1000 -> slot 10 (index 9)
			want: Exponential{Offset: 1, Counts: []uint64{2, 0, 0, 0, 0, 2, 0, 0, 1}, ZeroCount: 1, Count: 6, Sum: 1207},
		},
		{
			name:  "value one is index -1",
			slots: record(1, 2),
			sum:   3,
			want:  Exponential{Offset: -1, Counts: []uint64{1, 1}, Count: 2, Sum: 3},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, FromSlots(tc.slots, tc.zero, tc.sum))
		})
	}
}

func TestFromSlotsDoesNotAlias(t *testing.T) {
	slots := record(5)
	e := FromSlots(slots, 0, 5)
	slots[slotOf(5)] = 99
	assert.Equal(t, []uint64{1}, e.Counts)
}

func BenchmarkFromSlots(b *testing.B) {
	slots := record(10_000, 20_000, 50_000, 1_000_000, 3_000_000)
	b.ReportAllocs()
	for b.Loop() {
		_ = FromSlots(slots, 0, 0)
	}
}

// FuzzFromSlots checks the invariants of any kernel reading: the count is the
// zero count plus the buckets, nothing is lost by trimming, and the buckets
// start at the first non-empty slot.
func FuzzFromSlots(f *testing.F) {
	f.Add([]byte{0, 3, 0, 0, 7}, uint64(2), uint64(100))
	f.Add([]byte{}, uint64(0), uint64(0))
	f.Fuzz(func(t *testing.T, raw []byte, zero, sum uint64) {
		slots := make([]uint64, nslots)
		var total uint64
		for i, b := range raw {
			slots[i%nslots] += uint64(b)
			total += uint64(b)
		}
		e := FromSlots(slots, zero, sum)
		require.Equal(t, zero+total, e.Count)
		require.Equal(t, sum, e.Sum)
		var inBuckets uint64
		for _, c := range e.Counts {
			inBuckets += c
		}
		require.Equal(t, total, inBuckets)
		if len(e.Counts) > 0 {
			require.NotZero(t, e.Counts[0])
			require.NotZero(t, e.Counts[len(e.Counts)-1])
			require.Equal(t, e.Counts[0], slots[e.Offset+1])
		}
	})
}
