// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

// Package histogram converts the kernel's log2 histograms into the bucket
// layout of an OTLP exponential histogram. It is pure Go and runs anywhere.
//
// The kernel slot s counts values v with 2^(s-1) < v <= 2^s. An OTLP
// exponential histogram at scale 0 has base 2 and bucket index i covering
// (2^i, 2^(i+1)], so slot s is exactly bucket index s-1: the conversion
// loses nothing and needs no interpolation.
package histogram // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/histogram"

// Scale is the OTLP exponential-histogram scale the kernel slots map onto.
const Scale = 0

// Exponential is a histogram in OTLP exponential layout (positive range only:
// durations are never negative).
type Exponential struct {
	Offset    int32    // bucket index of Counts[0]
	Counts    []uint64 // trimmed of leading and trailing empty buckets
	ZeroCount uint64
	Count     uint64 // ZeroCount + sum of Counts
	Sum       uint64 // in the unit of the recorded values (ns)
}

// FromSlots converts kernel slots. sum is carried over as recorded.
func FromSlots(slots []uint64, zero, sum uint64) Exponential {
	e := Exponential{ZeroCount: zero, Count: zero, Sum: sum}
	first, last := -1, -1
	for s, c := range slots {
		if c == 0 {
			continue
		}
		if first < 0 {
			first = s
		}
		last = s
		e.Count += c
	}
	if first < 0 {
		return e
	}
	e.Offset = int32(first) - 1
	e.Counts = append([]uint64(nil), slots[first:last+1]...)
	return e
}
