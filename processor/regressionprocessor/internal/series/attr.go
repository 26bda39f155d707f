package series

import (
	"encoding/binary"

	"github.com/zeebo/xxh3"
)

// AttrKey is the hash of one attribute whose value is a string (or, for
// the types without a scalar form, its string form): the xxh3-128 of the
// value seeded by the xxh3-64 of the name and the value's type. Attributes
// are hashed once per data point, so this is on the hot path: FNV-1a, which
// goes through a string a byte at a time with a multiplication in the
// loop's dependency chain, took 257–282 ns for the six attributes of an HTTP
// server's duration metric, this 59–61 (BenchmarkAttrKey).
func AttrKey(name string, typ uint8, value string) Key {
	h := xxh3.HashString128Seed(value, attrSeed(name, typ))
	return Key{h.Hi, h.Lo}
}

// AttrKeyNum is AttrKey for a value held in 8 bytes (an int, a float64's
// bits, a bool as 0 or 1).
func AttrKeyNum(name string, typ uint8, value uint64) Key {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], value)
	h := xxh3.Hash128Seed(b[:], attrSeed(name, typ))
	return Key{h.Hi, h.Lo}
}

func attrSeed(name string, typ uint8) uint64 { return xxh3.HashString(name) ^ uint64(typ) }
