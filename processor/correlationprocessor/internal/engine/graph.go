package engine

import (
	"container/list"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Topology nodes are strings with a layer prefix: "hw:<host>/<hw.id>",
// "host:<host.name>", "node:<k8s.node.name>", "pod:<ns>/<k8s.pod.name>",
// "svc:<service.name>". An edge from → to means "from depends on to": a
// caller on its callee, a service on its pod, a pod on its node, a node on
// its host, a host on its hardware. Trouble flows against the edges, so a
// root cause sits at the far end of the edges from its symptoms.

// Entity attribute keys the engine reads.
const (
	attrHWID         = "hw.id"
	attrHostName     = "host.name"
	attrHostID       = "host.id"
	attrNodeName     = "k8s.node.name"
	attrNodeUID      = "k8s.node.uid"
	attrPodName      = "k8s.pod.name"
	attrPodUID       = "k8s.pod.uid"
	attrNamespace    = "k8s.namespace.name"
	attrServiceName  = "service.name"
	attrServiceVer   = "service.version"
	attrDeploymentID = "deployment.id"
)

// ServiceNode is the topology node of a service.name.
func ServiceNode(name string) string { return "svc:" + name }

// chain returns the topology nodes an entity names, from the highest layer
// down: service, pod, node, host; the hardware node, when present, comes
// first and is what the entity is about. The deployment.* attributes are
// ignored, so a change's entity maps onto the thing that changed.
func chain(e incident.Entity, buf []string) (nodes []string, hw string) {
	nodes = buf[:0]
	host, ok := e.Get(attrHostName)
	if !ok {
		host, ok = e.Get(attrHostID)
	}
	if id, okHW := e.Get(attrHWID); okHW {
		if ok {
			hw = "hw:" + host + "/" + id
		} else {
			hw = "hw:" + id
		}
	}
	if v, okS := e.Get(attrServiceName); okS {
		nodes = append(nodes, ServiceNode(v))
	}
	pod, okP := e.Get(attrPodName)
	if !okP {
		pod, okP = e.Get(attrPodUID)
	}
	if okP {
		if ns, okNS := e.Get(attrNamespace); okNS {
			pod = ns + "/" + pod
		}
		nodes = append(nodes, "pod:"+pod)
	}
	node, okN := e.Get(attrNodeName)
	if !okN {
		node, okN = e.Get(attrNodeUID)
	}
	if okN {
		nodes = append(nodes, "node:"+node)
	}
	if ok {
		nodes = append(nodes, "host:"+host)
	}
	return nodes, hw
}

// NodeOf returns the topology node an entity is about: its hardware
// component, else its service, pod, k8s node or host, in that order;
// an entity with none of those is its own isolated node ("entity:<key>").
func NodeOf(e incident.Entity) string {
	var buf [4]string
	nodes, hw := chain(e, buf[:0])
	switch {
	case hw != "":
		return hw
	case len(nodes) > 0:
		return nodes[0]
	default:
		return "entity:" + e.Key()
	}
}

// layerOfNode returns the layer a node lives at.
func layerOfNode(n string) incident.Layer {
	switch {
	case len(n) > 3 && n[:3] == "hw:":
		return incident.LayerHardware
	case len(n) > 5 && n[:5] == "host:":
		return incident.LayerHost
	case len(n) > 5 && n[:5] == "node:":
		return incident.LayerNode
	case len(n) > 4 && n[:4] == "pod:":
		return incident.LayerPod
	case len(n) > 4 && n[:4] == "svc:":
		return incident.LayerService
	default:
		return incident.LayerUnknown
	}
}

type edge struct {
	from, to string
	last     time.Time // learned edges: last observed, in data time
	static   bool
	elem     *list.Element // position in graph.lru; nil for static edges
}

// graph holds the dependency edges: static ones from configuration and
// learned ones (trace client→server edges and containment from entity
// attributes) that expire EdgeTTL after they were last observed. Like the
// servicegraph connector's store, a list in observation order lets expiry
// look at the head only.
type graph struct {
	out, in map[string]map[string]*edge
	lru     *list.List
	ttl     time.Duration
	max     int

	expired, evicted uint64

	// scratch space for walks, reused to keep them allocation-free
	visited map[string]struct{}
	queue   []walkItem
}

type walkItem struct {
	node  string
	depth int
}

func newGraph(ttl time.Duration, maxEdges int) *graph {
	return &graph{
		out:     map[string]map[string]*edge{},
		in:      map[string]map[string]*edge{},
		lru:     list.New(),
		ttl:     ttl,
		max:     maxEdges,
		visited: map[string]struct{}{},
	}
}

func (g *graph) get(from, to string) *edge {
	if m := g.out[from]; m != nil {
		return m[to]
	}
	return nil
}

func (g *graph) link(e *edge) {
	m := g.out[e.from]
	if m == nil {
		m = map[string]*edge{}
		g.out[e.from] = m
	}
	m[e.to] = e
	m = g.in[e.to]
	if m == nil {
		m = map[string]*edge{}
		g.in[e.to] = m
	}
	m[e.from] = e
}

func (g *graph) unlink(e *edge) {
	if m := g.out[e.from]; m != nil {
		delete(m, e.to)
		if len(m) == 0 {
			delete(g.out, e.from)
		}
	}
	if m := g.in[e.to]; m != nil {
		delete(m, e.from)
		if len(m) == 0 {
			delete(g.in, e.to)
		}
	}
	if e.elem != nil {
		g.lru.Remove(e.elem)
		e.elem = nil
	}
}

// addStatic adds a configured edge that never expires.
func (g *graph) addStatic(from, to string) {
	if from == to {
		return
	}
	if e := g.get(from, to); e != nil {
		if e.elem != nil {
			g.lru.Remove(e.elem)
			e.elem = nil
		}
		e.static = true
		return
	}
	g.link(&edge{from: from, to: to, static: true})
}

// observe learns or refreshes the edge from → to at ts. It reports whether
// an older edge had to be evicted to make room.
func (g *graph) observe(from, to string, ts time.Time) (evicted bool) {
	if from == to || from == "" || to == "" {
		return false
	}
	if e := g.get(from, to); e != nil {
		if e.static || !ts.After(e.last) {
			return false
		}
		e.last = ts
		g.lru.MoveToBack(e.elem)
		return false
	}
	if g.lru.Len() >= g.max {
		oldest := g.lru.Front().Value.(*edge)
		g.unlink(oldest)
		g.evicted++
		evicted = true
	}
	e := &edge{from: from, to: to, last: ts}
	e.elem = g.lru.PushBack(e)
	g.link(e)
	return evicted
}

// expire drops learned edges last observed more than ttl before now. Edges
// are expired from the head of the observation list, so an edge observed out
// of order may outlive its TTL until the ones before it expire.
func (g *graph) expire(now time.Time) {
	limit := now.Add(-g.ttl)
	for el := g.lru.Front(); el != nil; el = g.lru.Front() {
		e := el.Value.(*edge)
		if !e.last.Before(limit) {
			return
		}
		g.unlink(e)
		g.expired++
	}
}

// learned returns the number of learned (expiring) edges.
func (g *graph) learned() int { return g.lru.Len() }

// walk visits the nodes reachable from start along the edges (down: from a
// node to what it depends on; up: to what depends on it), breadth first,
// at most maxDepth hops and maxVisits nodes, start excluded. visit returns
// false to stop. Neighbours are visited in map order, so callers must not
// let the visiting order decide anything but must aggregate.
func (g *graph) walk(start string, down bool, maxDepth, maxVisits int, visit func(node string, depth int) bool) {
	g.walkUntil(start, down, maxDepth, maxVisits, nil, visit)
}

// walkUntil is walk that expands a visited node only if expand (when not
// nil) allows it.
func (g *graph) walkUntil(start string, down bool, maxDepth, maxVisits int, expand func(string) bool, visit func(node string, depth int) bool) {
	clear(g.visited)
	g.queue = append(g.queue[:0], walkItem{start, 0})
	g.visited[start] = struct{}{}
	adj := g.out
	if !down {
		adj = g.in
	}
	for i := 0; i < len(g.queue); i++ {
		it := g.queue[i]
		if it.depth >= maxDepth {
			continue
		}
		for next := range adj[it.node] {
			if _, seen := g.visited[next]; seen {
				continue
			}
			if len(g.visited) > maxVisits {
				return
			}
			g.visited[next] = struct{}{}
			if !visit(next, it.depth+1) {
				return
			}
			if expand != nil && !expand(next) {
				continue
			}
			g.queue = append(g.queue, walkItem{next, it.depth + 1})
		}
	}
}
