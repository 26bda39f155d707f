// Package incidentexporter keeps incidents durably, serves them over an HTTP
// API, notifies people and forwards every state change over OTLP. See
// README.md.
//
//go:generate mdatagen metadata.yaml
package incidentexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter"
