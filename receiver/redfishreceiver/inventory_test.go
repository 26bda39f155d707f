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

// hw.errors reads the lifetime error counters of DIMMs (MemoryMetrics),
// processors (ProcessorMetrics) and drives (DriveMetrics) when enabled.
func TestHwErrorsOptIn(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	// requests of a steady scrape (after the first, which discovers)
	steady := func(f *fleet) (int64, pmetric.Metrics) {
		_, err := f.scrapeMetrics(context.Background())
		require.NoError(t, err)
		before := s.Requests()
		md, err := f.scrapeMetrics(context.Background())
		require.NoError(t, err)
		return s.Requests() - before, md
	}
	off, md := steady(startFleet(t, testConfig(bmcCfg("r1", ts.URL))))
	assert.Empty(t, points(md, "hw.errors"), "disabled by default")

	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.Metrics.HwErrors.Enabled = true
	on, md := steady(startFleet(t, cfg))
	assert.Equal(t, off+3+2+2+2, on, "one metrics request per present DIMM, processor, drive and port")
	got := map[string]int64{}
	for _, dp := range points(md, "hw.errors") {
		id, _ := dp.Attributes().Get("hw.id")
		et, _ := dp.Attributes().Get("error.type")
		dir, _ := dp.Attributes().Get("network.io.direction")
		got[id.Str()+" "+et.Str()+dir.Str()] = dp.IntValue()
	}
	assert.Equal(t, map[string]int64{
		"Systems/sys1/Memory/DIMM1 correctable": 0, "Systems/sys1/Memory/DIMM1 uncorrectable": 0,
		"Systems/sys1/Memory/DIMM2 correctable": 3, "Systems/sys1/Memory/DIMM2 uncorrectable": 0,
		"Systems/sys1/Memory/DIMM3 correctable": 6, "Systems/sys1/Memory/DIMM3 uncorrectable": 0,
		// cache ECC (0, 10) + core errors (1)
		"Systems/sys1/Processors/CPU1 correctable": 1, "Systems/sys1/Processors/CPU1 uncorrectable": 0,
		"Systems/sys1/Processors/CPU2 correctable": 11, "Systems/sys1/Processors/CPU2 uncorrectable": 0,
		// read + write I/O errors
		"Systems/sys1/Storage/1/Drives/Disk0 correctable": 0, "Systems/sys1/Storage/1/Drives/Disk0 uncorrectable": 0,
		"Systems/sys1/Storage/1/Drives/Disk1 correctable": 3, "Systems/sys1/Storage/1/Drives/Disk1 uncorrectable": 1,
		// port errors since reset, by direction
		"Chassis/1U/NetworkAdapters/NIC1/Ports/1 receive": 0, "Chassis/1U/NetworkAdapters/NIC1/Ports/1 transmit": 0,
		"Chassis/1U/NetworkAdapters/NIC1/Ports/2 receive": 5, "Chassis/1U/NetworkAdapters/NIC1/Ports/2 transmit": 1,
	}, got)
	dp, ok := pointFor(md, "hw.errors", "Chassis/1U/NetworkAdapters/NIC1/Ports/2")
	require.True(t, ok)
	parent, _ := dp.Attributes().Get("hw.parent")
	assert.Equal(t, "Chassis/1U/NetworkAdapters/NIC1", parent.Str())
	typ, _ := dp.Attributes().Get("hw.type")
	assert.Equal(t, "network", typ.Str())
}

// A counter the BMC does not report is absent, not zero; one that is
// reported alone is kept.
func TestHwErrorsAbsentCounters(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	s.SetDoc("/redfish/v1/Systems/sys1/Processors/CPU1/ProcessorMetrics", map[string]any{"Id": "ProcessorMetrics"})
	s.SetDoc("/redfish/v1/Systems/sys1/Storage/1/Drives/Disk1/DriveMetrics", map[string]any{"Id": "DriveMetrics", "UncorrectableIOWriteErrorCount": 4})
	s.SetFault("/redfish/v1/Systems/sys1/Memory/DIMM2/MemoryMetrics", &simulator.Fault{Status: 500})
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.Metrics.HwErrors.Enabled = true
	f := startFleet(t, cfg)
	md, err := f.scrapeMetrics(context.Background())
	require.ErrorContains(t, err, "500", "a failed metrics read is a partial error")
	_, ok := pointFor(md, "hw.errors", "Systems/sys1/Processors/CPU1")
	assert.False(t, ok)
	_, ok = pointFor(md, "hw.errors", "Systems/sys1/Memory/DIMM2")
	assert.False(t, ok)
	assert.Equal(t, "ok", statusOf(md, "Systems/sys1/Memory/DIMM2"), "health kept when its metrics fail")
	var disk []int64
	for _, dp := range points(md, "hw.errors") {
		if id, _ := dp.Attributes().Get("hw.id"); id.Str() == "Systems/sys1/Storage/1/Drives/Disk1" {
			disk = append(disk, dp.IntValue())
		}
	}
	assert.Equal(t, []int64{4}, disk, "only the uncorrectable count is reported")
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
