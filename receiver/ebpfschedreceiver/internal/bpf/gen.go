// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

// Package bpf holds the scheduler probes (sched.bpf.c) and the Go bindings
// bpf2go generates for them. The compiled CO-RE object is committed, so
// building the collector needs no clang; `go generate` (make generate)
// rebuilds it byte for byte with the same clang.
package bpf // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/bpf"

//go:generate go tool -modfile=../../../../internal/tools/tools.mod bpf2go -tags linux -target bpfel -cflags "-O2 -g -Wall -Werror" -type series_key -type hist -type switches -output-stem sched Sched sched.bpf.c -- -I./headers
