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
// these stay the same; a change needs a new manifest magic (persist.go).
func TestSeriesKeysAreStable(t *testing.T) {
	p := newBenchProcessor(t, 10)
	b := new(batch)
	p.capture(identityMetrics(), b)
	rk, rv := p.hashAttrs(b, b.resources[0].attrs)
	assert.Equal(t, "69fd1560d8c0e5314e7068c55e980097", rk.String())
	assert.Equal(t, "fd2deab99e61e9b", strconv.FormatUint(rv.hash, 16))
	want := []struct{ key, version string }{
		{"325b27097fe73fd399dde9cb0dacb862", "0"},
		{"eef54ff1c0e70ddd3e198c44cb1d8e9b", "0"},
		{"eef54ff1c0e70ddd3e198c44cb1d8e9b", "0"}, // the same set in another order
		{"b32cb604f510dd3275a12db397e0fa59", "0"},
		{"8ce76038a8a02a7577dc039368ef3662", "fd2deadf3d75bf1"},
		{"00000000000000000000000000000000", "0"},
	}
	require.Len(t, b.points, len(want))
	for i, pt := range b.points {
		k, v := p.hashAttrs(b, pt.attrs)
		assert.Equal(t, want[i].key, k.String(), "point %d", i)
		assert.Equal(t, want[i].version, strconv.FormatUint(v.hash, 16), "point %d", i)
	}
}
