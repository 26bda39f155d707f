package evaluation

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/stormgen"
)

// TestQualityTargets replays 200 generated storms through the engine with
// its default configuration and asserts the targets of issue 6.
func TestQualityTargets(t *testing.T) {
	r, err := Run(200, 1, engine.DefaultConfig())
	require.NoError(t, err)
	t.Logf("\n%s", r)
	for i, f := range r.Failures {
		if i == 10 {
			break
		}
		t.Logf("miss: %s", f)
	}
	assert.GreaterOrEqual(t, r.Compression, 0.95, "findings-to-incidents compression")
	assert.GreaterOrEqual(t, r.Purity, 0.95, "grouping purity")
	assert.GreaterOrEqual(t, r.RootTop1, 0.80, "root cause top-1")
	assert.GreaterOrEqual(t, r.RootTop3, 0.95, "root cause top-3")
}

func TestARI(t *testing.T) {
	tests := []struct {
		name        string
		pred, truth []string
		want        float64
	}{
		{"identical", []string{"a", "a", "b"}, []string{"x", "x", "y"}, 1},
		{"all apart vs together", []string{"", "", ""}, []string{"x", "x", "x"}, 0},
		{"one cluster split", []string{"a", "a", "b", "c"}, []string{"x", "x", "x", "y"}, 1.0 / 3},
		{"perfect relabel", []string{"b", "b", "a", "a"}, []string{"x", "x", "y", "y"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, ARI(tt.pred, tt.truth), 1e-9)
		})
	}
}

// The same storm replayed gives the same incidents, IDs, sequences and
// contents.
func TestReplayDeterministic(t *testing.T) {
	for seed := range int64(8) {
		st := stormgen.Generate(seed)
		a, err := Replay(st, engine.DefaultConfig())
		require.NoError(t, err)
		b, err := Replay(st, engine.DefaultConfig())
		require.NoError(t, err)
		assert.Equal(t, a, b, "seed %d", seed)
	}
}
