// Package incident is the data model shared by every otelcol-aiops component:
// a Finding is one atomic signal of trouble, an Incident groups findings into
// one problem with ranked root causes, and an Update is one state change of an
// incident as the correlation engine or the incident store reports it.
//
// The package imports only the standard library, so engines can use it
// without pulling in pdata; how these types look as OTLP log records is the
// business of the incidentlog subpackage alone.
//
// Identifiers are derived from content (NewIncidentID, NewFindingID,
// NewFingerprint) and every time is taken from the data, so replaying the same
// telemetry yields the same findings and incidents with the same IDs.
package incident
