package incident

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatusNames(t *testing.T) {
	for s, name := range map[Status]string{
		StatusOpen:         "open",
		StatusAcknowledged: "acknowledged",
		StatusResolved:     "resolved",
	} {
		assert.Equal(t, name, s.String())
		got, err := ParseStatus(name)
		require.NoError(t, err)
		assert.Equal(t, s, got)

		text, err := s.MarshalText()
		require.NoError(t, err)
		var back Status
		require.NoError(t, back.UnmarshalText(text))
		assert.Equal(t, s, back)
	}
	_, err := ParseStatus("closed")
	assert.ErrorContains(t, err, `unknown status "closed"`)
	_, err = Status(0).MarshalText()
	assert.Error(t, err)
	assert.Equal(t, "Status(9)", Status(9).String())
}

func TestCanTransition(t *testing.T) {
	const (
		o = StatusOpen
		a = StatusAcknowledged
		r = StatusResolved
	)
	allowed := map[[2]Status]bool{
		{o, o}: true, {o, a}: true, {o, r}: true,
		{a, a}: true, {a, r}: true,
		{r, r}: true, // e.g. a narrative that arrives after resolution
	}
	all := []Status{0, o, a, r, r + 1}
	for _, from := range all {
		for _, to := range all {
			assert.Equal(t, allowed[[2]Status{from, to}], CanTransition(from, to), "%s → %s", from, to)
		}
	}
}
