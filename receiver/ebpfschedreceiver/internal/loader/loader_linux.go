// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

//go:build linux && (386 || amd64 || arm || arm64 || loong64 || mips64le || mipsle || ppc64le || riscv64)

package loader // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"

import (
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/bpf"
)

// This file builds where the committed little-endian (bpfel) object runs;
// loader_others.go explains the refusal everywhere else.

// Kinds of histograms (enum kind) and counters (enum stat) of sched.bpf.c.
const (
	kindRunQueueLatency = 0
	kindOffCPU          = 1

	statWakeup         = 0
	statWakeupNew      = 1
	statSwitch         = 2
	statMapFull        = 3
	statLost           = 4
	statCgroupOverflow = 5
)

// programNames maps each attach mode to its three programs, and the map only
// that mode uses for task timestamps.
var programNames = map[AttachMode]map[Program]string{
	AttachTPBTF: {
		ProgramWakeup:    bpf.SchedProgTpBtfSchedWakeup,
		ProgramWakeupNew: bpf.SchedProgTpBtfSchedWakeupNew,
		ProgramSwitch:    bpf.SchedProgTpBtfSchedSwitch,
	},
	AttachRawTP: {
		ProgramWakeup:    bpf.SchedProgRawTpSchedWakeup,
		ProgramWakeupNew: bpf.SchedProgRawTpSchedWakeupNew,
		ProgramSwitch:    bpf.SchedProgRawTpSchedSwitch,
	},
}

var unusedTaskMap = map[AttachMode]string{
	AttachTPBTF: bpf.SchedMapTaskTsByPid,
	AttachRawTP: bpf.SchedMapTaskTs,
}

// errInjected is the failure Options.failAttach injects.
var errInjected = errors.New("attach failure injected by a test")

// Probe is a loaded and attached set of scheduler programs.
type Probe struct {
	mode           AttachMode
	fallbackReason error // why the modes tried before mode failed
	coll           *ebpf.Collection
	links          []link.Link
	progs          map[Program]*ebpf.Program
	stats          io.Closer // BPF_ENABLE_STATS handle; nil when not granted
	hists          *ebpf.Map
	switches       *ebpf.Map
	cgroups        *ebpf.Map
	counters       *ebpf.Map
}

// Open checks the host, loads the programs and attaches them. With
// AttachAuto it tries tp_btf first and falls back to raw_tp; the library's
// feature probe is not consulted because it misreports tp_btf on some
// kernels where attaching works.
func Open(opts Options) (*Probe, error) {
	if err := Preflight(); err != nil {
		return nil, err
	}
	// A no-op on 5.11+ (memcg accounting); older kernels charge RLIMIT_MEMLOCK.
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("%w: raising RLIMIT_MEMLOCK: %w (grant CAP_SYS_RESOURCE or raise the limit, e.g. LimitMEMLOCK=infinity)", ErrUnavailable, err)
	}
	modes := []AttachMode{opts.Mode}
	if opts.Mode == AttachAuto {
		modes = []AttachMode{AttachTPBTF, AttachRawTP}
	}
	var errs []error
	for _, mode := range modes {
		p, err := open(opts, mode)
		if err == nil {
			p.fallbackReason = errors.Join(errs...)
			return p, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", mode, err))
	}
	err := errors.Join(errs...)
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return nil, fmt.Errorf("%w: loading the probes was refused (%w); check kernel lockdown, seccomp and LSM policy; %s", ErrUnavailable, err, capFix)
	}
	return nil, fmt.Errorf("ebpf_sched: loading the probes: %w", err)
}

func open(opts Options, mode AttachMode) (_ *Probe, err error) {
	spec, err := bpf.LoadSched()
	if err != nil {
		return nil, fmt.Errorf("parsing the embedded object: %w", err)
	}
	if err = configure(spec, opts, mode); err != nil {
		return nil, err
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		return nil, fmt.Errorf("loading: %w", err)
	}
	p := &Probe{
		mode:     mode,
		coll:     coll,
		progs:    map[Program]*ebpf.Program{},
		hists:    coll.Maps[bpf.SchedMapHists],
		switches: coll.Maps[bpf.SchedMapSwitchCounts],
		cgroups:  coll.Maps[bpf.SchedMapCgroups],
		counters: coll.Maps[bpf.SchedMapStats],
	}
	defer func() {
		if err != nil {
			_ = p.Close()
		}
	}()
	for _, prog := range Programs {
		p.progs[prog] = coll.Programs[programNames[mode][prog]]
		if mode == opts.failAttach {
			return nil, fmt.Errorf("attaching %s: %w", prog, errInjected)
		}
		l, err := attach(mode, string(prog), p.progs[prog])
		if err != nil {
			return nil, fmt.Errorf("attaching %s: %w", prog, err)
		}
		p.links = append(p.links, l)
	}
	if opts.RunTimeStats {
		// Best effort: needs CAP_SYS_ADMIN. Without it run time is reported
		// only if the operator enabled kernel.bpf_stats_enabled.
		p.stats, _ = ebpf.EnableStats(unix.BPF_STATS_RUN_TIME)
	}
	return p, nil
}

// configure keeps only the programs and task map of mode, compiles the
// breakdown flags in and sizes the series maps for the breakdown.
func configure(spec *ebpf.CollectionSpec, opts Options, mode AttachMode) error {
	for m, names := range programNames {
		if m == mode {
			continue
		}
		for _, name := range names {
			delete(spec.Programs, name)
		}
	}
	delete(spec.Maps, unusedTaskMap[mode])
	if err := spec.Variables[bpf.SchedVarPerCpu].Set(opts.PerCPU); err != nil {
		return err
	}
	if err := spec.Variables[bpf.SchedVarPerCgroup].Set(opts.PerCgroup); err != nil {
		return err
	}
	cpus, cgroups := 1, 1
	if opts.PerCPU {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return err
		}
		cpus = n
	}
	if opts.PerCgroup {
		cgroups = opts.MaxCgroups + 1 // + the overflow series
	}
	spec.Maps[bpf.SchedMapHists].MaxEntries = uint32(cpus * cgroups * 2) // two kinds
	spec.Maps[bpf.SchedMapSwitchCounts].MaxEntries = uint32(cpus * cgroups)
	spec.Maps[bpf.SchedMapCgroups].MaxEntries = uint32(max(opts.MaxCgroups, 1))
	return nil
}

func attach(mode AttachMode, tracepoint string, prog *ebpf.Program) (link.Link, error) {
	if mode == AttachTPBTF {
		return link.AttachTracing(link.TracingOptions{Program: prog, AttachType: ebpf.AttachTraceRawTp})
	}
	return link.AttachRawTracepoint(link.RawTracepointOptions{Name: tracepoint, Program: prog})
}

// Mode reports the attach mode in use.
func (p *Probe) Mode() AttachMode { return p.mode }

// FallbackReason is nil unless AttachAuto had to fall back to raw_tp, and
// then says why tp_btf failed.
func (p *Probe) FallbackReason() error { return p.fallbackReason }

// Read returns the cumulative contents of every map.
func (p *Probe) Read() (Snapshot, error) {
	s := Snapshot{
		RunQueueLatency: map[SeriesKey]Histogram{},
		OffCPU:          map[SeriesKey]Histogram{},
		Switches:        map[SeriesKey]Switches{},
		Programs:        map[Program]ProgramStats{},
	}
	var (
		k bpf.SchedSeriesKey
		h bpf.SchedHist
		c bpf.SchedSwitches
	)
	it := p.hists.Iterate()
	for it.Next(&k, &h) {
		dst := s.RunQueueLatency
		if k.Kind == kindOffCPU {
			dst = s.OffCPU
		}
		dst[SeriesKey{Cgroup: k.Cgroup, CPU: k.Cpu}] = Histogram{Slots: h.Slots, Zero: h.Zero, SumNs: h.Sum}
	}
	if err := it.Err(); err != nil {
		return s, fmt.Errorf("reading histograms: %w", err)
	}
	it = p.switches.Iterate()
	for it.Next(&k, &c) {
		s.Switches[SeriesKey{Cgroup: k.Cgroup, CPU: k.Cpu}] = Switches{Voluntary: c.Voluntary, Involuntary: c.Involuntary}
	}
	if err := it.Err(); err != nil {
		return s, fmt.Errorf("reading context switches: %w", err)
	}
	counters, err := p.readCounters()
	if err != nil {
		return s, err
	}
	s.MapFull, s.Lost, s.CgroupOverflow = counters[statMapFull], counters[statLost], counters[statCgroupOverflow]
	events := map[Program]uint64{ProgramWakeup: counters[statWakeup], ProgramWakeupNew: counters[statWakeupNew], ProgramSwitch: counters[statSwitch]}
	for prog, bp := range p.progs {
		ps := ProgramStats{Events: events[prog]}
		if st, err := bp.Stats(); err == nil && st.RunCount > 0 {
			ps.RunTime, ps.RunCount, ps.RunTimeOK = st.Runtime, st.RunCount, true
		}
		s.Programs[prog] = ps
	}
	return s, nil
}

// readCounters sums the per-CPU counters of the stats map.
func (p *Probe) readCounters() ([]uint64, error) {
	out := make([]uint64, statCgroupOverflow+1)
	var perCPU []uint64
	for i := range out {
		if err := p.counters.Lookup(uint32(i), &perCPU); err != nil {
			return nil, fmt.Errorf("reading counter %d: %w", i, err)
		}
		for _, v := range perCPU {
			out[i] += v
		}
	}
	return out, nil
}

// Forget drops the series of cgroups that no longer exist, freeing their
// place under the cgroup cap.
func (p *Probe) Forget(cgroups []uint64) error {
	if len(cgroups) == 0 {
		return nil
	}
	gone := make(map[uint64]bool, len(cgroups))
	var errs []error
	for _, id := range cgroups {
		gone[id] = true
		if err := p.cgroups.Delete(id); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			errs = append(errs, err)
		}
	}
	histKeys, err := keysOf[bpf.SchedHist](p.hists, gone)
	errs = append(errs, err, deleteKeys(p.hists, histKeys))
	switchKeys, err := keysOf[bpf.SchedSwitches](p.switches, gone)
	errs = append(errs, err, deleteKeys(p.switches, switchKeys))
	return errors.Join(errs...)
}

// keysOf lists the series keys of m that belong to the given cgroups.
func keysOf[V any](m *ebpf.Map, cgroups map[uint64]bool) ([]bpf.SchedSeriesKey, error) {
	var (
		k    bpf.SchedSeriesKey
		v    V
		keys []bpf.SchedSeriesKey
	)
	it := m.Iterate()
	for it.Next(&k, &v) {
		if cgroups[k.Cgroup] {
			keys = append(keys, k)
		}
	}
	return keys, it.Err()
}

func deleteKeys(m *ebpf.Map, keys []bpf.SchedSeriesKey) error {
	var errs []error
	for _, k := range keys {
		if err := m.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close detaches and unloads everything; safe to call more than once.
func (p *Probe) Close() error {
	var errs []error
	for _, l := range p.links {
		errs = append(errs, l.Close())
	}
	p.links = nil
	if p.stats != nil {
		errs = append(errs, p.stats.Close())
		p.stats = nil
	}
	if p.coll != nil {
		p.coll.Close()
		p.coll = nil
	}
	return errors.Join(errs...)
}
