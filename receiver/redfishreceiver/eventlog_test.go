// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strconv"
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

var selStart = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// bigSEL is a spec whose SEL holds n entries, ids 1..n, one second apart.
func bigSEL(n int) simulator.Spec {
	spec := simulator.DefaultSpec()
	spec.SEL = nil
	for i := 1; i <= n; i++ {
		spec.SEL = append(spec.SEL, selEntry(i))
	}
	return spec
}

func selEntry(i int) simulator.LogEntry {
	return simulator.LogEntry{ID: strconv.Itoa(i), Created: selStart.Add(time.Duration(i) * time.Second), Severity: "OK", Message: "entry " + strconv.Itoa(i)}
}

func idRange(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// claim makes the service root advertise query options whatever the
// simulator really does with them.
func claim(filter, topSkip bool) func(*simulator.Server) {
	return func(s *simulator.Server) {
		s.Set("/redfish/v1", "ProtocolFeaturesSupported", map[string]any{"FilterQuery": filter, "TopSkipQuery": topSkip})
	}
}

// The first read of a log is whole; later cycles read only what the BMC
// lets them skip, and fall back (never lose an entry) when a BMC refuses
// or ignores a query option it advertises.
func TestEventLogIncremental(t *testing.T) {
	const n = 500
	for _, tc := range []struct {
		name   string
		opts   []func(*simulator.Server)
		served []int64 // members served by cycles 2, 3, 4 (2 new entries each)
	}{
		{"filter supported", []func(*simulator.Server){func(s *simulator.Server) { s.FilterQuery, s.TopSkipQuery = true, true }},
			[]int64{3, 3, 3}}, // the mark's entry and the 2 new ones
		{"skip only, oldest first", []func(*simulator.Server){func(s *simulator.Server) { s.TopSkipQuery = true }},
			[]int64{3, 3, 3}}, // the anchor and the 2 new ones
		{"newest first, paged", []func(*simulator.Server){func(s *simulator.Server) { s.NewestFirst, s.PageSize = true, 50 }},
			[]int64{50, 50, 50}}, // the first page reaches the mark
		{"no query support", nil,
			[]int64{n + 2, n + 4, n + 6}},
		{"filter advertised but refused (501)", []func(*simulator.Server){func(s *simulator.Server) { s.TopSkipQuery = true }, claim(true, true)},
			[]int64{3, 3, 3}},
		{"filter and skip advertised but ignored", []func(*simulator.Server){func(s *simulator.Server) { s.IgnoreQuery = true }, claim(true, true)},
			[]int64{n + 2, 2 * (n + 4), n + 6}}, // each refuted once, then whole reads
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ts := sim(t, bigSEL(n), tc.opts...)
			cfg := testConfig(bmcCfg("r1", ts.URL))
			cfg.Logs.HealthTransitions = false
			f := startFleet(t, cfg)
			ld, err := f.scrapeLogs(context.Background())
			require.NoError(t, err)
			require.Equal(t, idRange(1, n), entryIDs(ld, "redfish.log_entry"))
			next := n + 1
			for cycle, want := range tc.served {
				s.AddLogEntry(selEntry(next))
				s.AddLogEntry(selEntry(next + 1))
				before := s.MembersServed()
				ld, err := f.scrapeLogs(context.Background())
				require.NoError(t, err)
				assert.Equal(t, idRange(next, next+1), entryIDs(ld, "redfish.log_entry"), "cycle %d: each entry exactly once", cycle+2)
				assert.Equal(t, want, s.MembersServed()-before, "cycle %d: members read", cycle+2)
				next += 2
			}
		})
	}
}

// A cleared log (ids start again) is noticed by the anchor check and read whole.
func TestEventLogClearedWhileReadByPosition(t *testing.T) {
	s, ts := sim(t, bigSEL(20), func(s *simulator.Server) { s.TopSkipQuery = true })
	f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
	ld, err := f.scrapeLogs(context.Background())
	require.NoError(t, err)
	require.Len(t, entryIDs(ld, "redfish.log_entry"), 20)

	s.ClearLog()
	for i := 1; i <= 25; i++ { // refilled past the old position, later in time
		e := selEntry(100 + i)
		e.ID = strconv.Itoa(i)
		s.AddLogEntry(e)
	}
	ld, err = f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Equal(t, idRange(1, 25), entryIDs(ld, "redfish.log_entry"))
}

// With a storage extension, an incremental reader picks up after a restart
// where it stopped: only the new entries are read and emitted.
func TestEventLogIncrementalAcrossRestart(t *testing.T) {
	s, ts := sim(t, bigSEL(200), func(s *simulator.Server) { s.FilterQuery = true })
	sid := storagetest.NewStorageID("redfish")
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("redfish", t.TempDir())
	set := receivertest.NewNopSettings(metadata.Type)
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
	require.Len(t, entryIDs(ld, "redfish.log_entry"), 200)
	require.NoError(t, f.shutdown(context.Background()))

	s.AddLogEntry(selEntry(201))
	f = run()
	before := s.MembersServed()
	ld, err = f.scrapeLogs(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"201"}, entryIDs(ld, "redfish.log_entry"))
	assert.LessOrEqual(t, s.MembersServed()-before, int64(10), "not the whole log again (service and manager listings aside)")
	require.NoError(t, f.shutdown(context.Background()))
}

// Every way of reading a log, under random appends (several per second),
// log clears and a per-cycle cap, emits each entry exactly once.
func TestEventLogExactlyOnceRandomized(t *testing.T) {
	modes := map[string]func(*simulator.Server){
		"filter":         func(s *simulator.Server) { s.FilterQuery, s.TopSkipQuery = true, true },
		"skip":           func(s *simulator.Server) { s.TopSkipQuery, s.PageSize = true, 4 },
		"newest first":   func(s *simulator.Server) { s.NewestFirst, s.PageSize = true, 3 },
		"none":           func(*simulator.Server) {},
		"claims ignored": func(s *simulator.Server) { s.IgnoreQuery = true; claim(true, true)(s) },
	}
	for name, mode := range modes {
		for _, maxEntries := range []int{0, 3} {
			t.Run(name+" max "+strconv.Itoa(maxEntries), func(t *testing.T) {
				for seed := range uint64(5) { // 100 seeds pass too (40 s)
					exactlyOnceRun(t, mode, maxEntries, rand.New(rand.NewPCG(seed, uint64(maxEntries))))
				}
			})
		}
	}
}

// exactlyOnceRun appends entries at random for 40 cycles, clearing the log
// now and then, and checks every entry still on the BMC was emitted once.
func exactlyOnceRun(t *testing.T, mode func(*simulator.Server), maxEntries int, rnd *rand.Rand) {
	spec := simulator.DefaultSpec()
	spec.SEL = nil
	s, ts := sim(t, spec, mode)
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.Logs.MaxEntriesPerScrape = maxEntries
	cfg.Logs.HealthTransitions = false
	f := startFleet(t, cfg)

	added, emitted := map[string]int{}, map[string]int{}
	id, sec := 0, 0
	collect := func() {
		ld, err := f.scrapeLogs(context.Background())
		require.NoError(t, err)
		for _, k := range entryKeys(ld) {
			emitted[k]++
		}
	}
	for range 40 {
		if rnd.IntN(15) == 0 {
			s.ClearLog()
			id, sec = 0, sec+1     // ids start again, time does not
			for k := range added { // entries the cap held back are gone with the log
				if emitted[k] == 0 {
					delete(added, k)
				}
			}
		}
		for range rnd.IntN(6) {
			id++
			sec += rnd.IntN(2) // several entries may share a second
			e := simulator.LogEntry{ID: strconv.Itoa(id), Created: selStart.Add(time.Duration(sec) * time.Second), Severity: "OK"}
			s.AddLogEntry(e)
			added[e.ID+"@"+e.Created.Format(time.RFC3339)]++
		}
		collect()
	}
	for range 40 { // drain what the cap held back
		collect()
	}
	assert.Equal(t, added, emitted)
}

// entryKeys returns "<id>@<Created>" of every event-log record.
func entryKeys(ld plog.Logs) []string {
	var out []string
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if lr.EventName() != "redfish.log_entry" {
					continue
				}
				id, _ := lr.Attributes().Get("redfish.log_entry.id")
				out = append(out, id.Str()+"@"+lr.Timestamp().AsTime().UTC().Format(time.RFC3339))
			}
		}
	}
	return out
}
