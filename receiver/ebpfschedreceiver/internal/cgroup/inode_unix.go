// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package cgroup // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/cgroup"

import (
	"io/fs"
	"syscall"
)

// inodeOf returns the inode of a directory entry; on cgroup v2 (kernel 5.5+,
// 64-bit) it equals the kernfs node ID the probes record.
func inodeOf(d fs.DirEntry) (uint64, bool) {
	info, err := d.Info()
	if err != nil {
		return 0, false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Ino), true //nolint:unconvert // Ino is uint32 on some platforms
}
