package correlationprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestEntityKeySet(t *testing.T) {
	long := "a.very.long.attribute.name.that.is.more.than.sixty.four.bytes.long"
	s := newEntityKeySet([]string{"service.name", "host.name", long})
	for _, k := range []string{"service.name", "host.name", long} {
		assert.True(t, s.index(k) >= 0, k)
	}
	for _, k := range []string{"", "host.id", "service.nam", "k8s.pod.name", long + "x", "telemetry.sdk.language"} {
		assert.Equal(t, -1, s.index(k), k)
	}

	res := func(kv ...string) pcommon.Map {
		m := pcommon.NewMap()
		putAttrs(m, kv...)
		return m
	}
	a, ok := s.entityHash(res("service.name", "api", "host.name", "h1", "process.pid", "42"))
	require.True(t, ok)
	b, _ := s.entityHash(res("process.pid", "43", "service.name", "api", "host.name", "h1"))
	assert.Equal(t, a, b, "other attributes do not count")
	c, _ := s.entityHash(res("service.name", "api", "host.name", "h2"))
	assert.NotEqual(t, a, c)
	d, _ := s.entityHash(res("service.name", "h1", "host.name", "api"))
	assert.NotEqual(t, a, d, "values are bound to their keys")
	_, ok = s.entityHash(res("process.pid", "42"))
	assert.False(t, ok, "no entity attribute")
	m := res("service.name", "api")
	m.PutInt("host.name", 7)
	e, _ := s.entityHash(m)
	f, _ := s.entityHash(res("service.name", "api", "host.name", "7"))
	assert.Equal(t, e, f, "non-string values hash as their string form")
}

func TestSeenCache(t *testing.T) {
	var s seenCache
	const ttl = 15 * time.Minute
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	assert.False(t, s.recent(1, t0, ttl), "first sight")
	assert.True(t, s.recent(1, t0+int64(time.Minute), ttl))
	assert.False(t, s.recent(1, t0+int64(ttl), ttl), "stale: observed again")
	assert.True(t, s.recent(1, t0+int64(ttl+time.Minute), ttl), "the re-observation counts from then")
	// an entity sharing the slot evicts it: it is observed again, never lost
	assert.False(t, s.recent(1+seenSlots, t0, ttl))
	assert.False(t, s.recent(1, t0+int64(ttl+time.Minute), ttl))
}
