package incidentexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter"

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/api"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/notify"
)

// NewFactory returns the factory of the incident exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithLogs(createLogsExporter, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Store: StoreConfig{
			Driver:      driverSQLite,
			Directory:   "/var/lib/otelcol/incidents",
			MaxConns:    4,
			Retention:   90 * 24 * time.Hour,
			TimelineCap: 500,
		},
		API:           api.NewDefaultConfig(),
		Notifications: notify.NewDefaultConfig(),
		Delivery:      delivery.NewDefaultConfig(),
		Forward: ForwardConfig{
			OTLPGRPC: configoptional.Default(*defaultForwardConfig(otlpexporter.NewFactory()).(*otlpexporter.Config)),
			OTLPHTTP: configoptional.Default(*defaultForwardConfig(otlphttpexporter.NewFactory()).(*otlphttpexporter.Config)),
		},
		TimeoutConfig: exporterhelper.TimeoutConfig{Timeout: 30 * time.Second},
		RetryConfig:   configretry.NewDefaultBackOffConfig(),
	}
}

// defaultForwardConfig is the stock exporter's default with its in-memory
// sending queue and its retry off: the outbox already is a persistent queue
// that retries with backoff. A second in-memory queue behind it would
// acknowledge records a crash can still lose, and a second retry loop would
// hold a delivery lane for minutes. Both can be turned back on.
func defaultForwardConfig(f exporter.Factory) component.Config {
	cfg := f.CreateDefaultConfig()
	switch c := cfg.(type) {
	case *otlpexporter.Config:
		c.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
		c.RetryConfig.Enabled = false
	case *otlphttpexporter.Config:
		c.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
		c.RetryConfig.Enabled = false
	}
	return cfg
}

func createLogsExporter(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("incident: unexpected config type %T", cfg)
	}
	e, err := newIncidentExporter(set, c)
	if err != nil {
		return nil, err
	}
	// No sending queue: ConsumeLogs must return only once the change is
	// committed, so the pipeline (and the correlation processor behind it)
	// knows it is safe.
	return exporterhelper.NewLogs(ctx, set, cfg, e.consumeLogs,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(c.TimeoutConfig),
		exporterhelper.WithRetry(c.RetryConfig),
		exporterhelper.WithQueue(configoptional.None[exporterhelper.QueueBatchConfig]()),
	)
}
