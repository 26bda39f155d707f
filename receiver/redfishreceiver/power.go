// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"context"
	"strconv"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
)

func itoa(i int) string { return strconv.Itoa(i) }

// power fetches power supplies and the chassis' total power and energy.
func (co *collector) power(ctx context.Context, ch chassisInv, parent string, src sources, power client.Doc, add func(func(*snapshot)), er *errs) {
	switch {
	case src.psusSub:
		psus := each(ctx, co.parallelism, ch.psus, co.c.GetPSU, er)
		add(func(sn *snapshot) {
			for _, p := range psus {
				if !present(p.State) {
					continue
				}
				id := hwID(p.ID)
				sn.components = append(sn.components, hwComponent{id: id, name: p.Name, typ: "power_supply", parent: parent,
					health: p.Health, state: p.State, model: p.Model, serial: p.Serial, fw: p.Firmware})
				sn.psus = append(sn.psus, psuReading{id: id, name: p.Name, parent: parent,
					capacityW: p.CapacityW, inputW: p.InputW, outputW: p.OutputW, kWh: p.Energy})
			}
		})
	case power != nil:
		add(func(sn *snapshot) {
			for i, p := range power.Arr("PowerSupplies") {
				h, st := p.Health()
				if !present(st) {
					continue
				}
				id := memberID(ch.power, "PowerSupplies", i, p)
				sn.components = append(sn.components, hwComponent{id: id, name: p.Str("Name"), typ: "power_supply", parent: parent,
					health: h, state: st, model: p.Str("Model"), serial: p.Str("SerialNumber"), fw: p.Str("FirmwareVersion")})
				sn.psus = append(sn.psus, psuReading{id: id, name: p.Str("Name"), parent: parent,
					capacityW: p.Num("PowerCapacityWatts"), inputW: p.Num("PowerInputWatts"), outputW: p.Num("LastPowerOutputWatts")})
			}
		})
	}
	hr := hostReading{id: parent, name: ch.name}
	switch {
	case src.envForHost:
		env, err := co.c.GetDoc(ctx, ch.environment)
		if err != nil {
			er.add(err)
			return
		}
		hr.powerW = env.Obj("PowerWatts").Num("Reading")
		hr.kWh = env.Obj("EnergykWh").Num("Reading")
	case power != nil:
		if pcs := power.Arr("PowerControl"); len(pcs) > 0 {
			hr.powerW = pcs[0].Num("PowerConsumedWatts")
		}
	}
	add(func(sn *snapshot) { sn.hosts = append(sn.hosts, hr) })
}

// finish fills the derived readings once every family is in: the host
// ambient temperature is the first intake/room sensor of the chassis. Hosts
// with no reading at all are dropped.
func (s *snapshot) finish() {
	hosts := s.hosts[:0]
	for _, hr := range s.hosts {
		for _, t := range s.temps {
			if t.parent == hr.id && (t.location == "Intake" || t.location == "Room") && t.value != nil {
				hr.ambientC = t.value
				break
			}
		}
		if hr.powerW != nil || hr.kWh != nil || hr.ambientC != nil {
			hosts = append(hosts, hr)
		}
	}
	s.hosts = hosts
}
