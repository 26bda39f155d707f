// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver"

import (
	"cmp"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/cgroup"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/histogram"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/metadata"
)

// Metric names, in the distribution's own namespace; see README.md.
const (
	metricRunQueueLatency = "aiops.sched.runqueue.latency"
	metricOffCPU          = "aiops.sched.offcpu.duration"
	metricSwitches        = "aiops.sched.context_switches"

	attrCPU        = "cpu.logical_number"
	attrSwitchType = "process.context_switch.type"

	scopeName = "github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver"
)

// series groups what one cgroup (or the whole node) reported.
type series struct {
	runq, offcpu []keyed[loader.Histogram]
	switches     []keyed[loader.Switches]
}

type keyed[V any] struct {
	cpu uint32
	v   V
}

// emit converts a snapshot into one resource per cgroup (one in all for the
// node breakdown). It also returns the cgroups found removed: their final
// values are in the output and their series can be retired.
func (s *schedScraper) emit(snap loader.Snapshot, now pcommon.Timestamp) (pmetric.Metrics, []uint64) {
	byCgroup := map[uint64]*series{}
	get := func(cg uint64) *series {
		if byCgroup[cg] == nil {
			byCgroup[cg] = &series{}
		}
		return byCgroup[cg]
	}
	for k, h := range snap.RunQueueLatency {
		get(k.Cgroup).runq = append(get(k.Cgroup).runq, keyed[loader.Histogram]{k.CPU, h})
	}
	for k, h := range snap.OffCPU {
		get(k.Cgroup).offcpu = append(get(k.Cgroup).offcpu, keyed[loader.Histogram]{k.CPU, h})
	}
	for k, c := range snap.Switches {
		get(k.Cgroup).switches = append(get(k.Cgroup).switches, keyed[loader.Switches]{k.CPU, c})
	}

	md := pmetric.NewMetrics()
	var gone []uint64
	cgroups := make([]uint64, 0, len(byCgroup))
	for cg := range byCgroup {
		cgroups = append(cgroups, cg)
	}
	slices.Sort(cgroups)
	for _, cg := range cgroups {
		rm := md.ResourceMetrics().AppendEmpty()
		if s.resource(cg).MoveTo(rm.Resource()); s.isGone(cg) {
			gone = append(gone, cg)
		}
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(scopeName)
		sm.Scope().SetVersion(s.scope)
		ser := byCgroup[cg]
		s.appendHistogram(sm.Metrics(), metricRunQueueLatency,
			"Time tasks waited runnable in a run queue before getting a CPU (from wakeup or preemption to running).", ser.runq, now)
		s.appendHistogram(sm.Metrics(), metricOffCPU,
			"Time tasks spent off CPU, from leaving a CPU (blocking or preemption) to running again.", ser.offcpu, now)
		s.appendSwitches(sm.Metrics(), ser.switches, now)
	}
	return md, gone
}

func (s *schedScraper) resource(cg uint64) pcommon.Resource {
	rb := metadata.NewResourceBuilder(s.cfg.ResourceAttributes)
	rb.SetHostName(s.host.name)
	if s.host.id != "" {
		rb.SetHostID(s.host.id)
	}
	rb.SetOsType("linux")
	switch cg {
	case loader.NoCgroup:
	case loader.OverflowCgroup:
		rb.SetAiopsCgroupOverflow(true)
	default:
		rb.SetAiopsCgroupID(int64(cg)) //nolint:gosec // cgroup IDs are kernfs inode numbers, far below 2^63
		if path, state := s.resolver.Lookup(cg); state != cgroup.Unknown {
			rb.SetAiopsCgroupPath(path)
			id := cgroup.Parse(path)
			if id.ContainerID != "" {
				rb.SetContainerID(id.ContainerID)
			}
			if id.PodUID != "" {
				rb.SetK8sPodUID(id.PodUID)
			}
		}
	}
	return rb.Emit()
}

func (s *schedScraper) isGone(cg uint64) bool {
	if s.resolver == nil || cg == loader.OverflowCgroup {
		return false
	}
	_, state := s.resolver.Lookup(cg)
	return state == cgroup.Gone
}

func (s *schedScraper) appendHistogram(ms pmetric.MetricSlice, name, desc string, hs []keyed[loader.Histogram], now pcommon.Timestamp) {
	if len(hs) == 0 {
		return
	}
	slices.SortFunc(hs, func(a, b keyed[loader.Histogram]) int { return cmp.Compare(a.cpu, b.cpu) })
	m := ms.AppendEmpty()
	m.SetName(name)
	m.SetDescription(desc)
	m.SetUnit("ns")
	eh := m.SetEmptyExponentialHistogram()
	eh.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for _, h := range hs {
		e := histogram.FromSlots(h.v.Slots[:], h.v.Zero, h.v.SumNs)
		dp := eh.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(s.started)
		dp.SetTimestamp(now)
		setCPU(dp.Attributes(), h.cpu)
		dp.SetScale(histogram.Scale)
		dp.SetCount(e.Count)
		dp.SetSum(float64(e.Sum))
		dp.SetZeroCount(e.ZeroCount)
		dp.Positive().SetOffset(e.Offset)
		dp.Positive().BucketCounts().FromRaw(e.Counts)
	}
}

func (s *schedScraper) appendSwitches(ms pmetric.MetricSlice, cs []keyed[loader.Switches], now pcommon.Timestamp) {
	if len(cs) == 0 {
		return
	}
	slices.SortFunc(cs, func(a, b keyed[loader.Switches]) int { return cmp.Compare(a.cpu, b.cpu) })
	m := ms.AppendEmpty()
	m.SetName(metricSwitches)
	m.SetDescription("Context switches of tasks leaving a CPU: voluntary (the task blocked) or involuntary (it was preempted while runnable). Switches away from the idle task are not counted.")
	m.SetUnit("{switch}")
	sum := m.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for _, c := range cs {
		for _, v := range []struct {
			kind string
			n    uint64
		}{{"voluntary", c.v.Voluntary}, {"involuntary", c.v.Involuntary}} {
			dp := sum.DataPoints().AppendEmpty()
			dp.SetStartTimestamp(s.started)
			dp.SetTimestamp(now)
			setCPU(dp.Attributes(), c.cpu)
			dp.Attributes().PutStr(attrSwitchType, v.kind)
			dp.SetIntValue(int64(v.n)) //nolint:gosec // counts stay far below 2^63
		}
	}
}

// setCPU labels per-CPU series; node-wide series carry no CPU attribute.
func setCPU(attrs pcommon.Map, cpu uint32) {
	if cpu != loader.AnyCPU {
		attrs.PutInt(attrCPU, int64(cpu))
	}
}
