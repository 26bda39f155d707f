package series

import "math/bits"

// index maps keys to positions in the table's slab. It is an open-addressing
// hash table with linear probing over 8-byte slots: a key's home slot and its
// tag come from one multiplicative mix of the key (itself a hash), so a
// lookup is one multiply and usually one cache line of slots, and only the
// slab entry whose tag matches is read to compare the full key (the entry
// the caller wants anyway). Deletion shifts the following slots back instead
// of leaving tombstones, so probes stay short under churn.
type index struct {
	slots []islot
	shift uint8 // 64 - log2(len(slots))
	n     int
}

// islot is one index slot: pos is the slab position + 1 (0 = empty) and tag
// the high 32 bits of the key's mix, whose top bits are its home slot.
type islot struct {
	tag uint32
	pos uint32
}

const (
	indexMinBits = 4
	// The table grows past 3/4 full: linear probing stays short there.
	indexLoadNum, indexLoadDen = 3, 4
)

func newIndex() index {
	return index{slots: make([]islot, 1<<indexMinBits), shift: 64 - indexMinBits}
}

// tagOf mixes the two halves of k (Fibonacci hashing): the high bits of the
// product depend on every bit of the key.
func tagOf(k Key) uint32 {
	return uint32(((k.Hi ^ bits.RotateLeft64(k.Lo, 32)) * 0x9e3779b97f4a7c15) >> 32)
}

func (x *index) home(tag uint32) uint32 { return tag >> (x.shift - 32) }

func (x *index) mask() uint32 { return uint32(len(x.slots) - 1) }

// slotAt returns the slot that points at slab position pos, whose key has
// the given tag; it must exist.
func (x *index) slotAt(tag uint32, pos int32) int {
	m := x.mask()
	i := x.home(tag)
	for x.slots[i].pos != uint32(pos)+1 {
		i = (i + 1) & m
	}
	return int(i)
}

// insert adds a key known to be absent.
func (x *index) insert(tag uint32, pos int32) {
	if (x.n+1)*indexLoadDen > len(x.slots)*indexLoadNum {
		x.grow()
	}
	x.place(islot{tag, uint32(pos) + 1})
	x.n++
}

func (x *index) place(s islot) {
	m := x.mask()
	i := x.home(s.tag)
	for x.slots[i].pos != 0 {
		i = (i + 1) & m
	}
	x.slots[i] = s
}

func (x *index) grow() {
	old := x.slots
	x.slots = make([]islot, 2*len(old))
	x.shift--
	for _, s := range old {
		if s.pos != 0 {
			x.place(s)
		}
	}
}

// erase empties slot i and moves back the slots after it that would no
// longer be found (backward-shift deletion).
func (x *index) erase(i int) {
	m := x.mask()
	hole := uint32(i)
	for j := (hole + 1) & m; x.slots[j].pos != 0; j = (j + 1) & m {
		// The entry at j may fill the hole unless its home lies cyclically
		// in (hole, j]: then it would be moved before its home.
		h := x.home(x.slots[j].tag)
		if (j-h)&m >= (j-hole)&m {
			x.slots[hole] = x.slots[j]
			hole = j
		}
	}
	x.slots[hole] = islot{}
	x.n--
}
