// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

//go:generate mdatagen metadata.yaml

// Package redfishreceiver scrapes fleets of Redfish BMCs (through gofish) and
// emits hardware metrics following the OpenTelemetry hw.* semantic conventions,
// plus health transitions and BMC event-log entries as log records.
package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"
