package series

import (
	"encoding/hex"
	"math/bits"
)

// Key identifies a series: a 128-bit hash of its identity (the adapter sums
// the AttrKey of each attribute and an FNV-1a hash of what a whole
// resource, scope or metric shares). It is stable across processes, so
// persisted baselines find their series again after a restart.
type Key struct{ Hi, Lo uint64 }

// FNV-1a 128-bit parameters.
const (
	offsetHi = 0x6c62272e07bb0142
	offsetLo = 0x62b821756295c58d
	primeLo  = 0x13b // prime = 2^88 + 0x13b
)

// Hasher builds a Key incrementally without allocating. The zero value is
// not ready: start from NewHasher.
type Hasher struct{ hi, lo uint64 }

// NewHasher returns a hasher at the FNV offset basis.
func NewHasher() Hasher { return Hasher{offsetHi, offsetLo} }

func (h *Hasher) byte(b byte) { h.hi, h.lo = step(h.hi, h.lo, b) }

// step is one FNV-1a round: xor the byte in, multiply by the prime. The
// loops below keep hi and lo in registers, not in the Hasher, across a
// string: hashing is a large share of what a point costs.
func step(hi, lo uint64, b byte) (uint64, uint64) {
	lo ^= uint64(b)
	// (hi, lo) * (2^88 + 0x13b) mod 2^128
	ph, pl := bits.Mul64(lo, primeLo)
	return ph + hi*primeLo + lo<<24, pl
}

// WriteString adds s followed by a separator, so ("ab","c") and ("a","bc")
// hash differently.
func (h *Hasher) WriteString(s string) {
	hi, lo := h.hi, h.lo
	for i := 0; i < len(s); i++ {
		hi, lo = step(hi, lo, s[i])
	}
	h.hi, h.lo = step(hi, lo, 0xff)
}

// Key returns the key of everything written so far.
func (h *Hasher) Key() Key { return Key{h.hi, h.lo} }

// KeyOf hashes the given parts in order.
func KeyOf(parts ...string) Key {
	h := NewHasher()
	for _, p := range parts {
		h.WriteString(p)
	}
	return h.Key()
}

// String is the key as 32 hex digits.
func (k Key) String() string {
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(k.Hi >> (56 - 8*i))
		b[8+i] = byte(k.Lo >> (56 - 8*i))
	}
	return hex.EncodeToString(b[:])
}

// WriteUint64 adds u as 8 bytes (little-endian), without a separator.
func (h *Hasher) WriteUint64(u uint64) {
	hi, lo := h.hi, h.lo
	for i := 0; i < 8; i++ {
		hi, lo = step(hi, lo, byte(u>>(8*i)))
	}
	h.hi, h.lo = hi, lo
}

// Add returns the sum of two keys, lane by lane: an order-independent
// combination of the hashes of a set's members (attributes of a map).
func (k Key) Add(o Key) Key { return Key{k.Hi + o.Hi, k.Lo + o.Lo} }

// WriteByte adds one byte, without a separator.
func (h *Hasher) WriteByte(b byte) error {
	h.byte(b)
	return nil
}
