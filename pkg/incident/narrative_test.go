package incident

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNarrativeStatusNames(t *testing.T) {
	for s := NarrativeNone; s <= NarrativeFailed; s++ {
		got, err := ParseNarrativeStatus(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	assert.Equal(t, "fallback", NarrativeFallback.String())
	assert.Equal(t, "NarrativeStatus(5)", NarrativeStatus(5).String())
	_, err := ParseNarrativeStatus("done")
	assert.ErrorContains(t, err, `unknown narrative status "done"`)
}
