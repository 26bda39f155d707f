// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

//go:build !linux || !(386 || amd64 || arm || arm64 || loong64 || mips64le || mipsle || ppc64le || riscv64)

package loader // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"

import (
	"fmt"
	"runtime"
)

// Probe is never opened outside Linux.
type Probe struct{}

// Open always fails: eBPF scheduler tracepoints exist only on Linux, and the
// committed object only for little-endian CPUs.
func Open(Options) (*Probe, error) {
	what := "linux only"
	if runtime.GOOS == "linux" {
		what = "little-endian CPUs only (the BPF object is built for bpfel)"
	}
	return nil, fmt.Errorf("%w: %s, this collector runs on %s/%s; remove the ebpf_sched receiver from this configuration",
		ErrUnavailable, what, runtime.GOOS, runtime.GOARCH)
}

// Mode is never reached.
func (*Probe) Mode() AttachMode { return AttachAuto }

// FallbackReason is never reached.
func (*Probe) FallbackReason() error { return nil }

// Read is never reached.
func (*Probe) Read() (Snapshot, error) { return Snapshot{}, nil }

// Forget is never reached.
func (*Probe) Forget([]uint64) error { return nil }

// Close is never reached.
func (*Probe) Close() error { return nil }
