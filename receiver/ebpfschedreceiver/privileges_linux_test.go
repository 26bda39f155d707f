// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestUnprivilegedStart re-executes the test binary as uid 65534 with no
// capabilities, with CAP_BPF only, and with the documented minimum.
func TestUnprivilegedStart(t *testing.T) {
	requireRootBPF(t)
	bin := copyTestBinary(t)
	for _, tc := range []struct {
		name string
		caps []uintptr
		want string
	}{
		{"no capabilities", nil, "missing capabilities CAP_BPF, CAP_PERFMON (uid 65534)"},
		{"CAP_BPF only", []uintptr{unix.CAP_BPF}, "missing capabilities CAP_PERFMON (uid 65534)"},
		// The documented minimum works without root.
		{"CAP_BPF and CAP_PERFMON", []uintptr{unix.CAP_BPF, unix.CAP_PERFMON}, "start error: <nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, "-test.run=^TestHelperProcess$")
			cmd.Env = append(os.Environ(), helperEnv+"=start")
			cmd.SysProcAttr = &syscall.SysProcAttr{
				Credential:  &syscall.Credential{Uid: 65534, Gid: 65534},
				AmbientCaps: tc.caps,
			}
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), tc.want)
			if tc.caps == nil || len(tc.caps) == 1 {
				assert.Contains(t, string(out), "grant CAP_BPF and CAP_PERFMON", "the error must name the fix")
			}
		})
	}
}

// copyTestBinary copies the test binary where an unprivileged user can run it.
func copyTestBinary(t *testing.T) string {
	t.Helper()
	// Not t.TempDir: its parent directory is private to root.
	dir, err := os.MkdirTemp("", "ebpfsched-unpriv")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) //nolint:gosec // uid 65534 must enter it
	src, err := os.ReadFile(os.Args[0])
	require.NoError(t, err)
	bin := filepath.Join(dir, "ebpfsched.test")
	require.NoError(t, os.WriteFile(bin, src, 0o755)) //nolint:gosec // must be executable by uid 65534
	return bin
}
