package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/series"
)

// srcCtx is the identity of the data point being scored.
type srcCtx struct {
	rm     pmetric.ResourceMetrics
	sm     pmetric.ScopeMetrics
	m      pmetric.Metric
	prefix series.Key // hash of resource, scope and metric name
	resVer versionRef
	rate   bool // a cumulative counter scored as a rate per second
}

// versionRef is the version of a series: the hash of the version attribute's
// value (0 = none) and the value itself, read only when the canary
// comparison needs its name.
type versionRef struct {
	hash uint64
	val  pcommon.Value
}

func (v versionRef) name() string {
	if v.val.Type() == pcommon.ValueTypeStr {
		return v.val.Str() // no allocation
	}
	return v.val.AsString()
}

// hashAttrs returns the order-independent hash of a map without the version
// attributes, and the first version attribute found (hash 0 = none).
func (p *regressionProcessor) hashAttrs(m pcommon.Map) (key series.Key, version versionRef) {
	m.Range(func(k string, v pcommon.Value) bool {
		for _, va := range p.versionAttrs {
			if k == va {
				if version.hash == 0 {
					h := series.NewHasher()
					writeValue(&h, v)
					version = versionRef{hash: h.Key().Lo | 1, val: v} // hash never 0
				}
				return true
			}
		}
		h := series.NewHasher()
		h.WriteString(k)
		writeValue(&h, v)
		key = key.Add(h.Key())
		return true
	})
	return key, version
}

func writeValue(h *series.Hasher, v pcommon.Value) {
	_ = h.WriteByte(byte(v.Type()))
	switch v.Type() {
	case pcommon.ValueTypeStr:
		h.WriteString(v.Str())
	case pcommon.ValueTypeInt:
		h.WriteUint64(uint64(v.Int()))
	case pcommon.ValueTypeDouble:
		h.WriteUint64(math.Float64bits(v.Double()))
	case pcommon.ValueTypeBool:
		if v.Bool() {
			h.WriteUint64(1)
		} else {
			h.WriteUint64(0)
		}
	default:
		h.WriteString(v.AsString())
	}
}

// pointKey returns the series key of a data point (quantile index qi, or -1) and its
// version. The key is the lane-wise sum of the hash of resource, scope and
// name (itself a hash of the resource's attribute hash), of the point's
// attributes and of the quantile: each part is a 128-bit FNV-1a hash, so a
// collision is as unlikely as between random keys, and the sum costs no
// hashing per point.
func (p *regressionProcessor) pointKey(src *srcCtx, attrs pcommon.Map, qi int) (series.Key, versionRef) {
	ak, ver := p.hashAttrs(attrs)
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
