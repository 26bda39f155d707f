package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecentMemoryBoundAndOrder(t *testing.T) {
	r := newRecentMemory(100)
	// 250 entries through a memory of 100: the ring grows, wraps around and
	// keeps the newest 100, in resolution order.
	for i := range 250 {
		r.remember(fmt.Sprint("fp", i), fmt.Sprint("inc", i), at(time.Duration(i)*time.Minute))
	}
	require.Equal(t, 100, r.n)
	require.Len(t, r.byFP, 100)
	_, ok := r.lookup("fp149")
	assert.False(t, ok, "forgotten when full")
	id, ok := r.lookup("fp150")
	require.True(t, ok)
	assert.Equal(t, "inc150", id)
	var order []string
	r.each(func(i int, it recentItem) {
		assert.Equal(t, len(order), i)
		order = append(order, it.fp)
	})
	require.Len(t, order, 100)
	assert.Equal(t, "fp150", order[0])
	assert.Equal(t, "fp249", order[99])

	// expiry forgets from the oldest, up to now
	r.expire(at(200 * time.Minute))
	assert.Equal(t, 50, r.n)
	_, ok = r.lookup("fp199")
	assert.False(t, ok)
	_, ok = r.lookup("fp200")
	assert.True(t, ok, "remembered until its time, inclusive")
	r.expire(at(time.Hour * 24))
	assert.Zero(t, r.n)
	assert.Empty(t, r.byFP)
}

func TestRecentMemoryRememberedAgain(t *testing.T) {
	r := newRecentMemory(2)
	r.remember("fp", "inc-old", at(time.Minute))
	r.remember("fp", "inc-new", at(2*time.Minute))
	r.remember("other", "inc-other", at(3*time.Minute)) // forgets the first "fp" entry
	id, ok := r.lookup("fp")
	require.True(t, ok, "forgetting the older entry keeps the newer one")
	assert.Equal(t, "inc-new", id)
}
