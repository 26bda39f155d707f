// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"context"
	"strings"
	"sync"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
)

// sources decides, per chassis and reading family, which data model is read.
// Exactly one source per family: no reading is ever counted twice.
type sources struct {
	fansSub, sensorsForTemps, sensorsForVolts, psusSub, envForHost bool
	needThermal, needPower, needSensors                            bool
}

func (co *collector) sourcesFor(ch chassisInv) sources {
	var s sources
	s.fansSub = ch.thermalSub != "" && co.useSubsystem(ch.thermalSub, ch.thermal)
	s.sensorsForTemps = ch.sensors != "" && co.useSubsystem(ch.sensors, ch.thermal)
	s.sensorsForVolts = ch.sensors != "" && co.useSubsystem(ch.sensors, ch.power)
	s.psusSub = ch.powerSub != "" && co.useSubsystem(ch.powerSub, ch.power)
	s.envForHost = ch.environment != "" && co.useSubsystem(ch.environment, ch.power)
	s.needThermal = ch.thermal != "" && ((!s.fansSub && co.model != dataModelSubsystem) || (!s.sensorsForTemps && co.model != dataModelSubsystem))
	s.needPower = ch.power != "" && co.model != dataModelSubsystem && (!s.psusSub || !s.sensorsForVolts || !s.envForHost)
	s.needSensors = s.sensorsForTemps || s.sensorsForVolts
	return s
}

// readings fetches the thermal and power readings of one chassis.
func (co *collector) readings(ctx context.Context, ch chassisInv, parent string, add func(func(*snapshot)), er *errs) {
	src := co.sourcesFor(ch)
	var thermal, power client.Doc
	var err error
	if src.needThermal {
		if thermal, err = co.c.GetDoc(ctx, ch.thermal); err != nil {
			er.add(err)
		}
	}
	if src.needPower {
		if power, err = co.c.GetDoc(ctx, ch.power); err != nil {
			er.add(err)
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		co.power(ctx, ch, parent, src, power, add, er)
	}()
	go func() {
		defer wg.Done()
		co.fans(ctx, ch, parent, src, thermal, add, er)
	}()
	// Temperatures and voltages.
	var sensors []client.Doc
	if src.needSensors {
		sensors = co.memberDocs(ctx, ch.sensors, ch.sensorURIs, er)
	}
	add(func(sn *snapshot) {
		if src.sensorsForTemps {
			sensorReadings(sn, sensors, parent, "Temperature")
		} else if thermal != nil {
			legacyTemps(sn, ch.thermal, parent, thermal)
		}
		if src.sensorsForVolts {
			sensorReadings(sn, sensors, parent, "Voltage")
		} else if power != nil {
			legacyVolts(sn, ch.power, parent, power)
		}
	})
	wg.Wait()
}

func (co *collector) fans(ctx context.Context, ch chassisInv, parent string, src sources, thermal client.Doc, add func(func(*snapshot)), er *errs) {
	switch {
	case src.fansSub:
		fans := each(ctx, co.parallelism, ch.fans, co.c.GetFan, er)
		add(func(sn *snapshot) {
			for _, f := range fans {
				if !present(f.State) {
					continue
				}
				id := hwID(f.ID)
				sn.components = append(sn.components, hwComponent{id: id, name: f.Name, typ: "fan", parent: parent,
					health: f.Health, state: f.State, model: f.Model, serial: f.Serial})
				fr := fanReading{id: id, name: f.Name, parent: parent, rpm: f.RPM}
				if f.Percent != nil {
					r := *f.Percent / 100
					fr.ratio = &r
				}
				sn.fans = append(sn.fans, fr)
			}
		})
	case thermal != nil:
		add(func(sn *snapshot) { legacyFans(sn, ch.thermal, parent, thermal) })
	}
}

func memberID(base, array string, i int, m client.Doc) string {
	if id := m.Str("@odata.id"); id != "" && strings.Contains(id, "#") {
		return hwID(id)
	}
	mid := m.Str("MemberId")
	if mid == "" {
		mid = itoa(i)
	}
	return hwID(base) + "#/" + array + "/" + mid
}

func legacyFans(sn *snapshot, base, parent string, thermal client.Doc) {
	for i, f := range thermal.Arr("Fans") {
		h, st := f.Health()
		if !present(st) {
			continue
		}
		id := memberID(base, "Fans", i, f)
		name := f.Str("Name")
		if name == "" {
			name = f.Str("FanName")
		}
		sn.components = append(sn.components, hwComponent{id: id, name: name, typ: "fan", parent: parent, health: h, state: st})
		fr := fanReading{id: id, name: name, parent: parent}
		v := f.Num("Reading")
		if strings.EqualFold(f.Str("ReadingUnits"), "Percent") {
			if v != nil {
				r := *v / 100
				fr.ratio = &r
			}
		} else {
			fr.rpm = v
		}
		sn.fans = append(sn.fans, fr)
	}
}

func legacyTemps(sn *snapshot, base, parent string, thermal client.Doc) {
	for i, t := range thermal.Arr("Temperatures") {
		h, st := t.Health()
		if !present(st) {
			continue
		}
		id := memberID(base, "Temperatures", i, t)
		sn.components = append(sn.components, hwComponent{id: id, name: t.Str("Name"), typ: "temperature", parent: parent, health: h, state: st})
		sn.temps = append(sn.temps, temperature{id: id, name: t.Str("Name"), parent: parent, location: t.Str("PhysicalContext"),
			value: t.Num("ReadingCelsius"), limits: limits{
				lowCritical: t.Num("LowerThresholdCritical"), lowDegraded: t.Num("LowerThresholdNonCritical"),
				highDegraded: t.Num("UpperThresholdNonCritical"), highCritical: t.Num("UpperThresholdCritical"),
			}})
	}
}

func legacyVolts(sn *snapshot, base, parent string, power client.Doc) {
	for i, v := range power.Arr("Voltages") {
		h, st := v.Health()
		if !present(st) {
			continue
		}
		id := memberID(base, "Voltages", i, v)
		sn.components = append(sn.components, hwComponent{id: id, name: v.Str("Name"), typ: "voltage", parent: parent, health: h, state: st})
		sn.volts = append(sn.volts, voltage{id: id, name: v.Str("Name"), parent: parent, value: v.Num("ReadingVolts"),
			limits: limits{
				lowCritical: v.Num("LowerThresholdCritical"), lowDegraded: v.Num("LowerThresholdNonCritical"),
				highDegraded: v.Num("UpperThresholdNonCritical"), highCritical: v.Num("UpperThresholdCritical"),
			}})
	}
}

func threshold(th client.Doc, k string) *float64 { return th.Obj(k).Num("Reading") }

// sensorReadings takes the Sensor resources of one ReadingType. Fan, power
// and energy sensors are skipped: those readings come from the Fan,
// PowerSupply and EnvironmentMetrics resources (one source per reading).
func sensorReadings(sn *snapshot, sensors []client.Doc, parent, readingType string) {
	for _, s := range sensors {
		if s.Str("ReadingType") != readingType {
			continue
		}
		h, st := s.Health()
		if !present(st) {
			continue
		}
		id := hwID(s.Str("@odata.id"))
		name := s.Str("Name")
		th := s.Obj("Thresholds")
		lim := limits{
			lowCritical: threshold(th, "LowerCritical"), lowDegraded: threshold(th, "LowerCaution"),
			highDegraded: threshold(th, "UpperCaution"), highCritical: threshold(th, "UpperCritical"),
		}
		switch readingType {
		case "Temperature":
			sn.components = append(sn.components, hwComponent{id: id, name: name, typ: "temperature", parent: parent, health: h, state: st})
			sn.temps = append(sn.temps, temperature{id: id, name: name, parent: parent, location: s.Str("PhysicalContext"),
				value: s.Num("Reading"), limits: lim})
		case "Voltage":
			sn.components = append(sn.components, hwComponent{id: id, name: name, typ: "voltage", parent: parent, health: h, state: st})
			sn.volts = append(sn.volts, voltage{id: id, name: name, parent: parent, value: s.Num("Reading"), limits: lim})
		}
	}
}
