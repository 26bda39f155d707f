package engine

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/stormgen"
)

// BenchmarkIngest measures findings per second through the engine on a
// storm-shaped workload: per storm a hardware fault, its host, five services
// and repeated firings (most findings are duplicates, as in real storms), with
// incidents opening, updating and resolving as data time advances.
func BenchmarkIngest(b *testing.B) {
	const storms = 20
	base := storm(storms, 0)
	span := 2 * time.Hour
	e := newEngine(b)
	b.ReportAllocs()
	b.ResetTimer()
	round, i := 0, 0
	for n := 0; n < b.N; n++ {
		f := base[i]
		f.Time = f.Time.Add(time.Duration(round) * span)
		if _, err := e.Ingest(f); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(base) {
			i = 0
			round++
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "findings/s")
}

// BenchmarkIngestDistinct feeds only new fingerprints on unrelated
// entities: the slow path (topology walk, new group) on every finding.
func BenchmarkIngestDistinct(b *testing.B) {
	e := newEngine(b, func(c *Config) { c.MaxOpenIncidents = 1 << 30 })
	fs := make([]incident.Finding, 4096)
	for i := range fs {
		fs[i] = svcF(fmt.Sprintf("svc-%d", i), fmt.Sprintf("h%d", i%64), t0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for n := 0; n < b.N; n++ {
		f := fs[n%len(fs)]
		f.Time = t0.Add(time.Duration(n/len(fs)) * time.Hour) // each round after the last resolved
		f.Fingerprint += strconv.Itoa(n / len(fs))
		if _, err := e.Ingest(f); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "findings/s")
	reportPerCPU(b, float64(b.N), processCPU()-cpu)
}

// reportPerCPU reports findings per second of the process's CPU time, GC
// included: a per-core figure that, unlike findings/s, holds on a machine
// busy with other work.
func reportPerCPU(b *testing.B, findings float64, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(findings/cpu.Seconds(), "findings/cpu-s")
	}
}

// BenchmarkOpenIncidentsMemory reports the heap held by 10k open incidents
// of 3 members each (service findings under their host).
func BenchmarkOpenIncidentsMemory(b *testing.B) {
	const incidents = 10_000
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		e := newEngine(b)
		b.StartTimer()
		for i := range incidents {
			h := fmt.Sprintf("host-%d", i)
			for _, f := range []incident.Finding{hostF(h, t0), svcF("a-"+h, h, t0), svcF("b-"+h, h, t0)} {
				if _, err := e.Ingest(f); err != nil {
					b.Fatal(err)
				}
			}
		}
		e.Tick(t0.Add(time.Minute)) // all opened
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		if got := e.Stats().OpenIncidents; got != incidents {
			b.Fatalf("open incidents %d, want %d", got, incidents)
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc), "heap-bytes/10k-incidents")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/incidents, "heap-bytes/incident")
		runtime.KeepAlive(e)
		b.StartTimer()
	}
}

// BenchmarkIngestStorms replays generated storms (stormgen: duplicates,
// noise, deploys, trace edges and resources) back to back through one
// engine; the trace edges and resources of each storm are fed too and count
// in the time but not in the findings/s.
func BenchmarkIngestStorms(b *testing.B) {
	type op struct {
		f      *incident.Finding
		edge   *stormgen.Edge
		entity *stormgen.Resource
	}
	const storms = 50
	var ops []op
	var findings int
	for s := range int64(storms) {
		st := stormgen.Generate(s + 1)
		for i := range st.Resources {
			ops = append(ops, op{entity: &st.Resources[i]})
		}
		for i := range st.Traced {
			ops = append(ops, op{edge: &st.Traced[i]})
		}
		for i := range st.Findings {
			ops = append(ops, op{f: &st.Findings[i]})
		}
		findings += len(st.Findings)
	}
	span := storms * 7 * time.Hour // stormgen spaces storms 7h apart
	e := newEngine(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	var done int
	for n, round := 0, 0; n < b.N; round++ {
		shift := time.Duration(round) * span
		for _, o := range ops {
			switch {
			case o.f != nil:
				f := *o.f
				f.Time = f.Time.Add(shift)
				f.ObservedTime = f.ObservedTime.Add(shift)
				if _, err := e.Ingest(f); err != nil {
					b.Fatal(err)
				}
				done++
				n++
			case o.edge != nil:
				e.ObserveEdge(o.edge.Client, o.edge.Server, o.edge.Time.Add(shift))
			default:
				e.ObserveEntity(o.entity.Entity, o.entity.Time.Add(shift))
			}
			if n >= b.N {
				break
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "findings/s")
	reportPerCPU(b, float64(done), processCPU()-cpu)
}
