package series

import (
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyIsFNV128a(t *testing.T) {
	h := NewHasher()
	h.WriteString("http.server.duration")
	h.WriteString("service.name=checkout")
	h.WriteUint64(0x0102030405060708)
	_ = h.WriteByte(9)
	ref := fnv.New128a()
	ref.Write([]byte("http.server.duration\xffservice.name=checkout\xff\x08\x07\x06\x05\x04\x03\x02\x01\x09"))
	want := ref.Sum(nil)
	k := h.Key()
	var got [16]byte
	for i := 0; i < 8; i++ {
		got[i] = byte(k.Hi >> (56 - 8*i))
		got[8+i] = byte(k.Lo >> (56 - 8*i))
	}
	assert.Equal(t, want, got[:])
	two := NewHasher()
	two.WriteString("a")
	two.WriteString("b")
	assert.Equal(t, two.Key(), KeyOf("a", "b"))
	assert.NotEqual(t, KeyOf("ab", "c"), KeyOf("a", "bc"))
	assert.Len(t, k.String(), 32)
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		h := NewHasher()
		h.WriteString("x")
		_ = h.Key()
	}))
}

// TestAttrKeyTellsAttributesApart: the name, the type and the value all
// count, and hashing allocates nothing.
func TestAttrKeyTellsAttributesApart(t *testing.T) {
	const str, num = 1, 2
	keys := []Key{
		AttrKey("ab", str, "c"),
		AttrKey("a", str, "bc"),
		AttrKey("a", num, "bc"),
		AttrKey("c", str, "ab"),
		AttrKey("", str, ""),
		AttrKeyNum("port", num, 8080),
		AttrKeyNum("port", num, 8081),
		AttrKeyNum("port", 3, 8080),
		AttrKeyNum("ports", num, 8080),
	}
	seen := map[Key]int{}
	for i, k := range keys {
		j, dup := seen[k]
		assert.False(t, dup, "keys %d and %d collide", j, i)
		seen[k] = i
	}
	assert.Equal(t, AttrKey("ab", str, "c"), keys[0], "deterministic")
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_ = AttrKey("cpu", str, "0")
		_ = AttrKeyNum("port", num, 8080)
	}))
}

type val struct{ n int }

func TestTableEvictsLeastRecentlySeen(t *testing.T) {
	tb := NewTable[val](3, 0)
	for i, k := range []string{"a", "b", "c"} {
		v, res, err := tb.Get(KeyOf(k), int64(i))
		require.NoError(t, err)
		require.True(t, res.Created)
		v.n = i
	}
	// Touch "a": "b" is now the least recently seen.
	v, res, _ := tb.Get(KeyOf("a"), 10)
	assert.False(t, res.Created)
	assert.Equal(t, 0, v.n)
	_, res, _ = tb.Get(KeyOf("d"), 11)
	assert.True(t, res.Evicted)
	assert.Equal(t, KeyOf("b"), res.EvictedKey)
	assert.Nil(t, tb.Peek(KeyOf("b")))
	assert.Equal(t, 3, tb.Len())
	assert.Equal(t, 2, tb.Peek(KeyOf("c")).n)

	strict := NewTable[val](1, 0, WithoutEviction())
	_, _, err := strict.Get(KeyOf("x"), 0)
	require.NoError(t, err)
	_, _, err = strict.Get(KeyOf("y"), 0)
	assert.ErrorIs(t, err, ErrTooManySeries)
}

func TestTableIdleExpiry(t *testing.T) {
	tb := NewTable[val](0, time.Hour)
	h := int64(time.Hour)
	tb.Get(KeyOf("old"), 0)
	tb.Get(KeyOf("mid"), h/2)
	tb.Get(KeyOf("new"), 2*h)
	var gone []Key
	n := tb.Expire(2*h, func(k Key, _ *val) { gone = append(gone, k) })
	assert.Equal(t, 2, n)
	assert.Equal(t, []Key{KeyOf("old"), KeyOf("mid")}, gone)
	assert.Equal(t, 1, tb.Len())
	assert.Zero(t, tb.Expire(2*h+h/2, nil), "not idle long enough")
	assert.Equal(t, 1, tb.Expire(4*h, nil))
	assert.Zero(t, NewTable[val](0, 0).Expire(1<<62, nil), "no TTL")
}

// TestTableMatchesModel runs random operations against a map and checks
// the table's contents, order and links stay consistent (swap-remove,
// chunk release).
func TestTableMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	tb := NewTable[val](3000, 0)
	model := map[Key]int{}
	var order []Key // least recently seen first
	touch := func(k Key) {
		for i, o := range order {
			if o == k {
				order = append(order[:i], order[i+1:]...)
				break
			}
		}
		order = append(order, k)
	}
	next := 0
	for step := 0; step < 30000; step++ {
		// Half the keys follow one fixed cycle, as a scraped source sends
		// its series, so Get's sequence hint hits too, also on entries
		// moved by deletions and evictions.
		n := rng.IntN(4000)
		if rng.IntN(2) == 0 {
			n, next = next, (next+1)%4000
		}
		k := KeyOf(string(rune('a' + n)))
		switch rng.IntN(10) {
		case 0:
			got := tb.Delete(k)
			_, want := model[k]
			require.Equal(t, want, got)
			delete(model, k)
			for i, o := range order {
				if o == k {
					order = append(order[:i], order[i+1:]...)
					break
				}
			}
		default:
			v, res, err := tb.Get(k, int64(step))
			require.NoError(t, err)
			if res.Evicted {
				require.Equal(t, order[0], res.EvictedKey)
				delete(model, order[0])
				order = order[1:]
			}
			if _, ok := model[k]; ok {
				require.Equal(t, model[k], v.n)
			} else {
				require.True(t, res.Created)
			}
			v.n = step
			model[k] = step
			touch(k)
		}
		require.Equal(t, len(model), tb.Len())
	}
	var got []Key
	tb.Range(func(k Key, _ int64, v *val) bool {
		require.Equal(t, model[k], v.n)
		got = append(got, k)
		return true
	})
	assert.Equal(t, order, got)
	checkIndex(t, tb)
}

// TestTableHintFollowsOrder: when series come back in the order they came
// before, each Get finds its series through the hint left by the previous
// one, without probing the index.
func TestTableHintFollowsOrder(t *testing.T) {
	tb := NewTable[val](0, 0)
	keys := make([]Key, 100)
	for i := range keys {
		keys[i] = KeyOf(strconv.Itoa(i))
		_, _, err := tb.Get(keys[i], 0)
		require.NoError(t, err)
	}
	hits := 0
	for r := 1; r <= 3; r++ {
		for _, k := range keys {
			if h := tb.hint; h != nilIdx && tb.at(h).key == k {
				hits++
			}
			_, res, err := tb.Get(k, int64(r))
			require.NoError(t, err)
			require.False(t, res.Created)
		}
	}
	// Every Get but the very first of round 1 (whose predecessor was a
	// creation, which leaves no hint) is predicted.
	assert.Equal(t, 3*len(keys)-1, hits)
}

// checkIndex checks that the index holds exactly one slot per series, each
// found by a lookup of its key (no slot stranded behind a hole left by a
// deletion).
func checkIndex(t *testing.T, tb *Table[val]) {
	t.Helper()
	used := 0
	for _, s := range tb.idx.slots {
		if s.pos == 0 {
			continue
		}
		used++
		k := tb.at(int32(s.pos - 1)).key
		require.Equal(t, tagOf(k), s.tag)
		require.Equal(t, int32(s.pos-1), tb.find(k))
	}
	require.Equal(t, tb.Len(), used)
	require.Equal(t, tb.Len(), tb.idx.n)
}

// TestIndexChurn fills a small table far past its first size, then deletes
// and re-inserts at random, so slots wrap around the end of the index and
// long probe runs are shifted back on deletion.
func TestIndexChurn(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	tb := NewTable[val](0, 0)
	live := map[Key]bool{}
	for step := 0; step < 50000; step++ {
		k := KeyOf(strconv.Itoa(rng.IntN(3000)))
		if live[k] && rng.IntN(2) == 0 {
			require.True(t, tb.Delete(k))
			delete(live, k)
			continue
		}
		_, res, err := tb.Get(k, int64(step))
		require.NoError(t, err)
		require.Equal(t, !live[k], res.Created)
		live[k] = true
	}
	require.Equal(t, len(live), tb.Len())
	checkIndex(t, tb)
	for k := range live {
		require.True(t, tb.Delete(k))
	}
	require.Zero(t, tb.Len())
	checkIndex(t, tb)
}

// httpAttrs are the data point attributes of an HTTP server duration
// histogram (semantic conventions), as a service sends them.
var httpAttrs = [][2]string{
	{"http.request.method", "GET"},
	{"http.route", "/api/v1/orders/{order_id}/items"},
	{"http.response.status_code", "200"},
	{"network.protocol.version", "1.1"},
	{"server.address", "checkout.shop-prod.svc.cluster.local"},
	{"url.scheme", "https"},
}

// benchKey keeps the benchmarks' results alive, so that the compiler cannot
// drop the inlined hashing.
var benchKey Key

// BenchmarkAttrKey hashes httpAttrs with AttrKey (the series keys' hash of
// attributes) and, for comparison, with the streaming FNV-1a Hasher the
// keys used before; one op is one data point's attributes.
func BenchmarkAttrKey(b *testing.B) {
	b.Run("xxh3", func(b *testing.B) {
		for b.Loop() {
			var k Key
			for _, a := range httpAttrs {
				k = k.Add(AttrKey(a[0], 1, a[1]))
			}
			benchKey = k
		}
	})
	b.Run("fnv1a", func(b *testing.B) {
		for b.Loop() {
			var k Key
			for _, a := range httpAttrs {
				h := NewHasher()
				h.WriteString(a[0])
				_ = h.WriteByte(1)
				h.WriteString(a[1])
				k = k.Add(h.Key())
			}
			benchKey = k
		}
	})
}
