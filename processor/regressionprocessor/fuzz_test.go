package regressionprocessor

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadata"
)

// FuzzRestore: whatever the storage holds, Start succeeds, never panics and
// restores at most max_series series.
func FuzzRestore(f *testing.F) {
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &testStorageID
	cfg.MaxSeries = 50
	set := processortest.NewNopSettings(metadata.Type) // one ID: the storage is per component
	newP := func(t testing.TB, host component.Host) *regressionProcessor {
		p, err := newProcessor(set, cfg, consumertest.NewNop())
		require.NoError(t, err)
		require.NoError(t, p.Start(context.Background(), host))
		return p
	}
	// A real snapshot as the seed.
	st, host := newTestStorage(f)
	p := newP(f, host)
	for i := 0; i < 3; i++ {
		consume(f, p, gauge("m", t0, float64(i), map[string]any{"i": int64(i)}, nil))
	}
	require.NoError(f, p.Shutdown(context.Background()))
	seed := st.data(f, set.ID)
	f.Add(seed[manifestKey], seed[chunkKey(1, 0)])
	f.Add([]byte("RGM1"), []byte("RGC1"))
	f.Fuzz(func(t *testing.T, manifestBytes, chunk []byte) {
		st, host := newTestStorage(t)
		data := map[string][]byte{manifestKey: manifestBytes, chunkKey(1, 0): chunk}
		// Also try the chunk under the generation the manifest names.
		if m, err := decodeManifest(manifestBytes); err == nil {
			data[chunkKey(m.gen, 0)] = chunk
			if m.chunks > 64 { // keep a run short
				return
			}
		}
		st.put(t, set.ID, data)
		p := newP(t, host)
		assert.LessOrEqual(t, p.eng.Len(), cfg.MaxSeries)
		st.failSet.Store(true) // no save
		require.NoError(t, p.Shutdown(context.Background()))
	})
}

// FuzzQuantiles: the quantile functions never panic and stay within the
// histogram's range.
func FuzzQuantiles(f *testing.F) {
	f.Add(0.5, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, int8(0), int8(0))
	f.Fuzz(func(t *testing.T, q float64, raw []byte, scale, offset int8) {
		if !(q > 0 && q < 1) {
			return
		}
		var counts []uint64
		var bounds []float64
		for i := 0; i+2 <= len(raw) && len(counts) < 40; i += 2 {
			counts = append(counts, uint64(raw[i]))
			if len(counts) > 1 {
				bounds = append(bounds, float64(len(counts))*float64(raw[i+1]%7+1))
			}
		}
		for i := 1; i < len(bounds); i++ { // bounds must increase
			if bounds[i] <= bounds[i-1] {
				bounds[i] = bounds[i-1] + 1
			}
		}
		if v, ok := explicitQuantile(q, bounds, counts, math.NaN(), math.NaN()); ok {
			assert.False(t, math.IsNaN(v))
			if len(bounds) > 0 {
				assert.LessOrEqual(t, v, bounds[len(bounds)-1]+1e-9)
				assert.GreaterOrEqual(t, v, math.Min(0, bounds[0])-1e-9)
			}
		}
		sc := int32(scale % 8)
		v, ok := exponentialQuantile(q, sc, uint64(len(raw)%3), expBucket{int32(offset), counts}, expBucket{int32(offset) / 2, counts[:len(counts)/2]})
		if ok {
			assert.False(t, math.IsNaN(v))
		}
		var prev []uint64
		for i := range counts {
			prev = append(prev, counts[i]/2)
		}
		if d, ok := subBuckets(nil, expBucket{int32(offset), counts}, expBucket{int32(offset), prev}); ok {
			assert.Len(t, d, len(counts))
		}
	})
}

// TestConcurrentUse runs ConsumeMetrics from several goroutines while the
// flush loop and saves run (meaningful under -race).
func TestConcurrentUse(t *testing.T) {
	host := storagetest.NewStorageHost().WithInMemoryStorageExtension("regression")
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &testStorageID
	cfg.Emit.Mode = EmitAll
	tick, snap := make(chan time.Time), make(chan time.Time)
	n := 0
	p, err := newProcessor(processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop(),
		withClock(time.Now, func(time.Duration) ticker {
			n++
			if n == 1 {
				return fakeTicker(tick)
			}
			return fakeTicker(snap)
		}))
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), host))
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				md := gauge("m", t0.Add(time.Duration(i)*time.Minute), float64(i%10), map[string]any{"g": int64(g)}, nil)
				assert.NoError(t, p.ConsumeMetrics(context.Background(), md))
			}
		}()
	}
	for i := 0; i < 5; i++ {
		tick <- time.Now()
		snap <- time.Now()
	}
	wg.Wait()
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 4, p.eng.Len())
}
