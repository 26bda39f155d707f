// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
)

// getter is the part of the client the collector uses (a seam for tests).
type getter interface {
	GetDoc(ctx context.Context, uri string) (client.Doc, error)
	Members(ctx context.Context, uri string) ([]string, error)
	GetFan(ctx context.Context, uri string) (*client.Fan, error)
	GetPSU(ctx context.Context, uri string) (*client.PSU, error)
	ExpandedMembers(ctx context.Context, uri string) ([]client.Doc, bool)
}

// inventory is the slowly changing part of a BMC's tree: which resources
// exist. It is refreshed every inventory_interval; readings and health are
// fetched from the known resources every scrape.
type inventory struct {
	at       time.Time
	chassis  []chassisInv
	systems  []systemInv
	managers []string
	hostName string
}

type chassisInv struct {
	uri, name              string
	thermal, power         string // legacy
	thermalSub, powerSub   string // new model
	sensors, environment   string
	fans, psus, sensorURIs []string
	adapters               []string
	ports                  []portInv // network ports with a PortMetrics resource (hw.errors only)
}

type systemInv struct {
	uri                          string
	cpus, dimms, drives, storage []string
	cpuCol, dimmCol              string
	inlineControllers            []string // Storage resources whose controllers are inline
}

// collector scrapes one BMC's tree into a snapshot.
type collector struct {
	c           getter
	model       string // auto, subsystem, legacy
	parallelism int
	hwErrors    bool // read the components' metrics resources for hw.errors
	expand      bool // read collections with $expand (one request instead of one per member)
}

// errs accumulates member errors of one scrape (partial failures).
type errs struct {
	mu   sync.Mutex
	list []error
}

func (e *errs) add(err error) {
	if err == nil {
		return
	}
	e.mu.Lock()
	e.list = append(e.list, err)
	e.mu.Unlock()
}

func (e *errs) err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return errors.Join(e.list...)
}

// each runs fn for every input with at most n in flight; results keep order.
func each[In, T any](ctx context.Context, n int, in []In, fn func(context.Context, In) (T, error), er *errs) []T {
	out := make([]T, len(in))
	ok := make([]bool, len(in))
	if n < 1 {
		n = 1
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, u := range in {
		if ctx.Err() != nil {
			er.add(ctx.Err())
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			v, err := fn(ctx, u)
			if err != nil {
				er.add(err)
				return
			}
			out[i], ok[i] = v, true
		}()
	}
	wg.Wait()
	res := out[:0]
	for i := range out {
		if ok[i] {
			res = append(res, out[i])
		}
	}
	return res
}

func (co *collector) useSubsystem(sub, legacy string) bool {
	switch co.model {
	case dataModelLegacy:
		return false
	case dataModelSubsystem:
		return true
	}
	return sub != "" || legacy == ""
}

// discover builds the inventory (collection listings).
func (co *collector) discover(ctx context.Context) (*inventory, error) {
	root, err := co.c.GetDoc(ctx, "/redfish/v1")
	if err != nil {
		return nil, err
	}
	inv := &inventory{}
	er := &errs{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		if l := root.Link("Chassis"); l != "" {
			uris, err := co.c.Members(ctx, l)
			er.add(err)
			inv.chassis = each(ctx, co.parallelism, uris, co.discoverChassis, er)
		}
	}()
	go func() {
		defer wg.Done()
		if l := root.Link("Systems"); l != "" {
			uris, err := co.c.Members(ctx, l)
			er.add(err)
			inv.systems = each(ctx, co.parallelism, uris, func(ctx context.Context, u string) (systemInv, error) {
				s, host, err := co.discoverSystem(ctx, u, er)
				mu.Lock()
				if host != "" && inv.hostName == "" {
					inv.hostName = host
				}
				mu.Unlock()
				return s, err
			}, er)
		}
	}()
	go func() {
		defer wg.Done()
		if l := root.Link("Managers"); l != "" {
			uris, err := co.c.Members(ctx, l)
			er.add(err)
			inv.managers = uris
		}
	}()
	wg.Wait()
	if len(inv.chassis) == 0 && len(inv.systems) == 0 {
		if err := er.err(); err != nil {
			return nil, err
		}
	}
	return inv, er.err()
}

func (co *collector) discoverChassis(ctx context.Context, uri string) (chassisInv, error) {
	d, err := co.c.GetDoc(ctx, uri)
	if err != nil {
		return chassisInv{}, err
	}
	ci := chassisInv{uri: uri, name: d.Str("Name"),
		thermal: d.Link("Thermal"), power: d.Link("Power"),
		thermalSub: d.Link("ThermalSubsystem"), powerSub: d.Link("PowerSubsystem"),
		sensors: d.Link("Sensors"), environment: d.Link("EnvironmentMetrics")}
	er := &errs{}
	var wg sync.WaitGroup
	run := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	listVia := func(parent, link string, dst *[]string) {
		pd, err := co.c.GetDoc(ctx, parent)
		if err != nil {
			er.add(err)
			return
		}
		if l := pd.Link(link); l != "" {
			m, err := co.c.Members(ctx, l)
			er.add(err)
			*dst = m
		}
	}
	if ci.thermalSub != "" {
		run(func() { listVia(ci.thermalSub, "Fans", &ci.fans) })
	}
	if ci.powerSub != "" {
		run(func() { listVia(ci.powerSub, "PowerSupplies", &ci.psus) })
	}
	if ci.sensors != "" {
		run(func() {
			m, err := co.c.Members(ctx, ci.sensors)
			er.add(err)
			ci.sensorURIs = m
		})
	}
	if l := d.Link("NetworkAdapters"); l != "" {
		run(func() {
			m, err := co.c.Members(ctx, l)
			er.add(err)
			ci.adapters = m
			if co.hwErrors {
				ci.ports = co.discoverPorts(ctx, m, er)
			}
		})
	}
	wg.Wait()
	return ci, er.err()
}

func (co *collector) discoverSystem(ctx context.Context, uri string, er *errs) (systemInv, string, error) {
	d, err := co.c.GetDoc(ctx, uri)
	if err != nil {
		return systemInv{}, "", err
	}
	si := systemInv{uri: uri}
	var mu sync.Mutex
	var wg sync.WaitGroup
	list := func(link string, dst *[]string) {
		if l := d.Link(link); l != "" {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := co.c.Members(ctx, l)
				er.add(err)
				*dst = m
			}()
		}
	}
	list("Processors", &si.cpus)
	list("Memory", &si.dimms)
	si.cpuCol, si.dimmCol = d.Link("Processors"), d.Link("Memory")
	if l := d.Link("Storage"); l != "" {
		stores, err := co.c.Members(ctx, l)
		er.add(err)
		for _, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sd, err := co.c.GetDoc(ctx, s)
				if err != nil {
					er.add(err)
					return
				}
				var ctrls []string
				inline := false
				if cl := sd.Link("Controllers"); cl != "" {
					ctrls, err = co.c.Members(ctx, cl)
					er.add(err)
				} else if len(sd.Arr("StorageControllers")) > 0 {
					inline = true
				}
				mu.Lock()
				defer mu.Unlock()
				si.drives = append(si.drives, sd.Links("Drives")...)
				si.storage = append(si.storage, ctrls...)
				if inline {
					si.inlineControllers = append(si.inlineControllers, s)
				}
			}()
		}
	}
	wg.Wait()
	return si, d.Str("HostName"), nil
}

// scrape fetches readings and health from the inventory's resources.
func (co *collector) scrape(ctx context.Context, inv *inventory) (*snapshot, error) {
	snap := &snapshot{hostName: inv.hostName}
	er := &errs{}
	var mu sync.Mutex
	add := func(f func(*snapshot)) { mu.Lock(); f(snap); mu.Unlock() }
	var wg sync.WaitGroup
	for _, ch := range inv.chassis {
		wg.Add(1)
		go func() {
			defer wg.Done()
			co.scrapeChassis(ctx, ch, add, er)
		}()
	}
	for _, sys := range inv.systems {
		wg.Add(1)
		go func() {
			defer wg.Done()
			co.scrapeSystem(ctx, sys, add, er)
		}()
	}
	wg.Wait()
	snap.sort()
	snap.finish()
	return snap, er.err()
}

func (co *collector) scrapeChassis(ctx context.Context, ch chassisInv, add func(func(*snapshot)), er *errs) {
	parent := hwID(ch.uri)
	d, err := co.c.GetDoc(ctx, ch.uri)
	if err != nil {
		er.add(err)
	} else {
		h, s := d.Health()
		add(func(sn *snapshot) {
			sn.components = append(sn.components, hwComponent{id: parent, name: d.Str("Name"), typ: "enclosure",
				health: h, state: s, model: d.Str("Model"), serial: d.Str("SerialNumber")})
		})
	}
	co.readings(ctx, ch, parent, add, er)
	parts := each(ctx, co.parallelism, ch.adapters, co.partFetcher("network", parent, er), er)
	ports := each(ctx, co.parallelism, ch.ports, co.portErrors, er)
	add(func(sn *snapshot) {
		sn.components = append(sn.components, parts...)
		sn.ports = append(sn.ports, ports...)
	})
}

func (co *collector) scrapeSystem(ctx context.Context, si systemInv, add func(func(*snapshot)), er *errs) {
	parent := hwID(si.uri)
	var all []hwComponent
	all = append(all, co.parts(ctx, si.cpuCol, si.cpus, "cpu", parent, er)...)
	all = append(all, co.parts(ctx, si.dimmCol, si.dimms, "memory", parent, er)...)
	all = append(all, each(ctx, co.parallelism, si.storage, co.partFetcher("disk_controller", parent, er), er)...)
	all = append(all, each(ctx, co.parallelism, si.drives, co.partFetcher("physical_disk", parent, er), er)...)
	for _, s := range si.inlineControllers {
		d, err := co.c.GetDoc(ctx, s)
		if err != nil {
			er.add(err)
			continue
		}
		for _, c := range d.Arr("StorageControllers") {
			h, st := c.Health()
			id := c.Str("@odata.id")
			if id == "" {
				id = s + "#/StorageControllers/" + c.Str("MemberId")
			}
			all = append(all, hwComponent{id: hwID(id), name: c.Str("Name"), typ: "disk_controller", parent: parent,
				health: h, state: st, model: c.Str("Model"), serial: c.Str("SerialNumber"), fw: c.Str("FirmwareVersion")})
		}
	}
	add(func(sn *snapshot) { sn.components = append(sn.components, all...) })
}

// memberDocs returns the documents of a collection's members: with one
// $expand request when enabled and honoured, else one request per member.
func (co *collector) memberDocs(ctx context.Context, col string, uris []string, er *errs) []client.Doc {
	if co.expand && col != "" {
		if docs, ok := co.c.ExpandedMembers(ctx, col); ok {
			return docs
		}
	}
	return each(ctx, co.parallelism, uris, co.c.GetDoc, er)
}

// parts reads the health of a collection's members.
func (co *collector) parts(ctx context.Context, col string, uris []string, typ, parent string, er *errs) []hwComponent {
	if co.expand && col != "" {
		if docs, ok := co.c.ExpandedMembers(ctx, col); ok {
			out := make([]hwComponent, 0, len(docs))
			for _, d := range docs {
				out = append(out, co.part(ctx, d.Str("@odata.id"), d, typ, parent, er))
			}
			return out
		}
	}
	return each(ctx, co.parallelism, uris, co.partFetcher(typ, parent, er), er)
}

func (co *collector) partFetcher(typ, parent string, er *errs) func(context.Context, string) (hwComponent, error) {
	return func(ctx context.Context, uri string) (hwComponent, error) {
		d, err := co.c.GetDoc(ctx, uri)
		if err != nil {
			return hwComponent{}, err
		}
		return co.part(ctx, uri, d, typ, parent, er), nil
	}
}

// part reads a component's health and, for hw.errors, its metrics resource;
// a failed metrics read is reported in er and costs only the counts.
func (co *collector) part(ctx context.Context, uri string, d client.Doc, typ, parent string, er *errs) hwComponent {
	h, s := d.Health()
	if typ == "cpu" && d.Str("ProcessorType") == "GPU" {
		typ = "gpu"
	}
	c := hwComponent{id: hwID(uri), name: d.Str("Name"), typ: typ, parent: parent, health: h, state: s,
		model: d.Str("Model"), serial: d.Str("SerialNumber"), fw: d.Str("FirmwareVersion")}
	if counters, ok := errorCounters[typ]; ok && co.hwErrors && present(s) {
		if ml := d.Link("Metrics"); ml != "" {
			md, err := co.c.GetDoc(ctx, ml)
			if err != nil {
				er.add(err)
				return c
			}
			c.correctable, c.uncorrectable = counters(md)
		}
	}
	return c
}
