package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/engine"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/metadata"
)

// NewFactory returns the factory of the correlation processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithMetrics(createMetricsProcessor, metadata.MetricsStability),
		processor.WithLogs(createLogsProcessor, metadata.LogsStability),
		processor.WithTraces(createTracesProcessor, metadata.TracesStability),
	)
}

func createDefaultConfig() component.Config {
	d := engine.DefaultConfig()
	return &Config{
		GroupWait:        d.GroupWait,
		GroupInterval:    d.GroupInterval,
		Window:           d.Window,
		ResolveAfter:     d.ResolveAfter,
		MaxOpenIncidents: d.MaxOpenIncidents,
		MaxMembers:       d.MaxMembers,
		TopK:             d.TopK,
		ChangeLookback:   d.ChangeLookback,
		EdgeTTL:          d.EdgeTTL,
		EntityAttributes: slices.Clone(defaultEntityAttributes),
		DefaultRules:     true,
		Anomalies: AnomaliesConfig{
			Enabled:     true,
			Metric:      defaultAnomalyMetric,
			ScoreMetric: defaultAnomalyScoreMetric,
			Severity:    "warning",
		},
		Traces:           TracesConfig{ErrorSpans: true, Edges: true},
		TickInterval:     5 * time.Second,
		SnapshotInterval: 10 * time.Second,
	}
}

func configOf(cfg component.Config) (*Config, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("correlation: unexpected config type %T", cfg)
	}
	return c, nil
}

func createMetricsProcessor(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	c, err := configOf(cfg)
	if err != nil {
		return nil, err
	}
	return newMetricsProcessor(set, c, next)
}

func createLogsProcessor(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	c, err := configOf(cfg)
	if err != nil {
		return nil, err
	}
	return newLogsProcessor(set, c, next)
}

func createTracesProcessor(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	c, err := configOf(cfg)
	if err != nil {
		return nil, err
	}
	return newTracesProcessor(set, c, next)
}
