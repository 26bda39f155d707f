// Package stormgen generates alert storms with ground truth: a topology of
// services over hosts (Kubernetes nodes and pods, hardware under hosts), a
// service call graph, one injected root cause at a random layer and its
// cascade of symptom findings along containment and caller edges, with
// timing jitter, detection delays, duplicates, unrelated background noise and
// an unrelated deploy. The same seed always yields the same storm.
//
// It knows nothing about the correlation engine: it produces
// incident.Finding values and trace edges the way the collector adapter
// would, and names its root cause as a topology node in the engine's
// notation (svc:<service.name>, host:<host.name>, hw:<host.name>/<hw.id>).
package stormgen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Cause is the layer of the injected root cause.
type Cause string

// The injected causes.
const (
	CauseHardware Cause = "hardware" // fan or PSU failure under a host
	CauseHost     Cause = "host"     // CPU saturation and run-queue latency on a host
	CauseService  Cause = "service"  // a service starts failing on its own
	CauseDeploy   Cause = "deploy"   // a bad deploy of a service
)

// Causes lists every cause, in the order Generate cycles through them.
var Causes = []Cause{CauseHardware, CauseHost, CauseService, CauseDeploy}

// Truth labels of findings.
const (
	LabelStorm  = "storm"
	LabelDeploy = "unrelated-deploy"
	// Noise findings are labelled "noise-<n>", one label per unrelated trouble.
)

// Edge is one client→server call observed in traces.
type Edge struct {
	Client, Server string
	Time           time.Time
}

// Resource is one entity seen in telemetry at a time.
type Resource struct {
	Entity incident.Entity
	Time   time.Time
}

// Topology is the generated system.
type Topology struct {
	Hosts    []Host
	Services []Service
	// Calls maps a caller service to its callees (a DAG: frontends call mid
	// tier services, which call backends).
	Calls map[string][]string
}

// Host is a machine, also a Kubernetes node.
type Host struct {
	Name, Node string
	Hardware   []string // hw.id values: fans and PSUs
}

// Service runs as one or more pods.
type Service struct {
	Name      string
	Namespace string
	Instances []Instance
}

// Instance is one pod of a service.
type Instance struct {
	Pod  string
	Host int // index into Topology.Hosts
}

// Storm is one generated storm.
type Storm struct {
	Seed     int64
	Cause    Cause
	Topology Topology
	// Findings in arrival order (by ObservedTime), with Truth[i] the ground
	// truth label of Findings[i].
	Findings []incident.Finding
	Truth    []string
	// Resources are the entities seen in telemetry before the storm (every
	// service instance, pod, node, host and hardware component), from which
	// the engine learns containment, healthy parts included.
	Resources []Resource
	// Traced are the call edges seen in traces before the storm; Static is
	// the rest of the call graph, given as configuration.
	Traced []Edge
	Static map[string][]string
	// Unknown are call edges neither traced nor configured.
	Unknown []Edge
	// RootNode is the root cause as a topology node.
	RootNode string
	// Start is the onset of the root cause.
	Start time.Time
}

type gen struct {
	r    *rand.Rand
	s    *Storm
	base time.Time
	end  time.Time // symptoms of the storm repeat until then
}

func (g *gen) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(g.r.Int64N(int64(hi-lo)+1))
}

// Generate returns the storm for seed; the cause cycles with the seed so that
// every cause is equally represented over consecutive seeds.
func Generate(seed int64) Storm {
	return GenerateCause(seed, Causes[uint64(seed)%uint64(len(Causes))])
}

// GenerateCause returns the storm for seed with the given cause.
func GenerateCause(seed int64, cause Cause) Storm {
	g := &gen{r: rand.New(rand.NewPCG(uint64(seed), 0x5eed)), s: &Storm{Seed: seed, Cause: cause}}
	g.base = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seed%10_000) * 7 * time.Hour)
	g.end = g.base.Add(g.between(4*time.Minute, 12*time.Minute))
	g.topology()
	g.edges()
	g.resources()
	g.cascade()
	g.noise()
	g.unrelatedDeploy()
	g.sortArrival()
	return *g.s
}

func (g *gen) topology() {
	t := &g.s.Topology
	nHosts := 6 + g.r.IntN(7)
	for i := range nHosts {
		h := Host{Name: fmt.Sprintf("host-%02d", i), Node: fmt.Sprintf("node-%02d", i)}
		for f := range 1 + g.r.IntN(3) {
			h.Hardware = append(h.Hardware, fmt.Sprintf("fan-%d", f))
		}
		for p := range 1 + g.r.IntN(2) {
			h.Hardware = append(h.Hardware, fmt.Sprintf("psu-%d", p))
		}
		t.Hosts = append(t.Hosts, h)
	}
	tiers := [][]int{}
	nServices := 12 + g.r.IntN(13)
	nFront := 2 + g.r.IntN(2)
	nMid := (nServices - nFront) / 2
	for i := range nServices {
		ns := "shop"
		if i%3 == 1 {
			ns = "payments"
		}
		svc := Service{Name: fmt.Sprintf("svc-%02d", i), Namespace: ns}
		hosts := g.r.Perm(nHosts)[:1+g.r.IntN(3)]
		slices.Sort(hosts)
		for k, h := range hosts {
			svc.Instances = append(svc.Instances, Instance{Pod: fmt.Sprintf("%s-%d", svc.Name, k), Host: h})
		}
		t.Services = append(t.Services, svc)
	}
	tiers = append(tiers, seq(0, nFront), seq(nFront, nFront+nMid), seq(nFront+nMid, nServices))
	t.Calls = map[string][]string{}
	for ti := 0; ti+1 < len(tiers); ti++ {
		below := slices.Concat(tiers[ti+1:]...)
		for _, c := range tiers[ti] {
			n := 1 + g.r.IntN(3)
			for _, k := range g.r.Perm(len(below))[:min(n, len(below))] {
				t.Calls[t.Services[c].Name] = append(t.Calls[t.Services[c].Name], t.Services[below[k]].Name)
			}
			slices.Sort(t.Calls[t.Services[c].Name])
		}
	}
}

func seq(lo, hi int) []int {
	out := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

// edges splits the call graph: about 70% seen in traces, 20% static, and
// 10% unknown to the engine (an uninstrumented client, say).
func (g *gen) edges() {
	g.s.Static = map[string][]string{}
	callers := sortedCallers(g.s.Topology.Calls)
	for _, c := range callers {
		for _, s := range g.s.Topology.Calls[c] {
			switch p := g.r.Float64(); {
			case p < 0.1: // never traced nor configured: the engine cannot know it
				g.s.Unknown = append(g.s.Unknown, Edge{Client: c, Server: s})
				continue
			case p < 0.3:
				g.s.Static[c] = append(g.s.Static[c], s)
				continue
			}
			g.s.Traced = append(g.s.Traced, Edge{Client: c, Server: s, Time: g.base.Add(-g.between(2*time.Minute, 40*time.Minute))})
		}
	}
	slices.SortStableFunc(g.s.Traced, func(a, b Edge) int { return a.Time.Compare(b.Time) })
}

func (g *gen) resources() {
	t := g.s.Topology
	for _, h := range t.Hosts {
		at := g.base.Add(-g.between(time.Minute, 30*time.Minute))
		for _, hw := range h.Hardware {
			g.s.Resources = append(g.s.Resources, Resource{incident.NewEntity(map[string]string{"hw.id": hw, "host.name": h.Name}), at})
		}
		g.s.Resources = append(g.s.Resources, Resource{incident.NewEntity(map[string]string{"k8s.node.name": h.Node, "host.name": h.Name}), at})
	}
	for _, svc := range t.Services {
		for _, in := range svc.Instances {
			g.s.Resources = append(g.s.Resources, Resource{incident.NewEntity(g.instanceEntity(svc, in)), g.base.Add(-g.between(time.Minute, 30*time.Minute))})
		}
	}
	slices.SortStableFunc(g.s.Resources, func(a, b Resource) int { return a.Time.Compare(b.Time) })
}

func sortedCallers(calls map[string][]string) []string {
	out := make([]string, 0, len(calls))
	for c := range calls {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

func (g *gen) instanceEntity(svc Service, in Instance) map[string]string {
	h := g.s.Topology.Hosts[in.Host]
	return map[string]string{
		"service.name": svc.Name, "k8s.namespace.name": svc.Namespace, "k8s.pod.name": in.Pod,
		"k8s.node.name": h.Node, "host.name": h.Name,
	}
}

// emit adds a finding with its duplicates: a storm symptom fires again every
// 15-60 s (with occasional gaps) until the storm ends, at least maxDups
// times at random; other findings repeat up to maxDups times.
func (g *gen) emit(label string, kind incident.Kind, sev incident.Severity, attrs map[string]string, signal, source, title string, onset time.Time, maxDups int) {
	entity := incident.NewEntity(attrs)
	fp := incident.NewFingerprint(kind, entity, signal)
	dups := 0
	if maxDups > 0 {
		dups = g.r.IntN(maxDups + 1)
	}
	t := onset
	for i := 0; i <= dups || label == LabelStorm && t.Before(g.end); i++ {
		if i > 0 && g.r.Float64() < 0.15 { // a missed evaluation
			t = t.Add(g.between(15*time.Second, time.Minute))
			continue
		}
		f := incident.Finding{
			ID: incident.NewFindingID(fp, t.Format(time.RFC3339Nano)), Fingerprint: fp, Kind: kind, Severity: sev,
			Time: t, ObservedTime: t.Add(g.between(time.Second, 30*time.Second)), Entity: entity, Signal: signal,
			Score: 0.5 + g.r.Float64()/2, Source: source, Title: title,
		}
		g.s.Findings = append(g.s.Findings, f)
		g.s.Truth = append(g.s.Truth, label)
		t = t.Add(g.between(15*time.Second, time.Minute))
	}
}

func (g *gen) cascade() {
	t := g.s.Topology
	t0 := g.base
	g.s.Start = t0
	onset := map[int]time.Duration{} // service index → onset offset
	hostIdx := g.r.IntN(len(t.Hosts))
	host := t.Hosts[hostIdx]
	hostAttrs := map[string]string{"host.name": host.Name}
	nodeAttrs := map[string]string{"host.name": host.Name, "k8s.node.name": host.Node}
	onHost := func(base time.Duration) {
		for si, svc := range t.Services {
			for _, in := range svc.Instances {
				if in.Host != hostIdx {
					continue
				}
				d := base + g.between(30*time.Second, 90*time.Second)
				g.emit(LabelStorm, incident.KindAnomaly, incident.SeverityWarning, g.instanceEntity(svc, in),
					"http.server.request.duration", "regression/latency", "latency regression", t0.Add(d), 4)
				if g.r.Float64() < 0.5 {
					pod := map[string]string{"k8s.namespace.name": svc.Namespace, "k8s.pod.name": in.Pod, "k8s.node.name": host.Node, "host.name": host.Name}
					g.emit(LabelStorm, incident.KindK8sEvent, incident.SeverityWarning, pod, "Unhealthy", "correlation/k8s", "readiness probe failed", t0.Add(d+g.between(5*time.Second, 40*time.Second)), 3)
				}
				if o, ok := onset[si]; !ok || d < o {
					onset[si] = d
				}
			}
		}
	}
	switch g.s.Cause {
	case CauseHardware:
		hw := host.Hardware[g.r.IntN(len(host.Hardware))]
		attrs := map[string]string{"hw.id": hw, "host.name": host.Name}
		g.s.RootNode = "hw:" + host.Name + "/" + hw
		g.emit(LabelStorm, incident.KindHardware, incident.SeverityCritical, attrs, "hw.status", "redfish/bmc", "component health critical", t0, 3)
		g.emit(LabelStorm, incident.KindAnomaly, incident.SeverityWarning, attrs, "hw.fan.speed", "regression/hw", "sensor out of range", t0.Add(g.between(0, 20*time.Second)), 3)
		g.emit(LabelStorm, incident.KindAnomaly, incident.SeverityError, hostAttrs, "system.cpu.frequency", "regression/host", "CPU throttling", t0.Add(g.between(20*time.Second, 60*time.Second)), 4)
		g.emit(LabelStorm, incident.KindAnomaly, incident.SeverityWarning, nodeAttrs, "aiops.sched.runqueue.latency", "regression/sched", "run-queue latency up", t0.Add(g.between(30*time.Second, 80*time.Second)), 4)
		onHost(60 * time.Second)
	case CauseHost:
		g.s.RootNode = "host:" + host.Name
		g.emit(LabelStorm, incident.KindAnomaly, incident.SeverityError, hostAttrs, "system.cpu.utilization", "regression/host", "CPU saturated", t0, 4)
		g.emit(LabelStorm, incident.KindAnomaly, incident.SeverityError, nodeAttrs, "aiops.sched.runqueue.latency", "regression/sched", "run-queue latency up", t0.Add(g.between(5*time.Second, 40*time.Second)), 4)
		onHost(20 * time.Second)
	case CauseService, CauseDeploy:
		si := g.r.IntN(len(t.Services))
		svc := t.Services[si]
		g.s.RootNode = "svc:" + svc.Name
		if g.s.Cause == CauseDeploy {
			g.change(LabelStorm, svc, t0.Add(-g.between(20*time.Second, 3*time.Minute)))
		}
		for _, in := range svc.Instances {
			d := g.between(0, 25*time.Second)
			g.emit(LabelStorm, incident.KindErrorLog, incident.SeverityError, g.instanceEntity(svc, in), "exception", "correlation/logs", "unhandled exception rate up", t0.Add(d), 5)
			if o, ok := onset[si]; !ok || d < o {
				onset[si] = d
			}
		}
	}
	g.propagate(onset)
}

// propagate spreads errors to callers of affected services, breadth first.
func (g *gen) propagate(onset map[int]time.Duration) {
	t := g.s.Topology
	callersOf := map[string][]int{}
	for ci, svc := range t.Services {
		for _, s := range t.Calls[svc.Name] {
			callersOf[s] = append(callersOf[s], ci)
		}
	}
	index := map[string]int{}
	for i, s := range t.Services {
		index[s.Name] = i
	}
	queue := make([]int, 0, len(onset))
	for si := range t.Services {
		if _, ok := onset[si]; ok {
			queue = append(queue, si)
		}
	}
	for len(queue) > 0 {
		si := queue[0]
		queue = queue[1:]
		for _, ci := range callersOf[t.Services[si].Name] {
			if _, done := onset[ci]; done || g.r.Float64() > 0.85 {
				continue
			}
			d := onset[si] + g.between(10*time.Second, 45*time.Second)
			onset[ci] = d
			caller := t.Services[ci]
			for _, in := range caller.Instances {
				kind, signal, src := incident.KindErrorSpan, "http.client.error", "correlation/traces"
				if g.r.Float64() < 0.4 {
					kind, signal, src = incident.KindErrorLog, "upstream timeout", "correlation/logs"
				}
				g.emit(LabelStorm, kind, incident.SeverityError, g.instanceEntity(caller, in), signal, src,
					"calls to "+t.Services[si].Name+" failing", g.s.Start.Add(d+g.between(0, 15*time.Second)), 5)
			}
			queue = append(queue, ci)
		}
	}
}

func (g *gen) change(label string, svc Service, at time.Time) {
	from := fmt.Sprintf("v1.%d.%d", g.r.IntN(20), g.r.IntN(10))
	to := fmt.Sprintf("v1.%d.%d", g.r.IntN(20)+20, g.r.IntN(10))
	attrs := map[string]string{"service.name": svc.Name, "deployment.id": fmt.Sprintf("deploy-%d", g.r.IntN(1_000_000)), "service.version": to}
	entity := incident.NewEntity(attrs)
	fp := incident.NewFingerprint(incident.KindChange, entity, "deploy")
	g.s.Findings = append(g.s.Findings, incident.Finding{
		ID: incident.NewFindingID(fp, at.Format(time.RFC3339Nano)), Fingerprint: fp, Kind: incident.KindChange,
		Severity: incident.SeverityInfo, Time: at, ObservedTime: at.Add(g.between(0, 5*time.Second)), Entity: entity,
		Signal: "deploy", Score: 1, Source: "correlation/deploys", Title: "deploy " + svc.Name + " " + to,
		Evidence: map[string]string{"change.kind": "deploy", "change.from": from, "change.to": to},
	})
	g.s.Truth = append(g.s.Truth, label)
}

// affected returns the services and hosts with storm findings.
func (g *gen) affected() (services, hosts map[string]bool) {
	services, hosts = map[string]bool{}, map[string]bool{}
	for i, f := range g.s.Findings {
		if g.s.Truth[i] != LabelStorm {
			continue
		}
		if v, ok := f.Entity.Get("service.name"); ok {
			services[v] = true
		} else if v, ok := f.Entity.Get("host.name"); ok {
			hosts[v] = true
		}
	}
	return services, hosts
}

// noise adds unrelated troubles around the storm, on services and hosts the
// storm did not touch.
func (g *gen) noise() {
	t := g.s.Topology
	services, hosts := g.affected()
	n := 2 + g.r.IntN(4)
	for i := range n {
		label := fmt.Sprintf("noise-%d", i)
		at := g.s.Start.Add(g.between(-5*time.Minute, 8*time.Minute))
		switch g.r.IntN(3) {
		case 0:
			svc := t.Services[g.r.IntN(len(t.Services))]
			if services[svc.Name] {
				continue
			}
			in := svc.Instances[g.r.IntN(len(svc.Instances))]
			g.emit(label, incident.KindErrorLog, incident.SeverityError, g.instanceEntity(svc, in), "exception", "correlation/logs", "error logged", at, 2)
		case 1:
			h := t.Hosts[g.r.IntN(len(t.Hosts))]
			if hosts[h.Name] {
				continue
			}
			g.emit(label, incident.KindAnomaly, incident.SeverityWarning, map[string]string{"host.name": h.Name}, "system.disk.utilization", "regression/host", "disk filling", at, 2)
		default:
			h := t.Hosts[g.r.IntN(len(t.Hosts))]
			if hosts[h.Name] {
				continue
			}
			attrs := map[string]string{"host.name": h.Name, "hw.id": fmt.Sprintf("dimm-%d", g.r.IntN(8))}
			g.emit(label, incident.KindHardware, incident.SeverityWarning, attrs, "hw.errors", "redfish/bmc", "correctable memory errors", at, 1)
		}
	}
}

func (g *gen) unrelatedDeploy() {
	services, _ := g.affected()
	t := g.s.Topology
	for range 10 {
		svc := t.Services[g.r.IntN(len(t.Services))]
		if !services[svc.Name] {
			g.change(LabelDeploy, svc, g.s.Start.Add(g.between(-20*time.Minute, 10*time.Minute)))
			return
		}
	}
}

func (g *gen) sortArrival() {
	idx := make([]int, len(g.s.Findings))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return g.s.Findings[a].ObservedTime.Compare(g.s.Findings[b].ObservedTime)
	})
	fs := make([]incident.Finding, len(idx))
	truth := make([]string, len(idx))
	for i, j := range idx {
		fs[i], truth[i] = g.s.Findings[j], g.s.Truth[j]
	}
	g.s.Findings, g.s.Truth = fs, truth
}
