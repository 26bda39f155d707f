// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
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

func TestEventLogExactlyOnceAcrossRestarts(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	// contrib's file-backed test storage: a client's contents are written
	// on Close (the fleet's shutdown) and read back by the next fleet.
	sid := storagetest.NewStorageID("redfish")
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("redfish", t.TempDir())
	set := receivertest.NewNopSettings(metadata.Type) // one component ID across the restarts
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.Logs.Storage = &sid

	run := func() *fleet {
		f := newFleet(set, cfg)
		require.NoError(t, f.start(context.Background(), host))
		return f
	}
	f := run()
	ld, err := f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2", "3"}, entryIDs(ld, "redfish.log_entry"))

	expected := filepath.Join("testdata", "expected_logs.yaml")
	if *update {
		require.NoError(t, golden.WriteLogsToFile(expected, ld))
	}
	want, err := golden.ReadLogs(expected)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(want, ld, plogtest.IgnoreObservedTimestamp(),
		plogtest.IgnoreResourceAttributeValue("redfish.bmc.address")))

	ld, err = f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Empty(t, entryIDs(ld, "redfish.log_entry"), "nothing new")

	t0 := time.Date(2026, 11, 21, 10, 2, 0, 0, time.UTC) // same Created as entry 3
	s.AddLogEntry(simulator.LogEntry{ID: "4", Created: t0, Severity: "Warning", Message: "same second as 3"})
	ld, err = f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"4"}, entryIDs(ld, "redfish.log_entry"))
	require.NoError(t, f.shutdown(context.Background()))

	// Restart: the high-water mark comes back from storage.
	s.AddLogEntry(simulator.LogEntry{ID: "5", Created: t0.Add(time.Minute), Severity: "OK", Message: "after restart"})
	f = run()
	ld, err = f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"5"}, entryIDs(ld, "redfish.log_entry"))
	require.NoError(t, f.shutdown(context.Background()))

	// Without storage a restart re-reads everything (documented).
	cfg.Logs.Storage = nil
	f = run()
	ld, err = f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Len(t, entryIDs(ld, "redfish.log_entry"), 5)
	require.NoError(t, f.shutdown(context.Background()))
	assert.Equal(t, 0, s.OpenSessions())
}

func TestMaxEntriesPerScrape(t *testing.T) {
	_, ts := sim(t, simulator.DefaultSpec())
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.Logs.MaxEntriesPerScrape = 2
	f := startFleet(t, cfg)
	ld, err := f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2"}, entryIDs(ld, "redfish.log_entry"))
	ld, err = f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"3"}, entryIDs(ld, "redfish.log_entry"))
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
