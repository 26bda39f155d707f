// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

//go:build !unix

package cgroup // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/cgroup"

import "io/fs"

// inodeOf has nothing to read where cgroups do not exist.
func inodeOf(fs.DirEntry) (uint64, bool) { return 0, false }
