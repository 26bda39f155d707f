package engine

import "time"

// recentMemory remembers the fingerprints of resolved incidents for
// RecurrenceMemory, so that an incident opening on one of them names the
// resolved one as its recurrence. Entries expire in resolution order, so a
// ring buffer (no per-entry allocation, unlike container/list) bounds and
// expires them.
type recentMemory struct {
	byFP map[string]recentRef
	ring []recentItem // n entries from head on, wrapping around
	head int
	n    int
	max  int
}

type recentRef struct {
	id    string
	until time.Time
}

type recentItem struct {
	fp string
	recentRef
}

func newRecentMemory(maxEntries int) *recentMemory {
	return &recentMemory{byFP: map[string]recentRef{}, max: maxEntries}
}

// lookup returns the ID of the resolved incident fp belonged to.
func (r *recentMemory) lookup(fp string) (string, bool) {
	ref, ok := r.byFP[fp]
	return ref.id, ok
}

// remember records that fp belonged to incident id until the given time,
// forgetting the oldest entry first when full.
func (r *recentMemory) remember(fp, id string, until time.Time) {
	if r.n >= r.max {
		r.forgetOldest()
	}
	if r.n == len(r.ring) {
		r.grow()
	}
	ref := recentRef{id: id, until: until}
	r.byFP[fp] = ref
	r.ring[(r.head+r.n)%len(r.ring)] = recentItem{fp, ref}
	r.n++
}

// grow doubles the ring (up to max entries), unwrapping it.
func (r *recentMemory) grow() {
	ring := make([]recentItem, min(max(2*len(r.ring), 64), r.max))
	r.each(func(i int, it recentItem) { ring[i] = it })
	r.ring, r.head = ring, 0
}

// expire forgets the entries remembered until before now.
func (r *recentMemory) expire(now time.Time) {
	for r.n > 0 && r.ring[r.head].until.Before(now) {
		r.forgetOldest()
	}
}

func (r *recentMemory) forgetOldest() {
	it := r.ring[r.head]
	r.ring[r.head] = recentItem{}
	r.head = (r.head + 1) % len(r.ring)
	r.n--
	if ref, ok := r.byFP[it.fp]; ok && ref.id == it.id {
		delete(r.byFP, it.fp)
	}
}

// each calls f with the entries in resolution order.
func (r *recentMemory) each(f func(i int, it recentItem)) {
	for i := range r.n {
		f(i, r.ring[(r.head+i)%len(r.ring)])
	}
}
