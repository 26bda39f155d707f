// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

// A minimal stand-in for contrib pkg/golden (same YAML format: the OTLP JSON
// encoding written as YAML). contrib pkg/golden v0.161.0 is not required in
// go.mod yet; once it is, replace these with golden.ReadMetrics/WriteMetrics
// and golden.ReadLogs/WriteLogs.

import (
	"encoding/json"
	"os"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.yaml.in/yaml/v3"
)

func writeYAML(path string, jsonBytes []byte) error {
	var v map[string]any
	if err := json.Unmarshal(jsonBytes, &v); err != nil {
		return err
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func readYAML(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func writeGoldenMetrics(path string, md pmetric.Metrics) error {
	b, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
	if err != nil {
		return err
	}
	return writeYAML(path, b)
}

func readGoldenMetrics(path string) (pmetric.Metrics, error) {
	b, err := readYAML(path)
	if err != nil {
		return pmetric.Metrics{}, err
	}
	return (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(b)
}

func writeGoldenLogs(path string, ld plog.Logs) error {
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		return err
	}
	return writeYAML(path, b)
}

func readGoldenLogs(path string) (plog.Logs, error) {
	b, err := readYAML(path)
	if err != nil {
		return plog.Logs{}, err
	}
	return (&plog.JSONUnmarshaler{}).UnmarshalLogs(b)
}
