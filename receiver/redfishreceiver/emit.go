// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"cmp"
	"math"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
)

const joulesPerKWh = 3.6e6

// joules converts a kWh reading; false when absent or out of range.
func joules(kWh *float64) (float64, bool) {
	if kWh == nil {
		return 0, false
	}
	j := *kWh * joulesPerKWh
	return j, !math.IsInf(j, 0)
}

// count converts an error counter; false when absent or not a count
// (negative, NaN or beyond int64).
func count(v *float64) (int64, bool) {
	if v == nil || *v < 0 || *v >= math.MaxInt64 || math.IsNaN(*v) {
		return 0, false
	}
	return int64(*v), true
}

// hw.errors attribute options, built once.
var (
	errCorrectable   = metadata.WithErrorTypeMetricAttribute(metadata.AttributeErrorTypeCorrectable.String())
	errUncorrectable = metadata.WithErrorTypeMetricAttribute(metadata.AttributeErrorTypeUncorrectable.String())
	dirReceive       = metadata.WithNetworkIoDirectionMetricAttribute(metadata.AttributeNetworkIoDirectionReceive.String())
	dirTransmit      = metadata.WithNetworkIoDirectionMetricAttribute(metadata.AttributeNetworkIoDirectionTransmit.String())
)

var hwStates = []struct {
	name string
	attr metadata.AttributeHwState
}{
	{"ok", metadata.AttributeHwStateOk},
	{"degraded", metadata.AttributeHwStateDegraded},
	{"failed", metadata.AttributeHwStateFailed},
}

func (s *snapshot) sort() {
	slices.SortFunc(s.components, func(a, b hwComponent) int { return cmp.Compare(a.id, b.id) })
	s.components = slices.CompactFunc(s.components, func(a, b hwComponent) bool { return a.id == b.id })
	slices.SortFunc(s.temps, func(a, b temperature) int { return cmp.Compare(a.id, b.id) })
	slices.SortFunc(s.volts, func(a, b voltage) int { return cmp.Compare(a.id, b.id) })
	slices.SortFunc(s.fans, func(a, b fanReading) int { return cmp.Compare(a.id, b.id) })
	slices.SortFunc(s.psus, func(a, b psuReading) int { return cmp.Compare(a.id, b.id) })
	slices.SortFunc(s.hosts, func(a, b hostReading) int { return cmp.Compare(a.id, b.id) })
	slices.SortFunc(s.ports, func(a, b portReading) int { return cmp.Compare(a.id, b.id) })
}

func recordLimits(ts pcommon.Timestamp, l limits, rec func(pcommon.Timestamp, float64, metadata.AttributeHwLimitType)) {
	if l.lowCritical != nil {
		rec(ts, *l.lowCritical, metadata.AttributeHwLimitTypeLowCritical)
	}
	if l.lowDegraded != nil {
		rec(ts, *l.lowDegraded, metadata.AttributeHwLimitTypeLowDegraded)
	}
	if l.highDegraded != nil {
		rec(ts, *l.highDegraded, metadata.AttributeHwLimitTypeHighDegraded)
	}
	if l.highCritical != nil {
		rec(ts, *l.highCritical, metadata.AttributeHwLimitTypeHighCritical)
	}
}

// opts returns the conditional attributes that have a value (an unknown
// parent, location, model… is omitted, not sent as "").
func opts(kv ...string) []metadata.MetricAttributeOption {
	var out []metadata.MetricAttributeOption
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		switch kv[i] {
		case "hw.parent":
			out = append(out, metadata.WithHwParentMetricAttribute(kv[i+1]))
		case "hw.sensor_location":
			out = append(out, metadata.WithHwSensorLocationMetricAttribute(kv[i+1]))
		case "hw.model":
			out = append(out, metadata.WithHwModelMetricAttribute(kv[i+1]))
		case "hw.serial_number":
			out = append(out, metadata.WithHwSerialNumberMetricAttribute(kv[i+1]))
		case "hw.firmware_version":
			out = append(out, metadata.WithHwFirmwareVersionMetricAttribute(kv[i+1]))
		}
	}
	return out
}

// record writes a snapshot into mb. Absent readings are skipped, never zero.
func record(mb *metadata.MetricsBuilder, ts pcommon.Timestamp, s *snapshot) {
	for _, c := range s.components {
		state, ok := hwState(c.health)
		typ, tok := metadata.MapAttributeHwType[c.typ]
		if !ok || !tok || !present(c.state) {
			continue
		}
		o := opts("hw.parent", c.parent, "hw.model", c.model, "hw.serial_number", c.serial, "hw.firmware_version", c.fw)
		for _, st := range hwStates {
			v := int64(0)
			if st.name == state {
				v = 1
			}
			mb.RecordHwStatusDataPoint(ts, v, c.id, c.name, typ, st.attr, o...)
		}
		po := opts("hw.parent", c.parent)
		if n, ok := count(c.correctable); ok {
			mb.RecordHwErrorsDataPoint(ts, n, c.id, c.name, typ, append(po, errCorrectable)...)
		}
		if n, ok := count(c.uncorrectable); ok {
			mb.RecordHwErrorsDataPoint(ts, n, c.id, c.name, typ, append(po, errUncorrectable)...)
		}
	}
	for _, t := range s.temps {
		if t.value != nil {
			mb.RecordHwTemperatureDataPoint(ts, *t.value, t.id, t.name, opts("hw.parent", t.parent, "hw.sensor_location", t.location)...)
		}
		recordLimits(ts, t.limits, func(ts pcommon.Timestamp, v float64, lt metadata.AttributeHwLimitType) {
			mb.RecordHwTemperatureLimitDataPoint(ts, v, t.id, t.name, lt, opts("hw.parent", t.parent)...)
		})
	}
	for _, v := range s.volts {
		if v.value != nil {
			mb.RecordHwVoltageDataPoint(ts, *v.value, v.id, v.name, opts("hw.parent", v.parent)...)
		}
		recordLimits(ts, v.limits, func(ts pcommon.Timestamp, x float64, lt metadata.AttributeHwLimitType) {
			mb.RecordHwVoltageLimitDataPoint(ts, x, v.id, v.name, lt, opts("hw.parent", v.parent)...)
		})
	}
	for _, f := range s.fans {
		if f.rpm != nil {
			mb.RecordHwFanSpeedDataPoint(ts, *f.rpm, f.id, f.name, opts("hw.parent", f.parent)...)
		}
		if f.ratio != nil {
			mb.RecordHwFanSpeedRatioDataPoint(ts, *f.ratio, f.id, f.name, opts("hw.parent", f.parent)...)
		}
	}
	for _, p := range s.psus {
		po := opts("hw.parent", p.parent)
		if p.inputW != nil {
			mb.RecordHwPowerDataPoint(ts, *p.inputW, p.id, p.name, metadata.AttributeHwTypePowerSupply, po...)
		}
		if j, ok := joules(p.kWh); ok {
			mb.RecordHwEnergyDataPoint(ts, j, p.id, p.name, metadata.AttributeHwTypePowerSupply, po...)
		}
		if p.capacityW != nil {
			mb.RecordHwPowerSupplyLimitDataPoint(ts, *p.capacityW, p.id, p.name, metadata.AttributeHwLimitTypeMax, po...)
		}
		if p.outputW != nil {
			mb.RecordHwPowerSupplyUsageDataPoint(ts, *p.outputW, p.id, p.name, po...)
			if p.capacityW != nil && *p.capacityW > 0 && !math.IsInf(*p.outputW / *p.capacityW, 0) {
				mb.RecordHwPowerSupplyUtilizationDataPoint(ts, *p.outputW / *p.capacityW, p.id, p.name, po...)
			}
		}
	}
	for _, p := range s.ports {
		po := opts("hw.parent", p.parent)
		if n, ok := count(p.rx); ok {
			mb.RecordHwErrorsDataPoint(ts, n, p.id, p.name, metadata.AttributeHwTypeNetwork, append(po, dirReceive)...)
		}
		if n, ok := count(p.tx); ok {
			mb.RecordHwErrorsDataPoint(ts, n, p.id, p.name, metadata.AttributeHwTypeNetwork, append(po, dirTransmit)...)
		}
	}
	for _, h := range s.hosts {
		if h.powerW != nil {
			mb.RecordHwHostPowerDataPoint(ts, *h.powerW, h.id, h.name)
		}
		if j, ok := joules(h.kWh); ok {
			mb.RecordHwHostEnergyDataPoint(ts, j, h.id, h.name)
		}
		if h.ambientC != nil {
			mb.RecordHwHostAmbientTemperatureDataPoint(ts, *h.ambientC, h.id, h.name)
		}
	}
}
