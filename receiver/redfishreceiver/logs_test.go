// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

func entryIDs(ld plog.Logs, event string) []string {
	var out []string
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		sls := ld.ResourceLogs().At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				if lr.EventName() != event {
					continue
				}
				key := "redfish.log_entry.id"
				if event == "hw.state_change" {
					key = "hw.id"
				}
				v, _ := lr.Attributes().Get(key)
				out = append(out, v.Str())
			}
		}
	}
	return out
}

func TestHealthTransitions(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.Logs.EventLog = false
	f := startFleet(t, cfg)
	f.hasLogs.Store(true)
	fan := "/redfish/v1/Chassis/1U/ThermalSubsystem/Fans/Fan2"
	setHealth := func(h string) {
		s.Set(fan, "Status", map[string]any{"State": "Enabled", "Health": h})
	}
	scrape := func() []string {
		_, err := f.scrapeMetrics(context.Background())
		require.NoError(t, err)
		ld, err := f.scrapeLogs(context.Background())
		require.NoError(t, err)
		return entryIDs(ld, "hw.state_change")
	}
	assert.Empty(t, scrape(), "all ok at first sight: no event")
	setHealth("Warning")
	assert.Equal(t, []string{"Chassis/1U/ThermalSubsystem/Fans/Fan2"}, scrape())
	assert.Empty(t, scrape(), "no change, no event")
	setHealth("Critical")
	assert.Len(t, scrape(), 1)
	setHealth("OK")
	assert.Len(t, scrape(), 1)
}

func TestHealthTransitionsNotRepeatedAfterRestart(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	// contrib's file-backed test storage: a client's contents are written
	// on Close (the fleet's shutdown) and read back by the next fleet.
	sid := storagetest.NewStorageID("redfish")
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("redfish", t.TempDir())
	set := receivertest.NewNopSettings(metadata.Type) // one component ID across the restarts
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.Logs.Storage = &sid
	cfg.Logs.EventLog = false
	fan := "/redfish/v1/Chassis/1U/ThermalSubsystem/Fans/Fan2"
	s.Set(fan, "Status", map[string]any{"State": "Enabled", "Health": "Warning"})
	cycle := func(f *fleet) []string {
		_, err := f.scrapeMetrics(context.Background())
		require.NoError(t, err)
		ld, err := f.scrapeLogs(context.Background())
		require.NoError(t, err)
		return entryIDs(ld, "hw.state_change")
	}
	run := func() *fleet {
		f := newFleet(set, cfg)
		f.hasLogs.Store(true)
		require.NoError(t, f.start(context.Background(), host))
		return f
	}
	f := run()
	assert.Len(t, cycle(f), 1, "degraded at first sight")
	require.NoError(t, f.shutdown(context.Background()))

	f = run()
	assert.Empty(t, cycle(f), "already reported before the restart")
	s.Set(fan, "Status", map[string]any{"State": "Enabled", "Health": "OK"})
	assert.Len(t, cycle(f), 1, "recovery after the restart is reported")
	require.NoError(t, f.shutdown(context.Background()))
}
