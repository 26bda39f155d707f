package engine

import (
	"go/parser"
	"go/token"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/canary"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func pt(i int, v float64) detector.Point {
	return detector.Point{Time: t0.Add(time.Duration(i) * time.Minute).UnixNano(), Value: v}
}

func newEngine(t testing.TB, mutate func(*Config)) *Engine {
	t.Helper()
	cfg := DefaultConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	e, err := New(cfg)
	require.NoError(t, err)
	return e
}

func TestObserveCountsAndSkips(t *testing.T) {
	e := newEngine(t, nil)
	k := series.KeyOf("cpu", "host=a")
	for i := 0; i < 10; i++ {
		e.Observe(k, pt(i, 1))
	}
	assert.Equal(t, detector.SkipInvalid, e.Observe(k, pt(10, math.NaN())).Skip)
	assert.Equal(t, detector.SkipOutOfOrder, e.Observe(k, pt(3, 1)).Skip)
	s := e.Stats()
	assert.Equal(t, Stats{Points: 10, Invalid: 1, OutOfOrder: 1, Created: 1, Series: 1}, s)
}

func TestEvictionAndExpiry(t *testing.T) {
	e := newEngine(t, func(c *Config) { c.MaxSeries = 2; c.IdleTTL = time.Hour })
	a, b, c := series.KeyOf("a"), series.KeyOf("b"), series.KeyOf("c")
	e.Observe(a, pt(0, 1))
	e.Observe(b, pt(1, 1))
	e.Observe(a, pt(2, 1)) // b is now least recently seen
	e.Observe(c, pt(3, 1))
	assert.Equal(t, uint64(1), e.Stats().Evicted)
	_, ok := e.Snapshot(nil, b)
	assert.False(t, ok, "b evicted")

	// Idle expiry by data time: c was seen at minute 3, a at minute 2.
	assert.Zero(t, e.Expire(t0.Add(62*time.Minute)))
	assert.Equal(t, 1, e.Expire(t0.Add(62*time.Minute+time.Second)))
	assert.Equal(t, 1, e.Len())
	assert.Equal(t, 1, e.Expire(t0.Add(5*time.Hour)))
	assert.Equal(t, uint64(2), e.Stats().Expired)
	assert.True(t, e.Forget(series.KeyOf("nope")) == false)
}

// TestObserveRateSkips: a counter's first point (also the first after a
// restore, since counter references are not persisted) only sets the
// reference; a decrease or a new start time is a reset.
// TestObserveVersion: the canary's points are judged by the tracker only;
// the baseline's are scored; both versions share one series.
func TestObserveVersion(t *testing.T) {
	e := newEngine(t, nil)
	tr, err := canary.New(canary.DefaultConfig())
	require.NoError(t, err)
	k := series.KeyOf("latency", "service=api")
	var v detector.Verdict
	at := func(i int, ver uint64, name string) *canary.Point {
		p := pt(i, 100)
		return &canary.Point{Version: ver, Name: name, Time: p.Time, Value: p.Value}
	}
	var cv canary.Verdict
	scored := e.ObserveVersion(k, e.Model(), tr, at(0, 1, "1.0"), &cv, &v)
	assert.True(t, scored)
	assert.Equal(t, canary.RoleOnly, cv.Role)
	scored = e.ObserveVersion(k, e.Model(), tr, at(1, 3, "1.1"), &cv, &v)
	assert.False(t, scored, "a canary's point does not enter the baseline")
	assert.Zero(t, v, "nor gets a verdict")
	assert.Equal(t, canary.RoleCanary, cv.Role)
	scored = e.ObserveVersion(k, e.Model(), tr, at(2, 1, "1.0"), &cv, &v)
	assert.True(t, scored)
	assert.Equal(t, canary.RoleBaseline, cv.Role)
	assert.Equal(t, Stats{Points: 2, Created: 1, Series: 1}, e.Stats())
}

func TestObserveRateSkips(t *testing.T) {
	e := newEngine(t, nil)
	k := series.KeyOf("requests", "svc=checkout")
	at := func(i int) int64 { return t0.Add(time.Duration(i) * time.Minute).UnixNano() }
	start := at(0)
	var v detector.Verdict
	rate := func(i int, cum float64) RateSkip { return e.ObserveRate(k, e.Model(), start, at(i), cum, 0, &v) }
	assert.Equal(t, RateFirst, rate(1, 10))
	assert.Equal(t, RateOK, rate(2, 70))
	assert.Equal(t, RateOutOfOrder, rate(2, 80))
	assert.Equal(t, RateReset, rate(3, 5), "a decrease")
	start = at(3)
	assert.Equal(t, RateReset, rate(4, 60), "a new start time")
	assert.Equal(t, RateOK, rate(5, 120))

	snap, ok := e.Snapshot(nil, k)
	require.True(t, ok)
	restored := newEngine(t, nil)
	require.NoError(t, restored.Restore(k, snap))
	rs := restored.ObserveRate(k, restored.Model(), start, at(6), 180, 0, &v)
	assert.Equal(t, RateFirst, rs, "the first point after a restore")
}

func TestSnapshotRestore(t *testing.T) {
	src := newEngine(t, nil)
	k := series.KeyOf("latency", "svc=checkout")
	for i := 0; i < 3000; i++ {
		src.Observe(k, pt(i, 100+10*math.Sin(float64(i)/50)))
	}
	snap, ok := src.Snapshot(nil, k)
	require.True(t, ok)

	dst := newEngine(t, nil)
	require.NoError(t, dst.Restore(k, snap))
	assert.Equal(t, uint64(1), dst.Stats().Restored)
	for i := 3000; i < 3500; i++ {
		p := pt(i, 100+10*math.Sin(float64(i)/50))
		if i == 3300 {
			p.Value += 200
		}
		v1, v2 := src.Observe(k, p), dst.Observe(k, p)
		require.Equal(t, v1.Score, v2.Score, "point %d", i)
		require.Equal(t, v1.Decision, v2.Decision)
	}
	err := dst.Restore(k, snap[:10])
	require.ErrorIs(t, err, detector.ErrSnapshot)
	assert.Contains(t, err.Error(), k.String())

	n := 0
	dst.Range(func(series.Key, int64, *detector.State) bool { n++; return true })
	assert.Equal(t, 1, n)
}

func TestConfigValidate(t *testing.T) {
	c := DefaultConfig()
	require.NoError(t, c.Validate())
	c.MaxSeries, c.IdleTTL, c.Detector.Threshold = 0, -1, 2
	err := c.Validate()
	require.Error(t, err)
	for _, s := range []string{"max_series", "idle_ttl", "threshold"} {
		assert.Contains(t, err.Error(), s)
	}
	_, err = New(c)
	assert.Error(t, err)
}

// TestNoCollectorImports guards STYLE §2.3: the engine packages import no
// go.opentelemetry.io/collector package (directly; the internal packages
// they import are checked by the same walk). The generated metadata
// packages belong to the adapter and are skipped.
func TestNoCollectorImports(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && strings.HasPrefix(d.Name(), "metadata") {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			if strings.HasPrefix(path, "go.opentelemetry.io/collector") {
				t.Errorf("%s imports %s", p, path)
			}
		}
		return nil
	})
	require.NoError(t, err)
}

// TestBytesPerSeries measures the heap held per series at default settings
// with 100k series; the budget is 2 KiB.
func TestBytesPerSeries(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~200 MB")
	}
	const n = 100_000
	perSeries := bytesPerSeries(t, n)
	t.Logf("%.0f bytes per series (%d series)", perSeries, n)
	assert.LessOrEqual(t, perSeries, 2048.0)
}

func bytesPerSeries(t testing.TB, n int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e := newEngine(t, func(c *Config) { c.MaxSeries = n })
	keys := make([]series.Key, n)
	for i := range keys {
		keys[i] = series.KeyOf("m", strconv.Itoa(i))
	}
	for round := 0; round < 3; round++ {
		for i, k := range keys {
			e.Observe(k, pt(round, float64(i%100)))
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(e)
	runtime.KeepAlive(keys)
	keyBytes := float64(n) * 16 // the test's own key slice
	return (float64(after.HeapAlloc-before.HeapAlloc) - keyBytes) / float64(n)
}

// BenchmarkObserve measures one point through Engine.Observe with 100k
// active series, visited round-robin (the worst case for caches).
func BenchmarkObserve(b *testing.B) {
	const n = 100_000
	e := newEngine(b, func(c *Config) { c.MaxSeries = n })
	keys := make([]series.Key, n)
	for i := range keys {
		keys[i] = series.KeyOf("m", strconv.Itoa(i))
	}
	// Warm every series past warm-up so the full path runs.
	const warm = 60
	for r := 0; r < warm; r++ {
		for i, k := range keys {
			e.Observe(k, pt(r, float64(i%100)+float64(r%7)))
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := warm + i/n
		k := keys[i%n]
		e.Observe(k, pt(r, float64(i%100)+float64(r%7)))
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkObserveOneSeries is the hot path without cache misses.
func BenchmarkObserveOneSeries(b *testing.B) {
	e := newEngine(b, nil)
	k := series.KeyOf("m")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e.Observe(k, pt(i, float64(i%100)))
	}
}

// BenchmarkBytesPerSeries reports the heap per series as a metric.
func BenchmarkBytesPerSeries(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.ReportMetric(bytesPerSeries(b, 100_000), "bytes/series")
	}
}

func BenchmarkSnapshot(b *testing.B) {
	e := newEngine(b, nil)
	k := series.KeyOf("m")
	for i := 0; i < 1000; i++ {
		e.Observe(k, pt(i, float64(i%100)))
	}
	buf := make([]byte, 0, detector.SnapshotSize())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, _ = e.Snapshot(buf[:0], k)
	}
}
