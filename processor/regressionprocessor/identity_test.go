package regressionprocessor

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// identityMetrics is one resource (with a version) and a gauge whose points
// carry attributes of every type, in different orders, a version attribute
// of their own, and none.
func identityMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "checkout")
	rm.Resource().Attributes().PutStr("service.version", "2.1.0")
	dps := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints()
	add := func(f func(a pcommon.Map)) {
		dp := dps.AppendEmpty()
		dp.SetDoubleValue(1)
		f(dp.Attributes())
	}
	add(func(a pcommon.Map) { a.PutStr("cpu", "0"); a.PutStr("state", "user") })
	add(func(a pcommon.Map) { a.PutStr("cpu", "1"); a.PutStr("state", "user") })
	add(func(a pcommon.Map) { a.PutStr("state", "user"); a.PutStr("cpu", "1") })
	add(func(a pcommon.Map) {
		a.PutInt("port", 8080)
		a.PutDouble("ratio", 0.25)
		a.PutBool("ok", true)
		a.PutEmptyBytes("raw").FromRaw([]byte{1, 2})
		a.PutEmptySlice("list").AppendEmpty().SetStr("x")
		a.PutStr("", "")
	})
	add(func(a pcommon.Map) { a.PutStr("service.version", "2.2.0"); a.PutStr("cpu", "1") })
	add(func(pcommon.Map) {})
	return md
}

// TestSeriesKeysAreStable pins the hashes that series keys are made of:
// persisted baselines find their series again after an upgrade only while
// these stay the same.
func TestSeriesKeysAreStable(t *testing.T) {
	p := newBenchProcessor(t, 10)
	b := new(batch)
	p.capture(identityMetrics(), b)
	rk, rv := p.hashAttrs(b, b.resources[0].attrs)
	assert.Equal(t, "aeeb92dcb9fee195f54132c1f39a9472", rk.String())
	assert.Equal(t, "fd2deab99e61e9b", strconv.FormatUint(rv.hash, 16))
	want := []struct{ key, version string }{
		{"9bda53b72b7153772fc7face85bd92ce", "0"},
		{"9bda53b52b7153772fc7face85bca067", "0"},
		{"9bda53b52b7153772fc7face85bca067", "0"}, // the same set in another order
		{"d110931800e21298a438106dbed2a217", "0"},
		{"8b030fe9314ff78db10591aa086b58e5", "fd2deadf3d75bf1"},
		{"00000000000000000000000000000000", "0"},
	}
	require.Len(t, b.points, len(want))
	for i, pt := range b.points {
		k, v := p.hashAttrs(b, pt.attrs)
		assert.Equal(t, want[i].key, k.String(), "point %d", i)
		assert.Equal(t, want[i].version, strconv.FormatUint(v.hash, 16), "point %d", i)
	}
}
