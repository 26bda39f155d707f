//go:generate mdatagen metadata.yaml

// Package correlationprocessor provides the `correlation` processor: it turns
// metrics anomalies (from the regression processor), log records matched by
// OTTL rules (error logs, hardware events, Kubernetes events, Alertmanager
// alerts, deploy and config changes) and error spans into findings, folds
// them into incidents with a ranked root cause (internal/engine), and emits
// every incident state change as a log record (pkg/incident/incidentlog)
// into its logs pipeline(s). The input passes through unchanged. One engine
// is shared by every pipeline a component ID sits in. See README.md.
package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"
