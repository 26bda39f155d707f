package incident

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEntity(t *testing.T) {
	attrs := map[string]string{"service.name": "checkout", "host.name": "node-1", "k8s.pod.uid": "0f3c"}
	e := NewEntity(attrs)
	attrs["service.name"] = "changed" // NewEntity copies

	assert.Equal(t, 3, e.Len())
	assert.Equal(t, "host.name=node-1,k8s.pod.uid=0f3c,service.name=checkout", e.Key())
	v, ok := e.Get("service.name")
	assert.True(t, ok)
	assert.Equal(t, "checkout", v)
	_, ok = e.Get("hw.id")
	assert.False(t, ok)

	var keys []string
	for k := range e.All() {
		keys = append(keys, k)
	}
	assert.Equal(t, []string{"host.name", "k8s.pod.uid", "service.name"}, keys)
	assert.Equal(t, map[string]string{"host.name": "node-1", "k8s.pod.uid": "0f3c", "service.name": "checkout"},
		maps.Collect(e.All()))

	for range e.All() {
		break // stopping early must not panic
	}
}

func TestEntityZero(t *testing.T) {
	for _, e := range []Entity{{}, NewEntity(nil), NewEntity(map[string]string{})} {
		assert.Equal(t, 0, e.Len())
		assert.Empty(t, e.Key())
		assert.Equal(t, LayerUnknown, e.Layer())
		assert.Equal(t, Entity{}, e)
	}
}

// Distinct entities must have distinct keys, even when separators occur in
// keys and values.
func TestEntityKeyIsInjective(t *testing.T) {
	entities := []map[string]string{
		{"a": "b,c=d"},
		{"a": "b", "c": "d"},
		{"a=b": "c"},
		{"a": "b=c"},
		{`a\`: "b"},
		{"a": `\b`},
		{"a": `b\,c=d`},
	}
	seen := map[string]int{}
	for i, attrs := range entities {
		k := NewEntity(attrs).Key()
		if j, dup := seen[k]; dup {
			t.Errorf("entities %d and %d share key %q", j, i, k)
		}
		seen[k] = i
	}
	assert.Equal(t, `a=b\,c\=d`, NewEntity(entities[0]).Key())
}

func TestEntityLayer(t *testing.T) {
	for _, tt := range []struct {
		attrs map[string]string
		want  Layer
	}{
		{map[string]string{"hw.id": "fan-3", "host.name": "node-1"}, LayerHardware},
		{map[string]string{"host.name": "node-1"}, LayerHost},
		{map[string]string{"host.id": "i-0abc"}, LayerHost},
		{map[string]string{"k8s.node.name": "node-1", "host.name": "node-1"}, LayerNode},
		{map[string]string{"k8s.pod.uid": "0f3c", "k8s.node.name": "node-1"}, LayerPod},
		{map[string]string{"k8s.pod.name": "checkout-7d9"}, LayerPod},
		{map[string]string{"service.name": "checkout", "k8s.pod.uid": "0f3c", "host.name": "node-1"}, LayerService},
		{map[string]string{"deployment.id": "42", "service.name": "checkout"}, LayerChange},
		{map[string]string{"cloud.region": "eu-west-1"}, LayerUnknown},
	} {
		e := NewEntity(tt.attrs)
		assert.Equal(t, tt.want, e.Layer(), e.Key())
	}
}

func TestLayerString(t *testing.T) {
	assert.Equal(t, "hardware", LayerHardware.String())
	assert.Equal(t, "change", LayerChange.String())
	assert.Equal(t, "unknown", Layer(99).String())
	assert.Less(t, LayerHardware, LayerHost)
	assert.Less(t, LayerPod, LayerService)
}
