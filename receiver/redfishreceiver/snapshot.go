// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"strings"
)

// snapshot is what one scrape of one BMC found, as plain values. Pointers
// are readings: nil means the BMC did not report it (absent, never zero).
type snapshot struct {
	hostName   string // System.HostName (used when host_name is not configured)
	components []hwComponent
	temps      []temperature
	volts      []voltage
	fans       []fanReading
	psus       []psuReading
	hosts      []hostReading
	ports      []portReading
}

type hwComponent struct {
	id, name, typ, parent string
	health, state         string // Redfish Status.Health / Status.State
	model, serial, fw     string
	// lifetime error counts (hw.errors); nil when not read or not reported
	correctable, uncorrectable *float64
}

type limits struct {
	lowCritical, lowDegraded, highDegraded, highCritical *float64
}

type temperature struct {
	id, name, parent, location string
	value                      *float64
	limits                     limits
}

type voltage struct {
	id, name, parent string
	value            *float64
	limits           limits
}

type fanReading struct {
	id, name, parent string
	rpm, ratio       *float64 // ratio in [0,1]
}

type psuReading struct {
	id, name, parent                string
	capacityW, inputW, outputW, kWh *float64
}

// portReading is a network port's error counts since the port was reset.
type portReading struct {
	id, name, parent string
	rx, tx           *float64
}

type hostReading struct {
	id, name              string
	powerW, kWh, ambientC *float64
}

// hwID derives a stable component id from its Redfish URI.
func hwID(uri string) string {
	return strings.TrimPrefix(strings.TrimPrefix(uri, "/redfish/v1/"), "/")
}

// hwState maps Redfish health to hw.state; ok is false when the BMC reports
// no health (the component's status is then absent).
func hwState(health string) (string, bool) {
	switch strings.ToLower(health) {
	case "ok":
		return "ok", true
	case "warning":
		return "degraded", true
	case "critical":
		return "failed", true
	}
	return "", false
}

// present reports whether a Redfish State means the component exists.
func present(state string) bool {
	switch state {
	case "Absent", "Disabled", "UnavailableOffline":
		return false
	}
	return true
}
