// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	breakdown := createDefaultConfig().(*Config)
	breakdown.CollectionInterval = 30 * time.Second
	breakdown.PerCPU = true
	breakdown.PerCgroup = true
	breakdown.MaxCgroups = 64
	breakdown.CgroupRoot = "/host/sys/fs/cgroup"
	breakdown.HostName = "node-7"
	breakdown.OnUnavailable = onUnavailableWarn
	breakdown.ProgramRunTime = true
	breakdown.ResourceAttributes.HostID.Enabled = false

	for _, tc := range []struct {
		id   component.ID
		want *Config
	}{
		{component.NewID(metadata.Type), createDefaultConfig().(*Config)},
		{component.NewIDWithName(metadata.Type, "breakdown"), breakdown},
	} {
		t.Run(tc.id.String(), func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			sub, err := cm.Sub(tc.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			require.NoError(t, confmap.Validate(cfg))
			// Compare the user-visible values: ResourceAttributeConfig remembers
			// privately whether the user set each flag.
			assert.Equal(t, tc.want.ResourceAttributes.HostID.Enabled, cfg.ResourceAttributes.HostID.Enabled)
			cfg.ResourceAttributes = tc.want.ResourceAttributes
			assert.Equal(t, tc.want, cfg)
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"defaults", func(*Config) {}, ""},
		{"max_cgroups zero", func(c *Config) { c.MaxCgroups = 0 }, "max_cgroups must be between 1 and 16384, got 0"},
		{"max_cgroups too large", func(c *Config) { c.MaxCgroups = 1 << 20 }, "max_cgroups must be between 1"},
		{"on_unavailable typo", func(c *Config) { c.OnUnavailable = "ignore" }, `on_unavailable must be "fail" or "warn", got "ignore"`},
		{"cgroup_root without per_cgroup", func(c *Config) { c.CgroupRoot = "/x" }, "cgroup_root is set but per_cgroup is false"},
		{"cgroup_root with per_cgroup", func(c *Config) { c.CgroupRoot = "/x"; c.PerCgroup = true }, ""},
		{"zero interval", func(c *Config) { c.CollectionInterval = 0 }, "collection_interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tc.mutate(cfg)
			err := confmap.Validate(cfg)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestValidateJoinsEveryProblem(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxCgroups = -1
	cfg.OnUnavailable = ""
	err := cfg.Validate()
	require.ErrorContains(t, err, "max_cgroups")
	require.ErrorContains(t, err, "on_unavailable")
}
