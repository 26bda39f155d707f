//go:build !unix

package engine

import "time"

// processCPU is not measured on this platform; benchmarks then omit the
// per-CPU-second figures.
func processCPU() time.Duration { return 0 }
