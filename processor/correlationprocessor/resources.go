package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"hash/maphash"
	"math/bits"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

var seed = maphash.MakeSeed()

// entityKeySet recognizes the entity attribute keys among a resource's
// attributes. It runs for every attribute of every resource of every batch,
// most of which pass through untouched, so a mask of the keys' lengths
// rejects most other keys before any string is compared or hashed.
type entityKeySet struct {
	lengths uint64 // bit n: some key is n bytes long (n < 64)
	long    bool   // some key is 64 bytes or longer
	keys    []string
}

func newEntityKeySet(keys []string) entityKeySet {
	s := entityKeySet{keys: slices.Clone(keys)}
	for _, k := range keys {
		if len(k) < 64 {
			s.lengths |= 1 << len(k)
		} else {
			s.long = true
		}
	}
	return s
}

// index returns the position of k among the keys, or -1.
func (s *entityKeySet) index(k string) int {
	if n := len(k); n < 64 && s.lengths&(1<<n) == 0 || n >= 64 && !s.long {
		return -1
	}
	return slices.Index(s.keys, k)
}

// entityHash hashes a resource's entity attributes in their order (a
// producer that reorders them only costs a cache miss); ok is false when it
// has none.
func (s *entityKeySet) entityHash(res pcommon.Map) (h uint64, ok bool) {
	for k, v := range res.All() {
		i := s.index(k)
		if i < 0 {
			continue
		}
		str := v.Str()
		if v.Type() != pcommon.ValueTypeStr {
			str = v.AsString()
		}
		h = mix(mix(h, uint64(i)), maphash.String(seed, str))
		ok = true
	}
	return h, ok
}

// mix folds x into the order-sensitive hash h.
func mix(h, x uint64) uint64 { return (bits.RotateLeft64(h, 29) ^ x) * 0x9e3779b97f4a7c15 }

// seenSlots is the size of the cache of observed entities (a power of two).
const seenSlots = 1 << 14

// seenCache remembers when entities (by hash) were last observed, in data
// time. It is direct-mapped: an entity evicts the one sharing its slot, which
// costs that one an early re-observation, and a lookup is one array access
// instead of a map's hashing and probing, for every resource of every batch.
type seenCache [seenSlots]struct {
	hash  uint64
	nanos int64
}

// recent reports whether entity h was observed less than d before t, and
// records t otherwise.
func (s *seenCache) recent(h uint64, t int64, d time.Duration) bool {
	slot := &s[h&(seenSlots-1)]
	if slot.hash == h && slot.nanos != 0 && t-slot.nanos < int64(d) {
		return true
	}
	slot.hash, slot.nanos = h, t
	return false
}

// observeResource tells the engine about the entity of a resource at data
// time ts, or now when ts is unset (it learns containment from healthy parts
// too). Entities observed within a quarter of edge_ttl (data time) are
// skipped, which keeps batches of known resources cheap. Called under mu.
func (c *correlator) observeResource(res pcommon.Map, ts pcommon.Timestamp, now time.Time) {
	h, ok := c.entityKeys.entityHash(res)
	if !ok {
		return
	}
	at := int64(ts)
	if ts == 0 {
		at = now.UnixNano()
	}
	if c.seen.recent(h, at, c.cfg.EdgeTTL/4) {
		return
	}
	c.eng.ObserveEntity(entityOf(c.metricsC.entity, res, pcommon.NewMap()), time.Unix(0, at).UTC())
	c.dirty = true
}
