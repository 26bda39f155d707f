// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

func firmwareOf(md pmetric.Metrics, hwID string) string {
	for _, dp := range points(md, "hw.status") {
		if id, _ := dp.Attributes().Get("hw.id"); id.Str() == hwID {
			fw, _ := dp.Attributes().Get("hw.firmware_version")
			return fw.Str()
		}
	}
	return ""
}

// Inventory (component list, model, serial, firmware) is refreshed every
// inventory_interval; health and readings every scrape.
func TestInventoryRefreshedOnItsOwnInterval(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.InventoryInterval = time.Hour
	f := startFleet(t, cfg)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	f.now = func() time.Time { return now }
	nic := "/redfish/v1/Chassis/1U/NetworkAdapters/NIC1"
	id := "Chassis/1U/NetworkAdapters/NIC1"

	md, err := f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "4.40", firmwareOf(md, id))
	before := s.Requests()

	s.Set(nic, "FirmwareVersion", "4.50")
	s.Set(nic, "Status", map[string]any{"State": "Enabled", "Health": "Critical"})
	s.AddLogEntry(simulator.LogEntry{ID: "9", Created: now}) // unrelated
	now = now.Add(time.Minute)
	md, err = f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "4.40", firmwareOf(md, id), "inventory not refreshed yet")
	assert.Equal(t, "failed", statusOf(md, id), "health is read every scrape")
	steady := s.Requests() - before

	now = now.Add(time.Hour)
	before = s.Requests()
	md, err = f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "4.50", firmwareOf(md, id), "refreshed after inventory_interval")
	assert.Greater(t, s.Requests()-before, steady, "discovery costs extra requests only on refresh")
}

func TestMemoryErrorsOptIn(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	cfg := testConfig(bmcCfg("r1", ts.URL))
	f := startFleet(t, cfg)
	before := s.Requests()
	md, err := f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	assert.Empty(t, points(md, "hw.errors"), "disabled by default")
	off := s.Requests() - before

	cfg = testConfig(bmcCfg("r1", ts.URL))
	cfg.Metrics.HwErrors.Enabled = true
	f = startFleet(t, cfg)
	before = s.Requests()
	md, err = f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	on := s.Requests() - before
	assert.Equal(t, off+3, on, "one MemoryMetrics request per present DIMM")
	var got []int64
	for _, dp := range points(md, "hw.errors") {
		if et, _ := dp.Attributes().Get("error.type"); et.Str() == "correctable" {
			got = append(got, dp.IntValue())
		}
	}
	assert.ElementsMatch(t, []int64{0, 3, 6}, got)
}

func TestIncompleteDiscoveryRetried(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	s.SetFault("/redfish/v1/Systems/sys1/Memory", &simulator.Fault{Status: 500, Times: 1})
	f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
	md, err := f.scrapeMetrics(context.Background())
	require.Error(t, err)
	assert.Empty(t, statusOf(md, "Systems/sys1/Memory/DIMM1"))
	assert.Equal(t, "ok", statusOf(md, "Systems/sys1/Processors/CPU1"), "the rest of the inventory is used at once")
	md, err = f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ok", statusOf(md, "Systems/sys1/Memory/DIMM1"), "rediscovered on the next scrape, not an hour later")
}
