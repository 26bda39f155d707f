// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"math"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
)

// FuzzReadings feeds arbitrary documents to every reading decoder (legacy
// Thermal/Power arrays, Sensor resources, log entries) and the emitter: no
// panic, and every emitted value is finite.
func FuzzReadings(f *testing.F) {
	for _, s := range []string{
		`{"Fans":[{"Name":"F","Reading":100,"ReadingUnits":"RPM","Status":{"Health":"OK"}}],"Temperatures":[{"ReadingCelsius":"hot"}]}`,
		`{"Voltages":[{"ReadingVolts":12,"UpperThresholdCritical":13}],"PowerSupplies":[{"PowerCapacityWatts":0,"LastPowerOutputWatts":5}],"PowerControl":[1]}`,
		`{"@odata.id":"/redfish/v1/Chassis/1/Sensors/T","ReadingType":"Temperature","Reading":1e308,"Thresholds":{"UpperCritical":{"Reading":[]}}}`,
		`{"Id":"7","Created":"2026-01-01T00:00:00Z","Severity":"Critical","Message":5,"Links":{"OriginOfCondition":"x"}}`,
		`{"Fans":{"0":1},"Temperatures":null}`,
		`{"PowerCapacityWatts":1e-300,"OutputPowerWatts":{"Reading":1e300},"EnergykWh":{"Reading":1e305},"SpeedPercent":{"SpeedRPM":-1}}`,
	} {
		f.Add([]byte(s))
	}
	mb := metadata.NewMetricsBuilder(metadata.NewDefaultMetricsBuilderConfig(), receivertest.NewNopSettings(metadata.Type))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := client.Parse(b)
		if err != nil {
			return
		}
		sn := &snapshot{}
		legacyFans(sn, "/redfish/v1/Chassis/1/Thermal", "Chassis/1", d)
		legacyTemps(sn, "/redfish/v1/Chassis/1/Thermal", "Chassis/1", d)
		legacyVolts(sn, "/redfish/v1/Chassis/1/Power", "Chassis/1", d)
		sensorReadings(sn, []client.Doc{d}, "Chassis/1", "Temperature")
		sensorReadings(sn, []client.Doc{d}, "Chassis/1", "Voltage")
		p := client.PSUFromDoc("/redfish/v1/Chassis/1/PowerSubsystem/PowerSupplies/1", d)
		client.PSUMetricsFromDoc(p, d)
		sn.psus = append(sn.psus, psuReading{id: "p", name: p.Name, capacityW: p.CapacityW, inputW: p.InputW, outputW: p.OutputW, kWh: p.Energy})
		fan := client.FanFromDoc("/redfish/v1/Chassis/1/ThermalSubsystem/Fans/1", d)
		sn.fans = append(sn.fans, fanReading{id: "f", rpm: fan.RPM, ratio: fan.Percent})
		sn.hosts = append(sn.hosts, hostReading{id: "Chassis/1", powerW: d.Obj("PowerWatts").Num("Reading"), kWh: d.Obj("EnergykWh").Num("Reading")})
		for typ, counters := range errorCounters {
			c := hwComponent{id: typ, name: typ, typ: typ, health: "OK"}
			c.correctable, c.uncorrectable = counters(d)
			sn.components = append(sn.components, c)
		}
		sn.sort()
		sn.finish()
		record(mb, pcommon.NewTimestampFromTime(time.Unix(0, 0)), sn)
		md := mb.Emit()
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			ms := rms.At(i).ScopeMetrics().At(0).Metrics()
			for j := 0; j < ms.Len(); j++ {
				if ms.At(j).Name() == "hw.status" {
					continue
				}
				for _, dp := range points(md, ms.At(j).Name()) {
					if v := dp.DoubleValue(); math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s: non-finite value", ms.At(j).Name())
					}
				}
			}
		}
		var c cursor
		e := newEntry(d, 0)
		if c.isNew(e) {
			c.advance(e)
		}
		if c.isNew(e) {
			t.Fatal("an entry is still new after the mark advanced past it")
		}
		detectOrder([]entry{e, e, newEntry(d, 1)})
	})
}
