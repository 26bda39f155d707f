package correlationprocessor

import (
	"encoding/json"
	"os"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"
)

// The golden files use the layout of contrib pkg/golden (OTLP JSON as YAML).
// pkg/golden itself is not in go.mod, so these few lines stand in for it.

func writeYAML(path string, jsonBytes []byte, err error) error {
	if err != nil {
		return err
	}
	var v any
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
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func writeLogsYAML(path string, ld plog.Logs) error {
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	return writeYAML(path, b, err)
}

func writeMetricsYAML(path string, md pmetric.Metrics) error {
	b, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
	return writeYAML(path, b, err)
}

func writeTracesYAML(path string, td ptrace.Traces) error {
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	return writeYAML(path, b, err)
}

func readLogsYAML(path string) (plog.Logs, error) {
	b, err := readYAML(path)
	if err != nil {
		return plog.Logs{}, err
	}
	return (&plog.JSONUnmarshaler{}).UnmarshalLogs(b)
}

func readMetricsYAML(path string) (pmetric.Metrics, error) {
	b, err := readYAML(path)
	if err != nil {
		return pmetric.Metrics{}, err
	}
	return (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(b)
}

func readTracesYAML(path string) (ptrace.Traces, error) {
	b, err := readYAML(path)
	if err != nil {
		return ptrace.Traces{}, err
	}
	return (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(b)
}
