package stormgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

func TestDeterministic(t *testing.T) {
	a, b := Generate(42), Generate(42)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a.Findings, Generate(43).Findings)
}

func TestStormShape(t *testing.T) {
	for seed := range int64(40) {
		st := Generate(seed)
		require.Len(t, st.Truth, len(st.Findings))
		require.NotEmpty(t, st.RootNode)
		assert.Equal(t, Causes[seed%4], st.Cause)
		counts := map[string]int{}
		changes := 0
		for i, f := range st.Findings {
			require.NoError(t, f.Validate(), "seed %d finding %d", seed, i)
			counts[st.Truth[i]]++
			if i > 0 {
				require.False(t, f.ObservedTime.Before(st.Findings[i-1].ObservedTime), "arrival order")
			}
			if f.Kind == incident.KindChange {
				changes++
			}
		}
		assert.GreaterOrEqual(t, counts[LabelStorm], 3, "seed %d: a storm has several findings", seed)
		assert.Equal(t, 1, counts[LabelDeploy], "seed %d: one unrelated deploy", seed)
		wantChanges := 1
		if st.Cause == CauseDeploy {
			wantChanges = 2
		}
		assert.Equal(t, wantChanges, changes)
		assert.NotEmpty(t, st.Resources)
		assert.NotEmpty(t, st.Traced)
		// duplicates exist: fewer fingerprints than findings
		fps := map[string]bool{}
		for _, f := range st.Findings {
			fps[f.Fingerprint] = true
		}
		assert.Less(t, len(fps), len(st.Findings))
	}
}
