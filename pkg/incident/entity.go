package incident

import (
	"iter"
	"slices"
	"strings"
)

// Entity identifies the thing a finding is about by resource attributes such
// as service.name, host.name, k8s.node.name, k8s.pod.uid or hw.id. Which
// attributes make the identity is the producer's choice; the entity only keeps
// them in a canonical order so that equal identities have equal keys.
//
// An Entity is immutable; build one with NewEntity. The zero value is the
// empty entity.
type Entity struct {
	attrs []entityAttr // sorted by key, keys unique
	key   string       // computed once: engines group by it on the hot path
}

type entityAttr struct{ key, value string }

// NewEntity returns the entity identified by attrs. The map is copied.
func NewEntity(attrs map[string]string) Entity {
	if len(attrs) == 0 {
		return Entity{}
	}
	e := Entity{attrs: make([]entityAttr, 0, len(attrs))}
	for k, v := range attrs {
		e.attrs = append(e.attrs, entityAttr{k, v})
	}
	slices.SortFunc(e.attrs, func(a, b entityAttr) int { return strings.Compare(a.key, b.key) })
	e.key = canonicalKey(e.attrs)
	return e
}

// Len returns the number of identifying attributes.
func (e Entity) Len() int { return len(e.attrs) }

// Get returns the value of attribute key.
func (e Entity) Get(key string) (string, bool) {
	i, ok := slices.BinarySearchFunc(e.attrs, key, func(a entityAttr, k string) int { return strings.Compare(a.key, k) })
	if !ok {
		return "", false
	}
	return e.attrs[i].value, true
}

// All iterates over the attributes in key order.
func (e Entity) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, a := range e.attrs {
			if !yield(a.key, a.value) {
				return
			}
		}
	}
}

// Key returns the canonical string form of the entity, "k1=v1,k2=v2" in key
// order, with '\', ',' and '=' inside keys and values escaped by a backslash.
// Two entities have the same key exactly when they have the same attributes,
// so the key serves for grouping, deduplication and display.
func (e Entity) Key() string { return e.key }

func canonicalKey(attrs []entityAttr) string {
	var b strings.Builder
	for i, a := range attrs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeEscaped(&b, a.key)
		b.WriteByte('=')
		writeEscaped(&b, a.value)
	}
	return b.String()
}

func writeEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ',', '=':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

// Layer is the level of the stack an entity lives at. Layers are ordered from
// the physical upward (hardware < host < node < pod < service), so root-cause
// ranking can prefer the lowest layer; a change (deployment) sits on top.
type Layer uint8

// The layers, from the physical upward. LayerUnknown is an entity with none
// of the attributes below.
const (
	LayerUnknown Layer = iota
	LayerHardware
	LayerHost
	LayerNode
	LayerPod
	LayerService
	LayerChange
)

var layerNames = [...]string{
	LayerUnknown:  "unknown",
	LayerHardware: "hardware",
	LayerHost:     "host",
	LayerNode:     "node",
	LayerPod:      "pod",
	LayerService:  "service",
	LayerChange:   "change",
}

// String returns the lower-case name of the layer.
func (l Layer) String() string {
	if int(l) >= len(layerNames) {
		return layerNames[LayerUnknown]
	}
	return layerNames[l]
}

// layerRules decide an entity's layer: the first rule with an attribute
// present wins. The order is by specificity, not by height: hardware
// telemetry also carries the host.name of its enclosure, and a service
// instance also carries its pod, node and host.
var layerRules = []struct {
	layer Layer
	keys  []string
}{
	{LayerChange, []string{"deployment.id", "deployment.name"}},
	{LayerHardware, []string{"hw.id"}},
	{LayerService, []string{"service.name"}},
	{LayerPod, []string{"k8s.pod.uid", "k8s.pod.name"}},
	{LayerNode, []string{"k8s.node.uid", "k8s.node.name"}},
	{LayerHost, []string{"host.id", "host.name"}},
}

// Layer derives the entity's layer from the attributes present:
// deployment.id or deployment.name → change; hw.id → hardware;
// service.name → service; k8s.pod.uid or k8s.pod.name → pod;
// k8s.node.uid or k8s.node.name → node; host.id or host.name → host;
// otherwise unknown. The first match in that order wins.
func (e Entity) Layer() Layer {
	for _, r := range layerRules {
		for _, k := range r.keys {
			if _, ok := e.Get(k); ok {
				return r.layer
			}
		}
	}
	return LayerUnknown
}
