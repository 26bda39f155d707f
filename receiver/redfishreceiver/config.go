// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver"

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
)

const (
	dataModelAuto      = "auto"
	dataModelSubsystem = "subsystem"
	dataModelLegacy    = "legacy"
)

// Config is the redfish receiver configuration.
type Config struct {
	scraperhelper.ControllerConfig `mapstructure:",squash"`
	metadata.MetricsBuilderConfig  `mapstructure:",squash"`

	// BMCs to scrape.
	BMCs []BMCConfig `mapstructure:"bmcs"`

	// Concurrency is the number of BMCs scraped at once (worker pool size).
	Concurrency int `mapstructure:"concurrency"`
	// BMCTimeout bounds one scrape of one BMC (all its requests).
	BMCTimeout time.Duration `mapstructure:"bmc_timeout"`
	// MaxConcurrentRequests bounds the requests in flight to one BMC.
	MaxConcurrentRequests int `mapstructure:"max_concurrent_requests"`
	// InventoryInterval is how often the list of components (and their
	// model, serial number, firmware) is refreshed; readings and health are
	// read every collection_interval.
	InventoryInterval time.Duration `mapstructure:"inventory_interval"`
	// DataModel selects the Redfish model read for each reading family:
	// auto (ThermalSubsystem/PowerSubsystem/Sensors when present, else
	// Thermal/Power), subsystem, or legacy.
	DataModel string `mapstructure:"data_model"`
	// Expand reads collections (sensors, processors, memory) with
	// $expand=.($levels=1): one request instead of one per member. Off by
	// default because BMC $expand implementations vary; a BMC that does not
	// honour it falls back to member-by-member reads (one wasted request).
	Expand bool `mapstructure:"expand"`
	// Auth is auto (session, Basic when the BMC has no SessionService),
	// session or basic. A BMC entry may override it.
	Auth string `mapstructure:"auth"`
	// TLS is the default TLS client setting of every BMC.
	TLS configtls.ClientConfig `mapstructure:"tls"`

	// Logs configures the logs signal.
	Logs LogsConfig `mapstructure:"logs"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// LogsConfig configures BMC event-log and health-transition records.
type LogsConfig struct {
	// CollectionInterval is how often the event logs are read and health
	// transitions emitted; 0 means collection_interval.
	CollectionInterval time.Duration `mapstructure:"collection_interval"`
	// EventLog emits each LogService entry (SEL, event log) once.
	EventLog bool `mapstructure:"event_log"`
	// HealthTransitions emits a record when a component's hw.state changes.
	HealthTransitions bool `mapstructure:"health_transitions"`
	// Storage is the ID of a storage extension persisting the per-BMC
	// high-water marks across restarts (optional).
	Storage *component.ID `mapstructure:"storage"`
	// MaxEntriesPerScrape bounds the entries emitted per log service per scrape.
	MaxEntriesPerScrape int `mapstructure:"max_entries_per_scrape"`
}

// BMCConfig is one BMC.
type BMCConfig struct {
	// Name identifies the BMC in errors, self-metrics and the
	// redfish.bmc.name resource attribute; defaults to the endpoint's host.
	Name string `mapstructure:"name"`
	// Endpoint is the BMC base URL, e.g. https://10.0.0.10.
	Endpoint string              `mapstructure:"endpoint"`
	Username string              `mapstructure:"username"`
	Password configopaque.String `mapstructure:"password"`
	// HostName sets host.name on this BMC's resource; when empty the
	// ComputerSystem HostName reported by the BMC is used, else Name.
	HostName string `mapstructure:"host_name"`
	// Labels are added as resource attributes.
	Labels map[string]string `mapstructure:"labels"`
	// Auth overrides the receiver-level auth.
	Auth string `mapstructure:"auth"`
	// TLS overrides the receiver-level tls settings.
	TLS *configtls.ClientConfig `mapstructure:"tls"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func (b *BMCConfig) name() string {
	if b.Name != "" {
		return b.Name
	}
	if u, err := url.Parse(b.Endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return b.Endpoint
}

func validAuth(a string) bool {
	return a == "" || a == client.AuthAuto || a == client.AuthSession || a == client.AuthBasic
}

// Validate checks the configuration without I/O.
func (cfg *Config) Validate() error {
	var errs []error
	if len(cfg.BMCs) == 0 {
		errs = append(errs, errors.New(`"bmcs" must list at least one BMC`))
	}
	if cfg.Concurrency < 1 {
		errs = append(errs, fmt.Errorf(`"concurrency" must be at least 1, got %d`, cfg.Concurrency))
	}
	if cfg.MaxConcurrentRequests < 1 {
		errs = append(errs, fmt.Errorf(`"max_concurrent_requests" must be at least 1, got %d`, cfg.MaxConcurrentRequests))
	}
	if cfg.BMCTimeout <= 0 {
		errs = append(errs, errors.New(`"bmc_timeout" must be positive`))
	}
	if cfg.InventoryInterval < 0 {
		errs = append(errs, errors.New(`"inventory_interval" must not be negative`))
	}
	switch cfg.DataModel {
	case dataModelAuto, dataModelSubsystem, dataModelLegacy:
	default:
		errs = append(errs, fmt.Errorf(`"data_model" must be auto, subsystem or legacy, got %q`, cfg.DataModel))
	}
	if !validAuth(cfg.Auth) {
		errs = append(errs, fmt.Errorf(`"auth" must be auto, session or basic, got %q`, cfg.Auth))
	}
	if cfg.Logs.CollectionInterval < 0 {
		errs = append(errs, errors.New(`"logs.collection_interval" must not be negative (0 means collection_interval)`))
	}
	if cfg.Logs.MaxEntriesPerScrape < 0 {
		errs = append(errs, errors.New(`"logs.max_entries_per_scrape" must not be negative`))
	}
	seen := map[string]int{}
	for i := range cfg.BMCs {
		b := &cfg.BMCs[i]
		u, err := url.Parse(b.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("bmcs[%d]: endpoint %q must be an http(s) URL such as https://10.0.0.10", i, b.Endpoint))
		}
		if b.Username == "" {
			errs = append(errs, fmt.Errorf("bmcs[%d] (%s): username is required", i, b.name()))
		}
		if !validAuth(b.Auth) {
			errs = append(errs, fmt.Errorf("bmcs[%d] (%s): auth must be auto, session or basic, got %q", i, b.name(), b.Auth))
		}
		if j, dup := seen[b.name()]; dup {
			errs = append(errs, fmt.Errorf("bmcs[%d]: name %q already used by bmcs[%d] (set distinct names)", i, b.name(), j))
		}
		seen[b.name()] = i
	}
	return errors.Join(errs...)
}
