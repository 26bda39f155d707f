package regressionprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor"

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/canary"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/regressionprocessor/internal/metadata"
)

// NewFactory returns the factory of the regression processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithMetrics(createMetricsProcessor, metadata.MetricsStability),
	)
}

func createDefaultConfig() component.Config {
	d, c := detector.DefaultConfig(), canary.DefaultConfig()
	return &Config{
		Metrics: MetricsConfig{
			MatchType: MatchGlob,
			Include:   []string{"*"},
		},
		VersionAttributes: []string{"service.version"},
		Quantiles:         []float64{0.5, 0.95, 0.99},
		Detection: DetectionConfig{
			Threshold:     d.Threshold,
			ExitThreshold: d.ExitThreshold,
			CoolDown:      d.CoolDown,
			Warmup:        d.Warmup,
			Seasonality:   SeasonalityAuto,
			BandWidth:     d.BandWidth,
			Horizon:       d.Drift.Horizon,
			PostChange:    true,
		},
		Canary: CanaryConfig{
			Enabled:           true,
			Window:            c.Window,
			VersionTTL:        c.VersionTTL,
			MaxVersions:       c.MaxVersions,
			MaxGroups:         c.MaxGroups,
			MinEffect:         c.MinEffect,
			MinRelativeChange: c.MinRelChange,
		},
		Emit:             EmitConfig{Mode: EmitAnomalous, Band: true},
		Queue:            QueueConfig{Enabled: true, QueueSize: 100_000},
		MaxSeries:        100_000,
		IdleTTL:          24 * time.Hour,
		FlushInterval:    time.Minute,
		SnapshotInterval: 5 * time.Minute,
	}
}

func createMetricsProcessor(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("regression: unexpected config type %T", cfg)
	}
	return newProcessor(set, c, next)
}
