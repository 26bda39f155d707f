// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/scraper"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
)

// NewFactory creates the redfish receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithMetrics(createMetrics, metadata.MetricsStability),
		receiver.WithLogs(createLogs, metadata.LogsStability),
	)
}

// Defaults sized for 1000 BMCs answering in 200 ms within a 60 s interval:
// with 2 requests in flight per BMC a server takes ~2.7 s per cycle (~5 s on
// the first cycle, which also discovers the inventory), so 256 workers finish
// the fleet in ~11 s (~21 s on the first cycle). See bench_test.go.
const (
	defaultConcurrency           = 256
	defaultMaxConcurrentRequests = 2
	defaultBMCTimeout            = 50 * time.Second
	defaultInventoryInterval     = time.Hour
	defaultMaxEntries            = 1000
)

func createDefaultConfig() component.Config {
	cc := scraperhelper.NewDefaultControllerConfig()
	cc.CollectionInterval = time.Minute
	return &Config{
		ControllerConfig:      cc,
		MetricsBuilderConfig:  metadata.NewDefaultMetricsBuilderConfig(),
		Concurrency:           defaultConcurrency,
		BMCTimeout:            defaultBMCTimeout,
		MaxConcurrentRequests: defaultMaxConcurrentRequests,
		InventoryInterval:     defaultInventoryInterval,
		DataModel:             dataModelAuto,
		Auth:                  client.AuthAuto,
		Logs: LogsConfig{
			EventLog:            true,
			HealthTransitions:   true,
			MaxEntriesPerScrape: defaultMaxEntries,
		},
	}
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	c := cfg.(*Config)
	f, err := fleets.acquire(set, c)
	if err != nil {
		return nil, err
	}
	s, err := scraper.NewMetrics(f.scrapeMetrics, scraper.WithStart(f.start), scraper.WithShutdown(f.shutdown))
	if err != nil {
		return nil, err
	}
	return scraperhelper.NewMetricsController(&c.ControllerConfig, set, next, scraperhelper.AddMetricsScraper(metadata.Type, s))
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	c := cfg.(*Config)
	f, err := fleets.acquire(set, c)
	if err != nil {
		return nil, err
	}
	f.hasLogs.Store(true)
	s, err := scraper.NewLogs(f.scrapeLogs, scraper.WithStart(f.start), scraper.WithShutdown(f.shutdown))
	if err != nil {
		return nil, err
	}
	return scraperhelper.NewLogsController(logsControllerConfig(c), set, next, addLogsScraper(s))
}

// logsControllerConfig is the controller of the logs signal: its own
// interval when logs.collection_interval is set.
func logsControllerConfig(c *Config) *scraperhelper.ControllerConfig {
	cc := c.ControllerConfig
	if c.Logs.CollectionInterval > 0 {
		cc.CollectionInterval = c.Logs.CollectionInterval
	}
	return &cc
}

func addLogsScraper(s scraper.Logs) scraperhelper.ControllerOption {
	f := scraper.NewFactory(metadata.Type, nil,
		scraper.WithLogs(func(context.Context, scraper.Settings, component.Config) (scraper.Logs, error) {
			return s, nil
		}, component.StabilityLevelAlpha))
	return scraperhelper.AddFactoryWithConfig(f, nil)
}
