// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

//go:generate mdatagen metadata.yaml

// Package ebpfschedreceiver measures CPU contention with eBPF programs on the
// scheduler tracepoints: run-queue latency, off-CPU time and context switches,
// aggregated in the kernel and exported as OTLP exponential histograms and sums.
package ebpfschedreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver"
