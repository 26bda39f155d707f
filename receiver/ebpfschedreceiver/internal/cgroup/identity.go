// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

// Package cgroup turns the cgroup IDs the probes record into cgroup paths,
// and paths into the container and pod identity they carry.
package cgroup // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/cgroup"

import (
	"regexp"
	"strings"
)

// Identity is what a cgroup path says about its owner; empty fields are unknown.
type Identity struct {
	ContainerID string
	PodUID      string
}

var (
	// A container ID is 64 hex digits, as the last path element or inside a
	// systemd scope: docker-<id>.scope, cri-containerd-<id>.scope,
	// crio-<id>.scope, libpod-<id>.scope, or plain <id> with cgroupfs.
	containerRe = regexp.MustCompile(`(?:^|[-/])([0-9a-f]{64})(?:\.scope)?$`)
	// Pod UIDs appear as pod<uid> (cgroupfs) or kubepods-<qos>-pod<uid>.slice
	// (systemd, with '-' turned into '_').
	podRe = regexp.MustCompile(`pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$`)
)

// Parse extracts the container ID and Kubernetes pod UID from a cgroup v2
// path. Container ID comes from the innermost element that carries one; pod
// UID from any element, normalised to the dashed form Kubernetes reports.
func Parse(path string) Identity {
	var id Identity
	for elem := range strings.SplitSeq(strings.Trim(path, "/"), "/") {
		if m := containerRe.FindStringSubmatch(elem); m != nil {
			id.ContainerID = m[1]
		}
		if m := podRe.FindStringSubmatch(elem); m != nil {
			id.PodUID = strings.ReplaceAll(m[1], "_", "-")
		}
	}
	return id
}
