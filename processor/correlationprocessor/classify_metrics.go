package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Names of the regression processor's anomaly series (see
// processor/regressionprocessor/README.md, "Derived series"). They are
// configurable: anomalies::metric and anomalies::score_metric.
const (
	defaultAnomalyMetric      = "aiops.anomaly"
	defaultAnomalyScoreMetric = "aiops.anomaly.score"

	attrMetricName       = "aiops.metric.name"
	attrAnomalyState     = "aiops.anomaly.state"
	attrAnomalyKind      = "aiops.anomaly.kind"
	attrAnomalyDirection = "aiops.anomaly.direction"
	attrPrefix           = "aiops."
)

// metricClassifier turns anomaly event points into findings: an "open" point
// opens one, an "ongoing" point repeats it (same fingerprint, keeps the
// incident alive), a "close" point is ignored (incidents resolve after the
// quiet period).
type metricClassifier struct {
	metric, scoreMetric string
	severity            incident.Severity
	entity              []string
	source              string
}

// hasAnomalies reports cheaply whether any metric of the resource is the
// anomaly series, so that batches without anomalies cost one name
// comparison per metric.
func (c *metricClassifier) hasAnomalies(rm pmetric.ResourceMetrics) bool {
	sms := rm.ScopeMetrics()
	for j := 0; j < sms.Len(); j++ {
		ms := sms.At(j).Metrics()
		for k := 0; k < ms.Len(); k++ {
			if ms.At(k).Name() == c.metric {
				return true
			}
		}
	}
	return false
}

func (c *metricClassifier) classify(md pmetric.Metrics, dst []incident.Finding) []incident.Finding {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		res := rm.Resource().Attributes()
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			var scores map[string]float64
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				if m.Name() != c.metric || m.Type() != pmetric.MetricTypeGauge {
					continue
				}
				if scores == nil {
					scores = c.scores(ms)
				}
				dps := m.Gauge().DataPoints()
				for d := 0; d < dps.Len(); d++ {
					if f, ok := c.finding(res, dps.At(d), scores); ok {
						dst = append(dst, f)
					}
				}
			}
		}
	}
	return dst
}

// scores indexes the score series of one scope by point identity.
func (c *metricClassifier) scores(ms pmetric.MetricSlice) map[string]float64 {
	out := map[string]float64{}
	for k := 0; k < ms.Len(); k++ {
		m := ms.At(k)
		if m.Name() != c.scoreMetric || m.Type() != pmetric.MetricTypeGauge {
			continue
		}
		dps := m.Gauge().DataPoints()
		for d := 0; d < dps.Len(); d++ {
			dp := dps.At(d)
			out[pointKey(dp.Attributes(), dp.Timestamp())] = dp.DoubleValue()
		}
	}
	return out
}

// pointKey identifies a point by its non-anomaly-event attributes and time.
func pointKey(attrs pcommon.Map, ts pcommon.Timestamp) string {
	var b strings.Builder
	b.WriteString(strconv.FormatUint(uint64(ts), 10))
	for k, v := range sortedAttrs(attrs) {
		if k == attrAnomalyState || k == attrAnomalyKind || k == attrAnomalyDirection {
			continue
		}
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}

func sortedAttrs(m pcommon.Map) func(func(string, string) bool) {
	return func(yield func(string, string) bool) {
		keys := make([]string, 0, m.Len())
		for k := range m.All() {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v, _ := m.Get(k)
			if !yield(k, v.AsString()) {
				return
			}
		}
	}
}

func (c *metricClassifier) finding(res pcommon.Map, dp pmetric.NumberDataPoint, scores map[string]float64) (incident.Finding, bool) {
	attrs := dp.Attributes()
	state := ""
	if v, ok := attrs.Get(attrAnomalyState); ok {
		state = v.Str()
	}
	if state != "open" && state != "ongoing" {
		return incident.Finding{}, false
	}
	if dp.Timestamp() == 0 {
		return incident.Finding{}, false
	}
	signal := ""
	if v, ok := attrs.Get(attrMetricName); ok {
		signal = v.AsString()
	}
	entity := entityOf(c.entity, res, attrs)
	// The series identity: the source point's own attributes (not the
	// entity's, nor the anomaly event's kind/direction/state).
	var extra []string
	for k, v := range sortedAttrs(attrs) {
		if strings.HasPrefix(k, attrPrefix) && k != "aiops.quantile" {
			continue
		}
		if _, inEntity := entity.Get(k); inEntity {
			continue
		}
		extra = append(extra, k+"="+v)
	}
	fp := incident.NewFingerprint(incident.KindAnomaly, entity, signal, extra...)
	score := 1.0
	if s, ok := scores[pointKey(attrs, dp.Timestamp())]; ok && s >= 0 && s <= 1 {
		score = s
	}
	kind, dir := "", ""
	if v, ok := attrs.Get(attrAnomalyKind); ok {
		kind = v.AsString()
	}
	if v, ok := attrs.Get(attrAnomalyDirection); ok {
		dir = v.AsString()
	}
	at := dp.Timestamp().AsTime()
	f := incident.Finding{
		ID:          incident.NewFindingID(fp, strconv.FormatInt(at.UnixNano(), 10)),
		Fingerprint: fp,
		Kind:        incident.KindAnomaly,
		Severity:    c.severity,
		Time:        at,
		Entity:      entity,
		Signal:      signal,
		Score:       score,
		Source:      c.source,
		Title:       strings.TrimSpace(strings.Join([]string{kind, dir, "on", signal}, " ")),
		Evidence:    map[string]string{"anomaly.kind": kind, "anomaly.direction": dir, "anomaly.state": state},
	}
	return f, f.Validate() == nil
}
