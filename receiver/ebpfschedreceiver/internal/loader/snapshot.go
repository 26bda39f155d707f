// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

// Package loader loads the scheduler probes of internal/bpf, attaches them
// (tp_btf first, raw_tp as the fallback) and reads their maps into plain Go
// values. The types in this file are portable; only Linux can open a Probe.
package loader // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"

import (
	"errors"
	"time"
)

// Sentinel values of SeriesKey, mirrored from sched.bpf.c.
const (
	// AnyCPU is the CPU of a series when per-CPU breakdown is off.
	AnyCPU = ^uint32(0)
	// NoCgroup is the cgroup of a series when per-cgroup breakdown is off.
	NoCgroup = uint64(0)
	// OverflowCgroup collects the events of cgroups beyond the cap.
	OverflowCgroup = ^uint64(0)
)

// Slots is the number of log2 slots of a kernel histogram.
const Slots = 64

// ErrUnavailable marks errors that mean "this host cannot run the probes"
// (not Linux, no BTF, missing capabilities) as opposed to a defect.
var ErrUnavailable = errors.New("ebpf_sched unavailable")

// AttachMode selects how the programs attach.
type AttachMode int

const (
	// AttachAuto tries tp_btf and falls back to raw_tp.
	AttachAuto AttachMode = iota
	// AttachTPBTF uses BTF-typed tracepoints and task-local storage.
	AttachTPBTF
	// AttachRawTP uses raw tracepoints and a pid-keyed hash map.
	AttachRawTP
)

func (m AttachMode) String() string {
	switch m {
	case AttachTPBTF:
		return "tp_btf"
	case AttachRawTP:
		return "raw_tp"
	default:
		return "auto"
	}
}

// Options configure a Probe. They are fixed at load time: the breakdown flags
// are compiled into the programs as constants and size the maps.
type Options struct {
	PerCPU     bool
	PerCgroup  bool
	MaxCgroups int
	Mode       AttachMode
	// RunTimeStats asks the kernel to account the programs' run time
	// (BPF_ENABLE_STATS, needs CAP_SYS_ADMIN; best effort).
	RunTimeStats bool

	// failAttach makes attaching in that mode fail, to exercise the fallback
	// in tests.
	failAttach AttachMode // AttachAuto (zero) injects nothing
}

// SeriesKey identifies one series: a cgroup (or NoCgroup / OverflowCgroup)
// on a CPU (or AnyCPU).
type SeriesKey struct {
	Cgroup uint64
	CPU    uint32
}

// Histogram is one kernel log2 histogram. Slots[s] counts values v in
// (2^(s-1), 2^s] nanoseconds (slot 0 holds v == 1); Zero counts v == 0.
type Histogram struct {
	Slots [Slots]uint64
	Zero  uint64
	SumNs uint64
}

// Switches counts context switches of the tasks leaving the CPU.
type Switches struct {
	Voluntary   uint64
	Involuntary uint64
}

// Program names the three probes, whatever the attach mode.
type Program string

const (
	ProgramWakeup    Program = "sched_wakeup"
	ProgramWakeupNew Program = "sched_wakeup_new"
	ProgramSwitch    Program = "sched_switch"
)

// Programs lists every Program in a fixed order.
var Programs = []Program{ProgramWakeup, ProgramWakeupNew, ProgramSwitch}

// ProgramStats are the cumulative per-program figures.
type ProgramStats struct {
	Events uint64
	// RunTime is the kernel's accounting of the program's run time; valid
	// only when RunTimeOK (BPF stats enabled).
	RunTime   time.Duration
	RunCount  uint64
	RunTimeOK bool
}

// Snapshot is a cumulative reading of every map.
type Snapshot struct {
	RunQueueLatency map[SeriesKey]Histogram
	OffCPU          map[SeriesKey]Histogram
	Switches        map[SeriesKey]Switches
	Programs        map[Program]ProgramStats
	// MapFull counts events whose histogram or counter entry could not be
	// created; Lost counts events with no timestamp slot for the task;
	// CgroupOverflow counts events folded into the overflow series.
	MapFull        uint64
	Lost           uint64
	CgroupOverflow uint64
}
