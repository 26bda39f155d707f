// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package loader

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// requireBPF skips when this process cannot load probes; CI runs as root.
func requireBPF(t testing.TB) {
	t.Helper()
	if err := Preflight(); err != nil {
		t.Skipf("cannot load BPF here: %v", err)
	}
}

func TestOpenEachMode(t *testing.T) {
	requireBPF(t)
	for _, tc := range []struct {
		name string
		opts Options
		want AttachMode
	}{
		{"auto", Options{}, AttachTPBTF},
		{"tp_btf per cpu", Options{Mode: AttachTPBTF, PerCPU: true}, AttachTPBTF},
		{"raw_tp per cgroup", Options{Mode: AttachRawTP, PerCgroup: true, MaxCgroups: 4}, AttachRawTP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Open(tc.opts)
			require.NoError(t, err)
			defer func() { require.NoError(t, p.Close()) }()
			require.Equal(t, tc.want, p.Mode())
			generateSwitches(200)
			s, err := p.Read()
			require.NoError(t, err)
			require.NotZero(t, s.Programs[ProgramSwitch].Events)
			require.NotZero(t, s.Programs[ProgramWakeup].Events)
			var n uint64
			for k, h := range s.RunQueueLatency {
				if !tc.opts.PerCPU {
					require.Equal(t, AnyCPU, k.CPU)
				}
				if !tc.opts.PerCgroup {
					require.Equal(t, NoCgroup, k.Cgroup)
				}
				for _, c := range h.Slots {
					n += c
				}
				n += h.Zero
			}
			require.NotZero(t, n, "no run-queue latency recorded")
			if tc.opts.PerCgroup {
				require.LessOrEqual(t, cgroupsIn(s), tc.opts.MaxCgroups+1)
			}
		})
	}
}

func cgroupsIn(s Snapshot) int {
	seen := map[uint64]bool{}
	for k := range s.OffCPU {
		seen[k.Cgroup] = true
	}
	return len(seen)
}

func TestAutoFallsBackToRawTP(t *testing.T) {
	requireBPF(t)
	p, err := Open(Options{failAttach: AttachTPBTF})
	require.NoError(t, err)
	defer func() { require.NoError(t, p.Close()) }()
	require.Equal(t, AttachRawTP, p.Mode())
	require.ErrorIs(t, p.FallbackReason(), errInjected)
	require.ErrorContains(t, p.FallbackReason(), "tp_btf: attaching sched_wakeup")
	generateSwitches(50)
	s, err := p.Read()
	require.NoError(t, err)
	require.NotZero(t, s.Programs[ProgramSwitch].Events, "the raw_tp programs are attached")
}

func TestNoModeWorksIsAnError(t *testing.T) {
	requireBPF(t)
	_, err := Open(Options{Mode: AttachRawTP, failAttach: AttachRawTP})
	require.ErrorIs(t, err, errInjected)
	require.NotErrorIs(t, err, ErrUnavailable, "a defect must not pass for a missing privilege")
	require.ErrorContains(t, err, "ebpf_sched: loading the probes: raw_tp: attaching")
}

func TestCloseIsIdempotent(t *testing.T) {
	requireBPF(t)
	p, err := Open(Options{})
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
}

func TestMissingCaps(t *testing.T) {
	const sysAdmin, perfmon, bpfCap = 1 << 21, 1 << 38, 1 << 39
	require.Empty(t, missingCaps(sysAdmin))
	require.Empty(t, missingCaps(bpfCap|perfmon))
	require.Equal(t, []string{"CAP_PERFMON"}, missingCaps(bpfCap))
	require.Equal(t, []string{"CAP_BPF", "CAP_PERFMON"}, missingCaps(0))
}

// generateSwitches makes n round trips through a pipe between two
// goroutines, each one a wakeup and a context switch at least.
func generateSwitches(n int) {
	r1, w1, _ := os.Pipe()
	r2, w2, _ := os.Pipe()
	defer func() { _ = errors.Join(r1.Close(), w1.Close(), r2.Close(), w2.Close()) }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1)
		for i := 0; i < n; i++ {
			_, _ = r1.Read(buf)
			_, _ = w2.Write(buf)
		}
	}()
	buf := make([]byte, 1)
	for i := 0; i < n; i++ {
		_, _ = w1.Write(buf)
		_, _ = r2.Read(buf)
	}
	<-done
	time.Sleep(10 * time.Millisecond)
}
