// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"context"
	"slices"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
)

// errorCounters reads hw.errors (correctable, uncorrectable) from the
// metrics resource a component links to with "Metrics", per hw.type. Only
// lifetime counters are read, so the sums stay monotonic across resets.
var errorCounters = map[string]func(m client.Doc) (correctable, uncorrectable *float64){
	// MemoryMetrics: ECC errors over the DIMM's life.
	"memory": func(m client.Doc) (*float64, *float64) {
		lt := m.Obj("LifeTime")
		return lt.Num("CorrectableECCErrorCount"), lt.Num("UncorrectableECCErrorCount")
	},
	// ProcessorMetrics: cache ECC errors over the processor's life plus
	// core and other errors.
	"cpu": processorErrors,
	"gpu": processorErrors,
	// DriveMetrics: read and write I/O errors over the drive's life.
	"physical_disk": func(m client.Doc) (*float64, *float64) {
		return sum(m.Num("CorrectableIOReadErrorCount"), m.Num("CorrectableIOWriteErrorCount")),
			sum(m.Num("UncorrectableIOReadErrorCount"), m.Num("UncorrectableIOWriteErrorCount"))
	},
}

func processorErrors(m client.Doc) (*float64, *float64) {
	lt := m.Obj("CacheMetricsTotal").Obj("LifeTime")
	return sum(lt.Num("CorrectableECCErrorCount"), m.Num("CorrectableCoreErrorCount"), m.Num("CorrectableOtherErrorCount")),
		sum(lt.Num("UncorrectableECCErrorCount"), m.Num("UncorrectableCoreErrorCount"), m.Num("UncorrectableOtherErrorCount"))
}

// sum adds the reported counters; nil when none is reported (absent, not 0).
func sum(vs ...*float64) *float64 {
	var out *float64
	for _, v := range vs {
		if v == nil {
			continue
		}
		if out == nil {
			out = new(float64)
		}
		*out += *v
	}
	return out
}

// portInv is a network port whose PortMetrics are read for hw.errors.
type portInv struct {
	id, name, parent, metrics string
}

// discoverPorts lists the ports of network adapters that link a
// PortMetrics resource (NetworkAdapter.Ports, Port.Metrics): three levels
// of the tree, read at inventory refreshes only, so a scrape costs one
// request per port.
func (co *collector) discoverPorts(ctx context.Context, adapters []string, er *errs) []portInv {
	var out []portInv
	for _, ps := range each(ctx, co.parallelism, adapters, func(ctx context.Context, a string) ([]portInv, error) {
		ad, err := co.c.GetDoc(ctx, a)
		if err != nil {
			return nil, err
		}
		l := ad.Link("Ports")
		if l == "" {
			return nil, nil
		}
		uris, err := co.c.Members(ctx, l)
		er.add(err)
		ports := each(ctx, co.parallelism, uris, func(ctx context.Context, u string) (portInv, error) {
			d, err := co.c.GetDoc(ctx, u)
			if err != nil || !present(d.Obj("Status").Str("State")) {
				return portInv{}, err
			}
			return portInv{id: hwID(u), name: d.Str("Name"), parent: hwID(a), metrics: d.Link("Metrics")}, nil
		}, er)
		return slices.DeleteFunc(ports, func(p portInv) bool { return p.metrics == "" }), nil
	}, er) {
		out = append(out, ps...)
	}
	return out
}

// portErrors reads a port's receive and transmit error counts.
func (co *collector) portErrors(ctx context.Context, p portInv) (portReading, error) {
	m, err := co.c.GetDoc(ctx, p.metrics)
	if err != nil {
		return portReading{}, err
	}
	return portReading{id: p.id, name: p.name, parent: p.parent, rx: m.Num("RXErrors"), tx: m.Num("TXErrors")}, nil
}
