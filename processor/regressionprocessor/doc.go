//go:generate mdatagen metadata.yaml

// Package regressionprocessor provides the `regression` processor: per-series
// streaming baselines that flag spikes, level shifts, drift toward a limit,
// seasonal deviations and post-change regressions, and add derived `aiops.*`
// series (anomaly score, expected value and band, anomaly events) next to the
// unchanged input metrics. See README.md.
package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"
