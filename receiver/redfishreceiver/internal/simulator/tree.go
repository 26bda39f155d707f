// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package simulator // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"

import (
	"fmt"
	"time"
)

// Spec describes a server: the resources and readings the simulator serves.
// Documents follow the shapes of the DMTF Redfish schema (ServiceRoot,
// Chassis, ThermalSubsystem, Fan, PowerSubsystem, PowerSupply,
// PowerSupplyMetrics, Sensor, EnvironmentMetrics, Thermal, Power,
// ComputerSystem, Processor, Memory, Storage, Drive, NetworkAdapter, Manager,
// LogService, LogEntry, SessionService).
type Spec struct {
	ChassisID string
	SystemID  string
	HostName  string
	// NewModel serves ThermalSubsystem, PowerSubsystem, Sensors and
	// EnvironmentMetrics; Legacy serves Thermal and Power. Both may be set.
	NewModel bool
	Legacy   bool

	Temps     []Temp
	Voltages  []Volt
	Fans      []Fan
	PSUs      []PSU
	PowerW    *float64
	EnergyKWh *float64

	CPUs     []Part
	DIMMs    []Part
	Drives   []Part
	Storage  []Part
	Adapters []Part
	SEL      []LogEntry
}

// Temp is a temperature sensor.
type Temp struct {
	ID, Name, Context           string
	Reading                     *float64
	UpperCaution, UpperCritical *float64
}

// Volt is a voltage sensor.
type Volt struct {
	ID, Name      string
	Reading       *float64
	UpperCritical *float64
	LowerCritical *float64
}

// Fan is a fan.
type Fan struct {
	ID, Name string
	Health   string
	RPM      *float64
	Percent  *float64
}

// PSU is a power supply.
type PSU struct {
	ID, Name  string
	Health    string
	CapacityW *float64
	InputW    *float64
	OutputW   *float64
	EnergyKWh *float64
	Serial    string
	Firmware  string
}

// Part is a component reported with health only (CPU, DIMM, drive,
// storage controller, network adapter).
type Part struct {
	ID, Name, Health, Model, Serial, Firmware string
	State                                     string
}

// LogEntry is one SEL entry.
type LogEntry struct {
	ID       string
	Created  time.Time
	Severity string
	Message  string
	MsgID    string
}

// F returns a pointer to v (readability helper for specs).
func F(v float64) *float64 { return &v }

// DefaultSpec is a 1U server with both data models, 2 fans, 2 PSUs, three
// temperatures, two voltages, 2 CPUs, 4 DIMMs, a RAID controller with two
// drives, one NIC and 3 SEL entries.
func DefaultSpec() Spec {
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	return Spec{
		ChassisID: "1U", SystemID: "sys1", HostName: "node-01",
		NewModel: true, Legacy: true,
		Temps: []Temp{
			{ID: "Inlet", Name: "Inlet Temp", Context: "Intake", Reading: F(22.5), UpperCaution: F(40), UpperCritical: F(45)},
			{ID: "CPU1", Name: "CPU1 Temp", Context: "CPU", Reading: F(55), UpperCaution: F(85), UpperCritical: F(95)},
			{ID: "CPU2", Name: "CPU2 Temp", Context: "CPU", Reading: F(57), UpperCaution: F(85), UpperCritical: F(95)},
		},
		Voltages: []Volt{
			{ID: "VR12V", Name: "12V Rail", Reading: F(12.06), UpperCritical: F(13.2), LowerCritical: F(10.8)},
			{ID: "VR3V", Name: "3.3V Rail", Reading: F(3.31), UpperCritical: F(3.6), LowerCritical: F(3.0)},
		},
		Fans: []Fan{
			{ID: "Fan1", Name: "Fan 1", Health: "OK", RPM: F(5400), Percent: F(45)},
			{ID: "Fan2", Name: "Fan 2", Health: "OK", RPM: F(5300), Percent: F(44)},
		},
		PSUs: []PSU{
			{ID: "PSU1", Name: "Power Supply 1", Health: "OK", CapacityW: F(800), InputW: F(180), OutputW: F(165), EnergyKWh: F(1200.5), Serial: "PS1-SN", Firmware: "1.2.3"},
			{ID: "PSU2", Name: "Power Supply 2", Health: "OK", CapacityW: F(800), InputW: F(170), OutputW: F(155), EnergyKWh: F(1100.25), Serial: "PS2-SN", Firmware: "1.2.3"},
		},
		PowerW:    F(350),
		EnergyKWh: F(2300.75),
		CPUs: []Part{
			{ID: "CPU1", Name: "Processor 1", Health: "OK", Model: "Xeon Gold 6430"},
			{ID: "CPU2", Name: "Processor 2", Health: "OK", Model: "Xeon Gold 6430"},
		},
		DIMMs: []Part{
			{ID: "DIMM1", Name: "DIMM A1", Health: "OK", Serial: "D1"},
			{ID: "DIMM2", Name: "DIMM A2", Health: "OK", Serial: "D2"},
			{ID: "DIMM3", Name: "DIMM B1", Health: "OK", Serial: "D3"},
			{ID: "DIMM4", Name: "DIMM B2", State: "Absent"},
		},
		Storage: []Part{{ID: "RAID1", Name: "RAID Controller", Health: "OK", Model: "PERC H755", Firmware: "52.16"}},
		Drives: []Part{
			{ID: "Disk0", Name: "Disk 0", Health: "OK", Model: "SSD 960G", Serial: "S0"},
			{ID: "Disk1", Name: "Disk 1", Health: "OK", Model: "SSD 960G", Serial: "S1"},
		},
		Adapters: []Part{{ID: "NIC1", Name: "Ethernet Adapter", Health: "OK", Model: "E810", Firmware: "4.40"}},
		SEL: []LogEntry{
			{ID: "1", Created: t0, Severity: "OK", Message: "System boot completed.", MsgID: "Base.1.0.Success"},
			{ID: "2", Created: t0.Add(time.Minute), Severity: "Warning", Message: "Fan 2 speed below lower threshold.", MsgID: "SensorEvent.1.0.ReadingBelowLowerThreshold"},
			{ID: "3", Created: t0.Add(2 * time.Minute), Severity: "Critical", Message: "Power supply 2 input lost.", MsgID: "Power.1.0.PowerSupplyInputLost"},
		},
	}
}

type docs map[string]map[string]any

func ref(p string) map[string]any { return map[string]any{"@odata.id": p} }

func status(health, state string) map[string]any {
	st := map[string]any{}
	if state == "" {
		state = "Enabled"
	}
	st["State"] = state
	if health != "" {
		st["Health"] = health
	}
	return st
}

func (d docs) add(p, typ string, fields map[string]any) map[string]any {
	fields["@odata.id"] = p
	fields["@odata.type"] = typ
	d[p] = fields
	return fields
}

func (d docs) collection(p, typ string, members []string) {
	ms := make([]any, 0, len(members))
	for _, m := range members {
		ms = append(ms, ref(m))
	}
	d.add(p, typ, map[string]any{"Name": typ, "Members": ms, "Members@odata.count": len(ms)})
}

func setOpt(m map[string]any, k string, v *float64) {
	if v != nil {
		m[k] = *v
	}
}

func excerpt(v *float64, src string) map[string]any {
	e := map[string]any{"DataSourceUri": src}
	setOpt(e, "Reading", v)
	return e
}

// NewTree builds the documents for spec.
func NewTree(spec Spec) map[string]map[string]any {
	d := docs{}
	v1 := "/redfish/v1"
	ch := v1 + "/Chassis/" + spec.ChassisID
	sys := v1 + "/Systems/" + spec.SystemID
	mgr := v1 + "/Managers/BMC"
	d.add(v1, "#ServiceRoot.v1_15_0.ServiceRoot", map[string]any{
		"Id": "RootService", "Name": "Root Service", "RedfishVersion": "1.17.0", "UUID": "92384634-2938-2342-8820-489239905423",
		"Chassis": ref(v1 + "/Chassis"), "Systems": ref(v1 + "/Systems"), "Managers": ref(v1 + "/Managers"),
		"SessionService": ref(v1 + "/SessionService"),
		"Links":          map[string]any{"Sessions": ref(sessionsPath)},
	})
	d.add(v1+"/SessionService", "#SessionService.v1_1_9.SessionService", map[string]any{
		"Id": "SessionService", "Name": "Session Service", "ServiceEnabled": true, "SessionTimeout": 600, "Sessions": ref(sessionsPath),
	})
	d.collection(v1+"/Chassis", "#ChassisCollection.ChassisCollection", []string{ch})
	d.collection(v1+"/Systems", "#ComputerSystemCollection.ComputerSystemCollection", []string{sys})
	d.collection(v1+"/Managers", "#ManagerCollection.ManagerCollection", []string{mgr})

	chassis := d.add(ch, "#Chassis.v1_25_0.Chassis", map[string]any{
		"Id": spec.ChassisID, "Name": "Computer System Chassis", "ChassisType": "RackMount",
		"Manufacturer": "Contoso", "Model": "R1000", "SerialNumber": "CH-" + spec.ChassisID, "Status": status("OK", ""),
		"Links": map[string]any{"ComputerSystems": []any{ref(sys)}, "ManagedBy": []any{ref(mgr)}},
	})
	if spec.NewModel {
		chassis["ThermalSubsystem"] = ref(ch + "/ThermalSubsystem")
		chassis["PowerSubsystem"] = ref(ch + "/PowerSubsystem")
		chassis["Sensors"] = ref(ch + "/Sensors")
		chassis["EnvironmentMetrics"] = ref(ch + "/EnvironmentMetrics")
		newModel(d, ch, spec)
	}
	if spec.Legacy {
		chassis["Thermal"] = ref(ch + "/Thermal")
		chassis["Power"] = ref(ch + "/Power")
		legacyModel(d, ch, spec)
	}

	d.add(sys, "#ComputerSystem.v1_22_0.ComputerSystem", map[string]any{
		"Id": spec.SystemID, "Name": "Web Server", "HostName": spec.HostName, "SystemType": "Physical",
		"Manufacturer": "Contoso", "Model": "R1000", "SerialNumber": "SYS-" + spec.SystemID, "BiosVersion": "P79 v1.45",
		"PowerState": "On", "Status": status("OK", ""),
		"Processors": ref(sys + "/Processors"), "Memory": ref(sys + "/Memory"), "Storage": ref(sys + "/Storage"),
		"NetworkInterfaces": ref(sys + "/NetworkInterfaces"),
		"Links":             map[string]any{"Chassis": []any{ref(ch)}},
	})
	parts(d, sys+"/Processors", "#ProcessorCollection.ProcessorCollection", "#Processor.v1_20_0.Processor", spec.CPUs)
	parts(d, sys+"/Memory", "#MemoryCollection.MemoryCollection", "#Memory.v1_20_0.Memory", spec.DIMMs)
	for i, p := range spec.DIMMs {
		if p.State == "Absent" {
			continue
		}
		m := sys + "/Memory/" + p.ID + "/MemoryMetrics"
		d[sys+"/Memory/"+p.ID]["Metrics"] = ref(m)
		d.add(m, "#MemoryMetrics.v1_7_0.MemoryMetrics", map[string]any{
			"Id": "MemoryMetrics", "Name": "Memory Metrics " + p.ID,
			"LifeTime": map[string]any{"CorrectableECCErrorCount": i * 3, "UncorrectableECCErrorCount": 0},
		})
	}
	for i, p := range spec.CPUs {
		m := sys + "/Processors/" + p.ID + "/ProcessorMetrics"
		d[sys+"/Processors/"+p.ID]["Metrics"] = ref(m)
		d.add(m, "#ProcessorMetrics.v1_6_1.ProcessorMetrics", map[string]any{
			"Id": "ProcessorMetrics", "Name": "Processor Metrics " + p.ID,
			"CacheMetricsTotal":         map[string]any{"LifeTime": map[string]any{"CorrectableECCErrorCount": 10 * i, "UncorrectableECCErrorCount": 0}},
			"CorrectableCoreErrorCount": 1, "UncorrectableCoreErrorCount": 0,
		})
	}
	stor := sys + "/Storage/1"
	d.collection(sys+"/Storage", "#StorageCollection.StorageCollection", []string{stor})
	drives := make([]any, 0, len(spec.Drives))
	for _, p := range spec.Drives {
		drives = append(drives, ref(stor+"/Drives/"+p.ID))
	}
	d.add(stor, "#Storage.v1_16_0.Storage", map[string]any{
		"Id": "1", "Name": "Storage", "Status": status("OK", ""), "Controllers": ref(stor + "/Controllers"), "Drives": drives,
	})
	parts(d, stor+"/Controllers", "#StorageControllerCollection.StorageControllerCollection", "#StorageController.v1_7_0.StorageController", spec.Storage)
	for i, p := range spec.Drives {
		dr := stor + "/Drives/" + p.ID
		f := partFields(p)
		f["Metrics"] = ref(dr + "/DriveMetrics")
		d.add(dr, "#Drive.v1_19_0.Drive", f)
		d.add(dr+"/DriveMetrics", "#DriveMetrics.v1_2_0.DriveMetrics", map[string]any{
			"Id": "DriveMetrics", "Name": "Drive Metrics " + p.ID,
			"CorrectableIOReadErrorCount": 2 * i, "CorrectableIOWriteErrorCount": i,
			"UncorrectableIOReadErrorCount": i, "UncorrectableIOWriteErrorCount": 0,
		})
	}
	// NetworkInterfaces -> NetworkAdapter (in Chassis), as in the schema.
	nis := make([]string, 0, len(spec.Adapters))
	for _, p := range spec.Adapters {
		ni := sys + "/NetworkInterfaces/" + p.ID
		nis = append(nis, ni)
		d.add(ni, "#NetworkInterface.v1_2_3.NetworkInterface", map[string]any{
			"Id": p.ID, "Name": p.Name, "Status": status(p.Health, p.State),
			"Links": map[string]any{"NetworkAdapter": ref(ch + "/NetworkAdapters/" + p.ID)},
		})
	}
	d.collection(sys+"/NetworkInterfaces", "#NetworkInterfaceCollection.NetworkInterfaceCollection", nis)
	chassis["NetworkAdapters"] = ref(ch + "/NetworkAdapters")
	parts(d, ch+"/NetworkAdapters", "#NetworkAdapterCollection.NetworkAdapterCollection", "#NetworkAdapter.v1_11_0.NetworkAdapter", spec.Adapters)
	for _, p := range spec.Adapters {
		adapterPorts(d, ch+"/NetworkAdapters/"+p.ID)
	}

	d.add(mgr, "#Manager.v1_19_0.Manager", map[string]any{
		"Id": "BMC", "Name": "Manager", "ManagerType": "BMC", "FirmwareVersion": "2.72.0", "Model": "Joo Janta 200",
		"Status": status("OK", ""), "LogServices": ref(mgr + "/LogServices"),
	})
	d.collection(mgr+"/LogServices", "#LogServiceCollection.LogServiceCollection", []string{mgr + "/LogServices/SEL"})
	d.add(mgr+"/LogServices/SEL", "#LogService.v1_5_0.LogService", map[string]any{
		"Id": "SEL", "Name": "System Event Log", "LogEntryType": "SEL", "ServiceEnabled": true,
		"Status": status("OK", ""), "Entries": ref(mgr + "/LogServices/SEL/Entries"),
	})
	// LogEntry collections are served expanded, as BMCs commonly do.
	entries := make([]any, 0, len(spec.SEL))
	for _, e := range spec.SEL {
		doc := entryDoc(mgr+"/LogServices/SEL/Entries", e)
		d[doc["@odata.id"].(string)] = doc
		entries = append(entries, doc)
	}
	d.add(mgr+"/LogServices/SEL/Entries", "#LogEntryCollection.LogEntryCollection", map[string]any{
		"Name": "SEL Entries", "Members": entries, "Members@odata.count": len(entries),
	})
	return d
}

func entryDoc(col string, e LogEntry) map[string]any {
	return map[string]any{
		"@odata.id": col + "/" + e.ID, "@odata.type": "#LogEntry.v1_16_0.LogEntry", "Id": e.ID, "Name": "Log Entry " + e.ID,
		"EntryType": "SEL", "Severity": e.Severity, "Created": e.Created.Format(time.RFC3339), "Message": e.Message, "MessageId": e.MsgID,
	}
}

// AddLogEntry appends an entry to the SEL of a tree built by NewTree.
func (s *Server) AddLogEntry(e LogEntry) {
	p := "/redfish/v1/Managers/BMC/LogServices/SEL/Entries"
	s.mu.Lock()
	defer s.mu.Unlock()
	col, ok := s.docs[p]
	if !ok {
		return
	}
	doc := entryDoc(p, e)
	s.docs[doc["@odata.id"].(string)] = doc
	ms, _ := col["Members"].([]any)
	col["Members"] = append(append([]any{}, ms...), doc)
	col["Members@odata.count"] = len(ms) + 1
}

// ClearLog empties the SEL of a tree built by NewTree, as a BMC's "clear
// log" does (entry ids may then start again from 1).
func (s *Server) ClearLog() {
	p := "/redfish/v1/Managers/BMC/LogServices/SEL/Entries"
	s.mu.Lock()
	defer s.mu.Unlock()
	if col, ok := s.docs[p]; ok {
		col["Members"], col["Members@odata.count"] = []any{}, 0
	}
}

// adapterPorts gives a network adapter two Ethernet ports with PortMetrics.
func adapterPorts(d docs, adapter string) {
	col := adapter + "/Ports"
	d[adapter]["Ports"] = ref(col)
	var ports []string
	for i := 1; i <= 2; i++ {
		p := fmt.Sprintf("%s/%d", col, i)
		ports = append(ports, p)
		d.add(p, "#Port.v1_11_0.Port", map[string]any{
			"Id": fmt.Sprint(i), "Name": fmt.Sprintf("Port %d", i), "PortProtocol": "Ethernet", "LinkStatus": "LinkUp",
			"Status": status("OK", ""), "Metrics": ref(p + "/Metrics"),
		})
		d.add(p+"/Metrics", "#PortMetrics.v1_6_0.PortMetrics", map[string]any{
			"Id": "Metrics", "Name": fmt.Sprintf("Port %d Metrics", i), "RXErrors": 5 * (i - 1), "TXErrors": i - 1,
		})
	}
	d.collection(col, "#PortCollection.PortCollection", ports)
}

func partFields(p Part) map[string]any {
	f := map[string]any{"Id": p.ID, "Name": p.Name, "Status": status(p.Health, p.State)}
	if p.Model != "" {
		f["Model"] = p.Model
	}
	if p.Serial != "" {
		f["SerialNumber"] = p.Serial
	}
	if p.Firmware != "" {
		f["FirmwareVersion"] = p.Firmware
	}
	return f
}

func parts(d docs, col, colType, typ string, ps []Part) {
	members := make([]string, 0, len(ps))
	for _, p := range ps {
		members = append(members, col+"/"+p.ID)
		d.add(col+"/"+p.ID, typ, partFields(p))
	}
	d.collection(col, colType, members)
}

func newModel(d docs, ch string, spec Spec) {
	ts := ch + "/ThermalSubsystem"
	d.add(ts, "#ThermalSubsystem.v1_3_0.ThermalSubsystem", map[string]any{
		"Id": "ThermalSubsystem", "Name": "Thermal Subsystem", "Status": status("OK", ""),
		"Fans": ref(ts + "/Fans"), "ThermalMetrics": ref(ts + "/ThermalMetrics"),
	})
	fans := make([]string, 0, len(spec.Fans))
	for _, f := range spec.Fans {
		p := ts + "/Fans/" + f.ID
		fans = append(fans, p)
		sp := excerpt(f.Percent, ch+"/Sensors/"+f.ID)
		setOpt(sp, "SpeedRPM", f.RPM)
		d.add(p, "#Fan.v1_5_0.Fan", map[string]any{
			"Id": f.ID, "Name": f.Name, "Status": status(f.Health, ""), "SpeedPercent": sp, "HotPluggable": true,
		})
	}
	d.collection(ts+"/Fans", "#FanCollection.FanCollection", fans)
	readings := []any{}
	for _, t := range spec.Temps {
		readings = append(readings, map[string]any{"DataSourceUri": ch + "/Sensors/" + t.ID, "Reading": t.Reading, "DeviceName": t.Name})
	}
	d.add(ts+"/ThermalMetrics", "#ThermalMetrics.v1_3_0.ThermalMetrics", map[string]any{
		"Id": "ThermalMetrics", "Name": "Thermal Metrics", "TemperatureReadingsCelsius": readings,
	})

	ps := ch + "/PowerSubsystem"
	d.add(ps, "#PowerSubsystem.v1_1_0.PowerSubsystem", map[string]any{
		"Id": "PowerSubsystem", "Name": "Power Subsystem", "Status": status("OK", ""), "PowerSupplies": ref(ps + "/PowerSupplies"),
	})
	psus := make([]string, 0, len(spec.PSUs))
	for _, u := range spec.PSUs {
		p := ps + "/PowerSupplies/" + u.ID
		psus = append(psus, p)
		f := map[string]any{
			"Id": u.ID, "Name": u.Name, "Status": status(u.Health, ""), "Metrics": ref(p + "/Metrics"),
			"SerialNumber": u.Serial, "FirmwareVersion": u.Firmware, "PowerSupplyType": "AC",
		}
		setOpt(f, "PowerCapacityWatts", u.CapacityW)
		d.add(p, "#PowerSupply.v1_5_0.PowerSupply", f)
		m := map[string]any{
			"Id": "Metrics", "Name": "Metrics for " + u.Name, "Status": status(u.Health, ""),
			"InputPowerWatts":  excerpt(u.InputW, ch+"/Sensors/"+u.ID+"InputPower"),
			"OutputPowerWatts": excerpt(u.OutputW, ch+"/Sensors/"+u.ID+"OutputPower"),
			"EnergykWh":        excerpt(u.EnergyKWh, ch+"/Sensors/"+u.ID+"Energy"),
		}
		d.add(p+"/Metrics", "#PowerSupplyMetrics.v1_1_0.PowerSupplyMetrics", m)
	}
	d.collection(ps+"/PowerSupplies", "#PowerSupplyCollection.PowerSupplyCollection", psus)

	sensors := []string{}
	for _, t := range spec.Temps {
		p := ch + "/Sensors/" + t.ID
		sensors = append(sensors, p)
		f := map[string]any{"Id": t.ID, "Name": t.Name, "ReadingType": "Temperature", "ReadingUnits": "Cel",
			"PhysicalContext": t.Context, "Status": status("OK", "")}
		setOpt(f, "Reading", t.Reading)
		th := map[string]any{}
		if t.UpperCaution != nil {
			th["UpperCaution"] = map[string]any{"Reading": *t.UpperCaution}
		}
		if t.UpperCritical != nil {
			th["UpperCritical"] = map[string]any{"Reading": *t.UpperCritical}
		}
		f["Thresholds"] = th
		d.add(p, "#Sensor.v1_9_0.Sensor", f)
	}
	for _, v := range spec.Voltages {
		p := ch + "/Sensors/" + v.ID
		sensors = append(sensors, p)
		f := map[string]any{"Id": v.ID, "Name": v.Name, "ReadingType": "Voltage", "ReadingUnits": "V",
			"PhysicalContext": "VoltageRegulator", "Status": status("OK", "")}
		setOpt(f, "Reading", v.Reading)
		th := map[string]any{}
		if v.UpperCritical != nil {
			th["UpperCritical"] = map[string]any{"Reading": *v.UpperCritical}
		}
		if v.LowerCritical != nil {
			th["LowerCritical"] = map[string]any{"Reading": *v.LowerCritical}
		}
		f["Thresholds"] = th
		d.add(p, "#Sensor.v1_9_0.Sensor", f)
	}
	// Fan sensors exist too (as on real BMCs); they must not double count.
	for _, fn := range spec.Fans {
		p := ch + "/Sensors/" + fn.ID
		sensors = append(sensors, p)
		f := map[string]any{"Id": fn.ID, "Name": fn.Name, "ReadingType": "Percent", "ReadingUnits": "%",
			"PhysicalContext": "Fan", "Status": status("OK", "")}
		setOpt(f, "Reading", fn.Percent)
		setOpt(f, "SpeedRPM", fn.RPM)
		d.add(p, "#Sensor.v1_9_0.Sensor", f)
	}
	d.collection(ch+"/Sensors", "#SensorCollection.SensorCollection", sensors)
	em := map[string]any{"Id": "EnvironmentMetrics", "Name": "Chassis Environment Metrics"}
	if spec.PowerW != nil {
		em["PowerWatts"] = excerpt(spec.PowerW, ch+"/Sensors/TotalPower")
	}
	if spec.EnergyKWh != nil {
		em["EnergykWh"] = excerpt(spec.EnergyKWh, ch+"/Sensors/TotalEnergy")
	}
	d.add(ch+"/EnvironmentMetrics", "#EnvironmentMetrics.v1_3_0.EnvironmentMetrics", em)
}

func legacyModel(d docs, ch string, spec Spec) {
	temps := []any{}
	for i, t := range spec.Temps {
		m := map[string]any{"@odata.id": fmt.Sprintf("%s/Thermal#/Temperatures/%d", ch, i), "MemberId": fmt.Sprint(i),
			"Name": t.Name, "PhysicalContext": t.Context, "Status": status("OK", "")}
		setOpt(m, "ReadingCelsius", t.Reading)
		setOpt(m, "UpperThresholdNonCritical", t.UpperCaution)
		setOpt(m, "UpperThresholdCritical", t.UpperCritical)
		temps = append(temps, m)
	}
	fans := []any{}
	for i, f := range spec.Fans {
		m := map[string]any{"@odata.id": fmt.Sprintf("%s/Thermal#/Fans/%d", ch, i), "MemberId": fmt.Sprint(i),
			"Name": f.Name, "ReadingUnits": "RPM", "Status": status(f.Health, "")}
		setOpt(m, "Reading", f.RPM)
		fans = append(fans, m)
	}
	d.add(ch+"/Thermal", "#Thermal.v1_7_0.Thermal", map[string]any{"Id": "Thermal", "Name": "Thermal", "Temperatures": temps, "Fans": fans})
	volts := []any{}
	for i, v := range spec.Voltages {
		m := map[string]any{"@odata.id": fmt.Sprintf("%s/Power#/Voltages/%d", ch, i), "MemberId": fmt.Sprint(i),
			"Name": v.Name, "Status": status("OK", "")}
		setOpt(m, "ReadingVolts", v.Reading)
		setOpt(m, "UpperThresholdCritical", v.UpperCritical)
		setOpt(m, "LowerThresholdCritical", v.LowerCritical)
		volts = append(volts, m)
	}
	psus := []any{}
	for i, u := range spec.PSUs {
		m := map[string]any{"@odata.id": fmt.Sprintf("%s/Power#/PowerSupplies/%d", ch, i), "MemberId": fmt.Sprint(i),
			"Name": u.Name, "Status": status(u.Health, ""), "SerialNumber": u.Serial, "FirmwareVersion": u.Firmware}
		setOpt(m, "PowerCapacityWatts", u.CapacityW)
		setOpt(m, "PowerInputWatts", u.InputW)
		setOpt(m, "LastPowerOutputWatts", u.OutputW)
		psus = append(psus, m)
	}
	pc := map[string]any{"@odata.id": ch + "/Power#/PowerControl/0", "MemberId": "0", "Name": "System Power Control"}
	setOpt(pc, "PowerConsumedWatts", spec.PowerW)
	d.add(ch+"/Power", "#Power.v1_7_1.Power", map[string]any{"Id": "Power", "Name": "Power",
		"PowerControl": []any{pc}, "Voltages": volts, "PowerSupplies": psus})
}
