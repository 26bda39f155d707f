// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package loader // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// kernelBTF is where the kernel exposes its own type information; CO-RE
// relocations of the probes are resolved against it.
const kernelBTF = "/sys/kernel/btf/vmlinux"

// capFix tells the operator how to grant what the probes need.
const capFix = "run the collector as root, or grant CAP_BPF and CAP_PERFMON " +
	"(setcap cap_bpf,cap_perfmon=ep <binary>; systemd AmbientCapabilities=CAP_BPF CAP_PERFMON; " +
	"Kubernetes securityContext.capabilities.add: [BPF, PERFMON])"

// Preflight checks what loading the probes needs, so that a missing piece is
// named with its fix instead of surfacing as an EPERM from the verifier.
func Preflight() error {
	if _, err := os.Stat(kernelBTF); err != nil {
		return fmt.Errorf("%w: kernel BTF not found at %s (%w); use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distributions since 5.8)",
			ErrUnavailable, kernelBTF, err)
	}
	eff, err := effectiveCaps()
	if err != nil {
		return fmt.Errorf("%w: reading process capabilities: %w", ErrUnavailable, err)
	}
	if missing := missingCaps(eff); len(missing) > 0 {
		return fmt.Errorf("%w: missing capabilities %s (uid %d); %s",
			ErrUnavailable, strings.Join(missing, ", "), os.Geteuid(), capFix)
	}
	return nil
}

// effectiveCaps returns the effective capability set as a 64-bit mask.
func effectiveCaps() (uint64, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, err
	}
	return uint64(data[1].Effective)<<32 | uint64(data[0].Effective), nil
}

// missingCaps names what eff lacks: CAP_SYS_ADMIN alone is enough (it is
// what kernels before 5.8 require), otherwise CAP_BPF and CAP_PERFMON.
func missingCaps(eff uint64) []string {
	has := func(c int) bool { return eff&(1<<uint(c)) != 0 }
	if has(unix.CAP_SYS_ADMIN) {
		return nil
	}
	var missing []string
	if !has(unix.CAP_BPF) {
		missing = append(missing, "CAP_BPF")
	}
	if !has(unix.CAP_PERFMON) {
		missing = append(missing, "CAP_PERFMON")
	}
	return missing
}
