// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"golang.org/x/sys/unix"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/cgroup"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"
)

// helperEnv makes the test binary act as a workload process (see TestHelperProcess).
const helperEnv = "EBPFSCHED_TEST_HELPER"

// TestHelperProcess is not a test: re-executed with helperEnv set, the test
// binary becomes a spinner, a sleeping probe, or a receiver Start attempt
// under reduced privileges.
func TestHelperProcess(t *testing.T) {
	kind := os.Getenv(helperEnv)
	if kind == "" {
		t.Skip("helper process only")
	}
	if kind == "spin" || kind == "sleep" {
		// The workload runs on one locked thread pinned to CPU 0, so the
		// spinners compete with the probe whatever else the machine runs.
		runtime.LockOSThread()
		var cpus unix.CPUSet
		cpus.Set(0)
		if err := unix.SchedSetaffinity(0, &cpus); err != nil {
			t.Fatal(err)
		}
	}
	switch kind {
	case "spin":
		// Slightly favoured over the probe: contention must show in its waits.
		if err := unix.Setpriority(unix.PRIO_PROCESS, 0, -5); err != nil {
			t.Fatal(err)
		}
		for { //nolint:staticcheck // SA5002: spinning is the point
		}
	case "sleep":
		ts := unix.NsecToTimespec(int64(time.Millisecond))
		for {
			_ = unix.Nanosleep(&ts, nil)
		}
	case "start":
		s := newTestScraper(t, createDefaultConfig().(*Config))
		err := s.start(context.Background(), componenttest.NewNopHost())
		fmt.Printf("start error: %v\n", err)
		_ = s.shutdown(context.Background())
		os.Exit(0)
	}
}

// requireRootBPF skips where the end-to-end tests cannot run; CI runs as root.
func requireRootBPF(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root)")
	}
	if err := loader.Preflight(); err != nil {
		t.Skipf("cannot load BPF here: %v", err)
	}
}

func scrapeNow(t *testing.T, s *schedScraper) pmetric.Metrics {
	t.Helper()
	md, err := s.scrape(context.Background())
	require.NoError(t, err)
	return md
}

func cgroup2Root(t *testing.T) string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	require.NoError(t, err)
	defer f.Close()
	root, err := cgroup.FindRoot(f)
	if err != nil {
		t.Skipf("no cgroup v2: %v", err)
	}
	return root
}

// makeCgroup creates <root>/ebpfsched-test-<pid>/<name>, removed at cleanup.
func makeCgroup(t *testing.T, root, name string) string {
	t.Helper()
	parent := filepath.Join(root, fmt.Sprintf("ebpfsched-test-%d", os.Getpid()))
	dir := filepath.Join(parent, name)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	t.Cleanup(func() {
		// Processes are gone by now (their cleanups ran first), so rmdir succeeds.
		assert.NoError(t, os.Remove(dir))
		_ = os.Remove(parent) // fails while a sibling still exists
	})
	return dir
}

// startHelper runs a workload process placed directly into the cgroup and
// returns its pid.
func startHelper(t *testing.T, kind, cgroupDir string) int {
	t.Helper()
	fd, err := unix.Open(cgroupDir, unix.O_DIRECTORY|unix.O_RDONLY, 0)
	require.NoError(t, err)
	defer unix.Close(fd)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+kind, "GOMAXPROCS=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd.Process.Pid
}
