package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"math"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// srcCtx is the identity of the data points being scored: a metric of a
// batch.
type srcCtx struct {
	b      *batch
	res    *resourceRec
	scope  *scopeRec
	m      *metricRec
	prefix series.Key // hash of resource, scope and metric name
	resVer versionRef
}

// versionRef is the version of a series: the hash of the version attribute's
// value (0 = none) and the attribute itself, whose value is formatted only
// when the canary comparison needs its name.
type versionRef struct {
	hash uint64
	b    *batch
	a    *attrRec
}

func (v versionRef) name() string {
	if v.a.typ == pcommon.ValueTypeStr {
		return v.a.str // no allocation
	}
	return v.b.value(v.a).AsString()
}

// hashAttrs returns the order-independent hash of attributes without the
// version attributes, and the first version attribute found (hash 0 =
// none). The bytes hashed are those of the pdata values. A change orphans
// every persisted baseline: it needs a new manifest magic (persist.go).
func (p *regressionProcessor) hashAttrs(b *batch, s span) (key series.Key, version versionRef) {
	attrs := b.attrsOf(s)
	for i := range attrs {
		a := &attrs[i]
		if slices.Contains(p.versionAttrs, a.key) {
			if version.hash == 0 {
				h := series.NewHasher()
				writeValue(&h, a)
				version = versionRef{hash: h.Key().Lo | 1, b: b, a: a} // hash never 0
			}
			continue
		}
		key = key.Add(attrKey(a))
	}
	return key, version
}

func attrKey(a *attrRec) series.Key {
	switch a.typ {
	case pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool:
		return series.AttrKeyNum(a.key, uint8(a.typ), a.num)
	}
	return series.AttrKey(a.key, uint8(a.typ), a.str) // strings, and AsString of the others
}

func writeValue(h *series.Hasher, a *attrRec) {
	_ = h.WriteByte(byte(a.typ))
	switch a.typ {
	case pcommon.ValueTypeStr:
		h.WriteString(a.str)
	case pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool:
		h.WriteUint64(a.num)
	default:
		h.WriteString(a.str) // AsString
	}
}

// pointKey returns the series key of a data point (quantile index qi, or -1) and its
// version. The key is the lane-wise sum of the hash of resource, scope and
// name (itself a hash of the resource's attribute hash), of the point's
// attributes and of the quantile: each part is a 128-bit hash (xxh3 for an
// attribute, FNV-1a for the rest), so a collision is as unlikely as between
// random keys, and the sum hashes nothing but the point's own attributes.
func (p *regressionProcessor) pointKey(src *srcCtx, attrs span, qi int) (series.Key, versionRef) {
	ak, ver := p.hashAttrs(src.b, attrs)
	if src.resVer.hash != 0 {
		ver = src.resVer
	}
	k := src.prefix.Add(ak)
	if qi >= 0 {
		k = k.Add(p.qkeys[qi])
	}
	return k, ver
}

func quantileKey(q float64) series.Key {
	h := series.NewHasher()
	h.WriteString("aiops.quantile")
	h.WriteUint64(math.Float64bits(q))
	return h.Key()
}
