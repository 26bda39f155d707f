// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"golang.org/x/sys/unix"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"
)

func TestEndToEnd(t *testing.T) {
	requireRootBPF(t)
	for _, mode := range []loader.AttachMode{loader.AttachAuto, loader.AttachRawTP} {
		t.Run(mode.String(), func(t *testing.T) { runContention(t, mode) })
	}
}

// runContention measures a sleeping probe process in its own cgroup, first
// alone, then next to more spinning processes than CPUs.
func runContention(t *testing.T, mode loader.AttachMode) {
	root := cgroup2Root(t)
	probeCg := makeCgroup(t, root, "probe")
	spinCg := makeCgroup(t, root, "spin")

	cfg := createDefaultConfig().(*Config)
	cfg.PerCgroup = true
	s := newTestScraper(t, cfg)
	s.mode = mode
	require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, s.shutdown(context.Background())) }()
	wantMode := mode
	if mode == loader.AttachAuto {
		wantMode = loader.AttachTPBTF
	}
	require.Equal(t, wantMode, s.probe.Mode())

	startHelper(t, "sleep", probeCg)
	time.Sleep(200 * time.Millisecond) // let the probe settle
	before := scrapeNow(t, s)
	time.Sleep(1500 * time.Millisecond)
	idle := scrapeNow(t, s)
	// More spinners than CPUs, all on the probe's CPU.
	for range runtime.NumCPU() + 2 {
		startHelper(t, "spin", spinCg)
	}
	time.Sleep(1500 * time.Millisecond)
	busy := scrapeNow(t, s)

	probePath := "/" + filepath.Base(filepath.Dir(probeCg)) + "/probe"
	spinPath := "/" + filepath.Base(filepath.Dir(spinCg)) + "/spin"
	idleRunq := histOf(t, idle, probePath, metricRunQueueLatency).minus(histOf(t, before, probePath, metricRunQueueLatency))
	busyRunq := histOf(t, busy, probePath, metricRunQueueLatency).minus(histOf(t, idle, probePath, metricRunQueueLatency))
	t.Logf("probe run-queue latency: idle n=%d mean=%.0fns p90<=%.0fns p99<=%.0fns; contention n=%d mean=%.0fns p90<=%.0fns p99<=%.0fns",
		idleRunq.count, idleRunq.mean(), idleRunq.quantile(0.9), idleRunq.quantile(0.99),
		busyRunq.count, busyRunq.mean(), busyRunq.quantile(0.9), busyRunq.quantile(0.99))

	require.NotZero(t, idleRunq.count, "no run-queue latency in the idle phase")
	require.NotZero(t, busyRunq.count, "no run-queue latency in the contention phase")
	// p99, not p90: a waking sleeper is often placed ahead of the spinners,
	// so contention shows in the tail (and the mean), while the "idle" phase's
	// p90 carries whatever else runs on the machine (a shared CI host).
	assert.GreaterOrEqual(t, busyRunq.quantile(0.99), idleRunq.quantile(0.99))
	assert.Greater(t, busyRunq.mean(), 2*idleRunq.mean(), "contention must clearly raise the mean")
	for _, h := range []hist{idleRunq, busyRunq} {
		assert.True(t, h.sumWithinBuckets(), "sum %v not consistent with buckets %+v", h.sum, h)
	}

	offcpu := histOf(t, busy, probePath, metricOffCPU)
	assert.NotZero(t, offcpu.count)
	// Most off-CPU periods are the 1 ms sleeps (a few are preemptions).
	assert.GreaterOrEqual(t, offcpu.quantile(0.5), float64(time.Millisecond), "the probe sleeps 1 ms at a time")

	vol, invol := switchesOf(t, busy, spinPath)
	assert.NotZero(t, invol, "spinners must be preempted")
	pvol, _ := switchesOf(t, busy, probePath)
	assert.NotZero(t, pvol, "the sleeping probe blocks voluntarily")
	t.Logf("spinners: %d voluntary, %d involuntary switches", vol, invol)
}

// TestSwitchesMatchKernelAccounting compares the voluntary / involuntary
// split with the kernel's own per-thread nvcsw / nivcsw of the same tasks: a
// sleeper and a spinner sharing CPU 0 in a cgroup of their own, started after
// the probes attached and frozen (SIGSTOP) before both are read.
func TestSwitchesMatchKernelAccounting(t *testing.T) {
	requireRootBPF(t)
	for _, mode := range []loader.AttachMode{loader.AttachTPBTF, loader.AttachRawTP} {
		t.Run(mode.String(), func(t *testing.T) { compareSwitches(t, mode) })
	}
}

func compareSwitches(t *testing.T, mode loader.AttachMode) {
	cg := makeCgroup(t, cgroup2Root(t), "accounting")
	cfg := createDefaultConfig().(*Config)
	cfg.PerCgroup = true
	s := newTestScraper(t, cfg)
	s.mode = mode
	require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, s.shutdown(context.Background())) }()

	pids := []int{startHelper(t, "sleep", cg), startHelper(t, "spin", cg)}
	time.Sleep(time.Second)
	for _, pid := range pids {
		require.NoError(t, unix.Kill(pid, unix.SIGSTOP))
	}
	for _, pid := range pids {
		waitStopped(t, pid)
	}
	var wantVol, wantInvol int64
	for _, pid := range pids {
		v, i := procSwitches(t, pid)
		wantVol += v
		wantInvol += i
	}
	vol, invol := switchesOf(t, scrapeNow(t, s), "/"+filepath.Base(filepath.Dir(cg))+"/accounting")
	t.Logf("probes: %d voluntary, %d involuntary; kernel: %d, %d", vol, invol, wantVol, wantInvol)
	require.NotZero(t, wantInvol, "the spinner and the sleeper share a CPU")
	// A sleep cut short by a signal is voluntary for the kernel but leaves the
	// task runnable at the tracepoint; allow for a few of those.
	assert.InDelta(t, wantVol, vol, 2+0.02*float64(wantVol))
	assert.InDelta(t, wantInvol, invol, 2+0.02*float64(wantInvol))
}

// procSwitches sums voluntary_ctxt_switches and nonvoluntary_ctxt_switches
// over the threads of pid.
func procSwitches(t *testing.T, pid int) (vol, invol int64) {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	require.NoError(t, err)
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, line := range strings.Split(string(b), "\n") {
			var n int64
			if _, err := fmt.Sscanf(line, "voluntary_ctxt_switches: %d", &n); err == nil {
				vol += n
			} else if _, err := fmt.Sscanf(line, "nonvoluntary_ctxt_switches: %d", &n); err == nil {
				invol += n
			}
		}
	}
	return vol, invol
}

// waitStopped waits until every thread of pid is in the stopped state.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	require.Eventually(t, func() bool {
		stats, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		for _, f := range stats {
			b, err := os.ReadFile(f)
			if err != nil {
				return false
			}
			// pid (comm) state ...: the state follows the last ')'.
			rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
			if f := strings.Fields(rest); len(f) == 0 || f[0] != "T" {
				return false
			}
		}
		return len(stats) > 0
	}, 5*time.Second, 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // let the last switch-out land in the maps
}

// TestCgroupCap admits one cgroup in the kernel: the events of every other
// cgroup (the host's root, the test's two) land in the overflow series.
func TestCgroupCap(t *testing.T) {
	requireRootBPF(t)
	root := cgroup2Root(t)
	cfg := createDefaultConfig().(*Config)
	cfg.PerCgroup, cfg.MaxCgroups = true, 1
	s := newTestScraper(t, cfg)
	require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, s.shutdown(context.Background())) }()
	startHelper(t, "sleep", makeCgroup(t, root, "a"))
	startHelper(t, "sleep", makeCgroup(t, root, "b"))
	time.Sleep(300 * time.Millisecond)
	md := scrapeNow(t, s)

	var own, overflow int
	for _, rm := range md.ResourceMetrics().All() {
		if v, ok := rm.Resource().Attributes().Get("aiops.cgroup.overflow"); ok && v.Bool() {
			overflow++
		} else {
			own++
		}
	}
	assert.Equal(t, 1, own, "max_cgroups: 1 admits one cgroup")
	assert.Equal(t, 1, overflow, "everything else goes to one overflow series")
	snap, err := s.probe.Read()
	require.NoError(t, err)
	assert.NotZero(t, snap.CgroupOverflow)
}
