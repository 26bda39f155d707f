// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
)

func loadConfig(t *testing.T, id component.ID) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(id.String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg, confmap.WithIgnoreUnused()))
	return cfg
}

func TestLoadConfig(t *testing.T) {
	cfg := loadConfig(t, component.NewID(metadata.Type))
	require.NoError(t, cfg.Validate())
	assert.Equal(t, time.Minute, cfg.CollectionInterval)
	assert.Equal(t, defaultConcurrency, cfg.Concurrency)
	assert.Equal(t, dataModelAuto, cfg.DataModel)
	require.Len(t, cfg.BMCs, 1)
	assert.Equal(t, "10.0.0.10", cfg.BMCs[0].name())
	assert.Equal(t, "secret", string(cfg.BMCs[0].Password))

	cfg = loadConfig(t, component.MustNewIDWithName("redfish", "fleet"))
	require.NoError(t, cfg.Validate())
	sid := component.MustNewIDWithName("file_storage", "redfish")
	want := createDefaultConfig().(*Config)
	want.CollectionInterval = 30 * time.Second
	want.Concurrency = 64
	want.BMCTimeout = 25 * time.Second
	want.MaxConcurrentRequests = 3
	want.InventoryInterval = 6 * time.Hour
	want.DataModel = dataModelLegacy
	want.Auth = "session"
	want.TLS.CAFile = "/etc/ssl/bmc-ca.pem"
	want.Logs = LogsConfig{CollectionInterval: 5 * time.Minute, EventLog: true, HealthTransitions: false, Storage: &sid, MaxEntriesPerScrape: 200}
	want.BMCs = []BMCConfig{
		{Name: "r1", Endpoint: "https://10.0.0.11", Username: "monitor", Password: "s1", HostName: "node-11", Labels: map[string]string{"rack": "A1"}},
		{Name: "r2", Endpoint: "https://10.0.0.12:8443", Username: "monitor", Password: "s2", Auth: "basic",
			TLS: &configtls.ClientConfig{InsecureSkipVerify: true}},
	}
	assert.Equal(t, want, cfg)
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"no bmcs", func(c *Config) { c.BMCs = nil }, `"bmcs" must list at least one BMC`},
		{"bad endpoint", func(c *Config) { c.BMCs[0].Endpoint = "10.0.0.1" }, "must be an http(s) URL"},
		{"no username", func(c *Config) { c.BMCs[0].Username = "" }, "username is required"},
		{"duplicate names", func(c *Config) { c.BMCs = append(c.BMCs, c.BMCs[0]) }, "already used"},
		{"concurrency", func(c *Config) { c.Concurrency = 0 }, `"concurrency" must be at least 1`},
		{"requests", func(c *Config) { c.MaxConcurrentRequests = 0 }, `"max_concurrent_requests"`},
		{"timeout", func(c *Config) { c.BMCTimeout = 0 }, `"bmc_timeout" must be positive`},
		{"model", func(c *Config) { c.DataModel = "both" }, `"data_model" must be auto, subsystem or legacy`},
		{"auth", func(c *Config) { c.Auth = "token" }, `"auth" must be`},
		{"bmc auth", func(c *Config) { c.BMCs[0].Auth = "token" }, "auth must be"},
		{"logs interval", func(c *Config) { c.Logs.CollectionInterval = -time.Second }, `"logs.collection_interval" must not be negative`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(bmcCfg("r1", "https://10.0.0.1"))
			tc.mutate(cfg)
			err := cfg.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

// The example fleet config under configs/ stays valid for this receiver.
func TestExampleFleetConfig(t *testing.T) {
	path := filepath.Join("..", "..", "configs", "redfish.yaml")
	cm, err := confmaptest.LoadConf(path)
	if err != nil {
		t.Skipf("%s: %v", path, err)
	}
	sub, err := cm.Sub("receivers::redfish")
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	assert.Len(t, cfg.BMCs, 3)
	assert.Equal(t, "file_storage", cfg.Logs.Storage.String())
}
