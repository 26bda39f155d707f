// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

// fakeStorage is an in-memory storage extension that survives "restarts"
// (it is shared by the fleets of one test).
type fakeStorage struct {
	component.StartFunc
	component.ShutdownFunc
	mu   sync.Mutex
	data map[string][]byte
}

func (s *fakeStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return &fakeClient{s: s}, nil
}

type fakeClient struct{ s *fakeStorage }

func (c *fakeClient) Get(_ context.Context, k string) ([]byte, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.s.data[k], nil
}

func (c *fakeClient) Set(_ context.Context, k string, v []byte) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.data[k] = append([]byte(nil), v...)
	return nil
}

func (c *fakeClient) Delete(_ context.Context, k string) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	delete(c.s.data, k)
	return nil
}

func (*fakeClient) Batch(context.Context, ...*storage.Operation) error { return nil }
func (*fakeClient) Close(context.Context) error                        { return nil }

type extHost struct {
	component.Host
	ext map[component.ID]component.Component
}

func (h extHost) GetExtensions() map[component.ID]component.Component { return h.ext }

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
	st := &fakeStorage{data: map[string][]byte{}}
	sid := component.MustNewID("file_storage")
	host := extHost{Host: componenttest.NewNopHost(), ext: map[component.ID]component.Component{sid: st}}
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.Logs.Storage = &sid

	run := func() *fleet {
		f := newFleet(receivertest.NewNopSettings(metadata.Type), cfg)
		require.NoError(t, f.start(context.Background(), host))
		return f
	}
	f := run()
	ld, err := f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2", "3"}, entryIDs(ld, "redfish.log_entry"))

	expected := filepath.Join("testdata", "expected_logs.yaml")
	if *update {
		require.NoError(t, writeGoldenLogs(expected, ld))
	}
	want, err := readGoldenLogs(expected)
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
	st := &fakeStorage{data: map[string][]byte{}}
	sid := component.MustNewID("file_storage")
	host := extHost{Host: componenttest.NewNopHost(), ext: map[component.ID]component.Component{sid: st}}
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
		f := newFleet(receivertest.NewNopSettings(metadata.Type), cfg)
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
