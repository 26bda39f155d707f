//go:build integration && linux

package integration

import (
	"os/exec"
	"syscall"
)

// procAttr puts the collector in its own process group and has the kernel kill it if the
// test binary dies first, so no collector outlives a crashed or timed-out test run.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
