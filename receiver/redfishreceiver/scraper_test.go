// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package redfishreceiver

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/collector/scraper/scrapererror"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/client"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/redfishreceiver/internal/simulator"
)

var update = flag.Bool("update", false, "regenerate golden files in testdata/")

// sim starts a simulator for spec; the test server is closed at cleanup.
func sim(t testing.TB, spec simulator.Spec, opts ...func(*simulator.Server)) (*simulator.Server, *httptest.Server) {
	t.Helper()
	s := simulator.New(simulator.NewTree(spec))
	for _, o := range opts {
		o(s)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); ts.Close() })
	return s, ts
}

func bmcCfg(name, url string) BMCConfig {
	return BMCConfig{Name: name, Endpoint: url, Username: "admin", Password: configopaque.String("secret")}
}

func testConfig(bmcs ...BMCConfig) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.BMCs = bmcs
	cfg.BMCTimeout = 5 * time.Second
	return cfg
}

func startFleet(t testing.TB, cfg *Config) *fleet {
	t.Helper()
	require.NoError(t, cfg.Validate())
	f := newFleet(receivertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, f.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { _ = f.shutdown(context.Background()) })
	return f
}

// points returns the data points of the named metric across resources.
func points(md pmetric.Metrics, name string) []pmetric.NumberDataPoint {
	var out []pmetric.NumberDataPoint
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		sms := md.ResourceMetrics().At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				if m.Name() != name {
					continue
				}
				var dps pmetric.NumberDataPointSlice
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					dps = m.Gauge().DataPoints()
				case pmetric.MetricTypeSum:
					dps = m.Sum().DataPoints()
				}
				for l := 0; l < dps.Len(); l++ {
					out = append(out, dps.At(l))
				}
			}
		}
	}
	return out
}

func pointFor(md pmetric.Metrics, name, hwID string) (pmetric.NumberDataPoint, bool) {
	for _, dp := range points(md, name) {
		if v, ok := dp.Attributes().Get("hw.id"); ok && v.Str() == hwID {
			return dp, true
		}
	}
	return pmetric.NumberDataPoint{}, false
}

func statusOf(md pmetric.Metrics, hwID string) string {
	for _, dp := range points(md, "hw.status") {
		id, _ := dp.Attributes().Get("hw.id")
		st, _ := dp.Attributes().Get("hw.state")
		if id.Str() == hwID && dp.IntValue() == 1 {
			return st.Str()
		}
	}
	return ""
}

func TestScrapeGolden(t *testing.T) {
	_, ts := sim(t, simulator.DefaultSpec())
	b := bmcCfg("r1", ts.URL)
	b.Labels = map[string]string{"rack": "A1"}
	f := startFleet(t, testConfig(b))
	md, err := f.scrapeMetrics(context.Background())
	require.NoError(t, err)

	expected := filepath.Join("testdata", "expected_metrics.yaml")
	if *update {
		require.NoError(t, golden.WriteMetricsToFile(expected, md, golden.SkipMetricTimestampNormalization()))
	}
	want, err := golden.ReadMetrics(expected)
	require.NoError(t, err)
	require.NoError(t, pmetrictest.CompareMetrics(want, md,
		pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
		pmetrictest.IgnoreResourceAttributeValue("redfish.bmc.address"),
		pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreMetricsOrder()))
}

func TestScrapeReadings(t *testing.T) {
	_, ts := sim(t, simulator.DefaultSpec())
	f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
	md, err := f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, md.ResourceMetrics().Len())
	host, _ := md.ResourceMetrics().At(0).Resource().Attributes().Get("host.name")
	assert.Equal(t, "node-01", host.Str(), "host.name falls back to ComputerSystem.HostName")

	// auto: subsystem model present, so exactly one source per reading.
	assert.Len(t, points(md, "hw.temperature"), 3)
	assert.Len(t, points(md, "hw.voltage"), 2)
	assert.Len(t, points(md, "hw.fan.speed"), 2)
	assert.Len(t, points(md, "hw.fan.speed_ratio"), 2)
	assert.Len(t, points(md, "hw.power_supply.usage"), 2)
	dp, ok := pointFor(md, "hw.fan.speed", "Chassis/1U/ThermalSubsystem/Fans/Fan1")
	require.True(t, ok)
	assert.Equal(t, 5400.0, dp.DoubleValue())
	dp, ok = pointFor(md, "hw.energy", "Chassis/1U/PowerSubsystem/PowerSupplies/PSU1")
	require.True(t, ok)
	assert.InDelta(t, 1200.5*3.6e6, dp.DoubleValue(), 1)
	dp, ok = pointFor(md, "hw.host.power", "Chassis/1U")
	require.True(t, ok)
	assert.Equal(t, 350.0, dp.DoubleValue())
	// health of every family
	for id, typ := range map[string]string{
		"Systems/sys1/Processors/CPU1":                 "cpu",
		"Systems/sys1/Memory/DIMM1":                    "memory",
		"Systems/sys1/Storage/1/Drives/Disk0":          "physical_disk",
		"Systems/sys1/Storage/1/Controllers/RAID1":     "disk_controller",
		"Chassis/1U/NetworkAdapters/NIC1":              "network",
		"Chassis/1U/PowerSubsystem/PowerSupplies/PSU2": "power_supply",
		"Chassis/1U/ThermalSubsystem/Fans/Fan2":        "fan",
		"Chassis/1U":                                   "enclosure",
	} {
		assert.Equal(t, "ok", statusOf(md, id), "%s (%s)", id, typ)
	}
	assert.Empty(t, statusOf(md, "Systems/sys1/Memory/DIMM4"), "absent DIMM has no status")
}

func TestDataModels(t *testing.T) {
	for _, tc := range []struct {
		name             string
		newModel, legacy bool
		pref             string
		fanID            string
		wantTemps        int
		wantEnergy       bool
	}{
		{"auto both", true, true, dataModelAuto, "Chassis/1U/ThermalSubsystem/Fans/Fan1", 3, true},
		{"auto legacy only", false, true, dataModelAuto, "Chassis/1U/Thermal#/Fans/0", 3, false},
		{"legacy preferred", true, true, dataModelLegacy, "Chassis/1U/Thermal#/Fans/0", 3, false},
		{"subsystem only", true, false, dataModelSubsystem, "Chassis/1U/ThermalSubsystem/Fans/Fan1", 3, true},
		{"subsystem strict on legacy BMC", false, true, dataModelSubsystem, "", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := simulator.DefaultSpec()
			spec.NewModel, spec.Legacy = tc.newModel, tc.legacy
			_, ts := sim(t, spec)
			cfg := testConfig(bmcCfg("r1", ts.URL))
			cfg.DataModel = tc.pref
			f := startFleet(t, cfg)
			md, err := f.scrapeMetrics(context.Background())
			require.NoError(t, err)
			assert.Len(t, points(md, "hw.temperature"), tc.wantTemps)
			if tc.fanID != "" {
				dp, ok := pointFor(md, "hw.fan.speed", tc.fanID)
				require.True(t, ok)
				assert.Equal(t, 5400.0, dp.DoubleValue())
				assert.Len(t, points(md, "hw.fan.speed"), 2)
			} else {
				assert.Empty(t, points(md, "hw.fan.speed"))
			}
			_, ok := pointFor(md, "hw.host.energy", "Chassis/1U")
			assert.Equal(t, tc.wantEnergy, ok, "energy exists only in the new model: absent, never zero")
			if tc.wantTemps > 0 {
				assert.Len(t, points(md, "hw.voltage"), 2, "one source for voltages")
				assert.Len(t, points(md, "hw.power_supply.usage"), 2, "one source for PSUs")
				assert.Len(t, points(md, "hw.power_supply.limit"), 2)
				dp, ok := pointFor(md, "hw.host.power", "Chassis/1U")
				require.True(t, ok)
				assert.Equal(t, 350.0, dp.DoubleValue())
			}
		})
	}
}

func TestAbsentReadingsStayAbsent(t *testing.T) {
	spec := simulator.DefaultSpec()
	spec.Fans[1].RPM = nil
	spec.Temps[2].Reading = nil
	spec.PSUs[1].OutputW = nil
	_, ts := sim(t, spec)
	f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
	md, err := f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	_, ok := pointFor(md, "hw.fan.speed", "Chassis/1U/ThermalSubsystem/Fans/Fan2")
	assert.False(t, ok)
	_, ok = pointFor(md, "hw.fan.speed_ratio", "Chassis/1U/ThermalSubsystem/Fans/Fan2")
	assert.True(t, ok)
	_, ok = pointFor(md, "hw.temperature", "Chassis/1U/Sensors/CPU2")
	assert.False(t, ok)
	_, ok = pointFor(md, "hw.temperature.limit", "Chassis/1U/Sensors/CPU2")
	assert.True(t, ok, "limits still reported")
	_, ok = pointFor(md, "hw.power_supply.utilization", "Chassis/1U/PowerSubsystem/PowerSupplies/PSU2")
	assert.False(t, ok)
}

func TestTolerantDecoding(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	// A wrong field type makes gofish fail the whole Fan; the tolerant path keeps the rest.
	s.Set("/redfish/v1/Chassis/1U/ThermalSubsystem/Fans/Fan2", "HotPluggable", "yes")
	s.Set("/redfish/v1/Chassis/1U/Sensors/CPU1", "Reading", "N/A")
	s.SetFault("/redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies/PSU2", &simulator.Fault{Malformed: true})
	f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
	md, err := f.scrapeMetrics(context.Background())
	require.Error(t, err)
	assert.True(t, scrapererror.IsPartialScrapeError(err))
	assert.Contains(t, err.Error(), `bmc "r1"`)

	dp, ok := pointFor(md, "hw.fan.speed", "Chassis/1U/ThermalSubsystem/Fans/Fan2")
	require.True(t, ok, "mistyped field costs only that field")
	assert.Equal(t, 5300.0, dp.DoubleValue())
	_, ok = pointFor(md, "hw.temperature", "Chassis/1U/Sensors/CPU1")
	assert.False(t, ok, "string reading is absent, not zero")
	assert.Equal(t, "ok", statusOf(md, "Chassis/1U/Sensors/CPU1"))
	_, ok = pointFor(md, "hw.power_supply.usage", "Chassis/1U/PowerSubsystem/PowerSupplies/PSU2")
	assert.False(t, ok, "malformed member is lost")
	_, ok = pointFor(md, "hw.power_supply.usage", "Chassis/1U/PowerSubsystem/PowerSupplies/PSU1")
	assert.True(t, ok, "the other members are kept")
}

func TestPagingAndMissingLinks(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec(), func(s *simulator.Server) { s.PageSize = 1 })
	s.SetDoc("/redfish/v1/Systems/sys1/Memory/DIMM2", nil) // a dangling link: 404
	f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
	md, err := f.scrapeMetrics(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "404")
	assert.Len(t, points(md, "hw.temperature"), 3, "sensors collection paged with nextLink")
	assert.Equal(t, "ok", statusOf(md, "Systems/sys1/Memory/DIMM3"))
}

func TestSessionsReusedAndDeleted(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec(), func(s *simulator.Server) { s.MaxSessions = 8 })
	f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
	for range 3 {
		_, err := f.scrapeMetrics(context.Background())
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, s.SessionsCreated(), "one session reused across scrapes")
	assert.Equal(t, 1, s.OpenSessions())
	require.NoError(t, f.shutdown(context.Background()))
	assert.Equal(t, 0, s.OpenSessions(), "session deleted on shutdown")
	require.NoError(t, f.shutdown(context.Background()), "shutdown is idempotent")
}

func TestReloginAfter401Storm(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec(), func(s *simulator.Server) { s.MaxSessions = 8 })
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.MaxConcurrentRequests = 4
	f := startFleet(t, cfg)
	f.hasLogs.Store(true)
	_, err := f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	for i := range 5 {
		s.ExpireSessions() // BMC timed the session out
		// metrics and logs scrapes run at once: up to 4 + 4 requests see the 401 together
		var wg sync.WaitGroup
		var md pmetric.Metrics
		var merr, lerr error
		wg.Add(2)
		go func() { defer wg.Done(); md, merr = f.scrapeMetrics(context.Background()) }()
		go func() { defer wg.Done(); _, lerr = f.scrapeLogs(context.Background()) }()
		wg.Wait()
		require.NoError(t, merr)
		require.NoError(t, lerr)
		assert.NotEmpty(t, points(md, "hw.temperature"))
		assert.LessOrEqual(t, s.OpenSessions(), 1)
		assert.EqualValues(t, i+2, s.SessionsCreated(), "exactly one re-login per expiry, however many requests saw the 401")
	}
	// A resource answering 401 while the session is valid must not leak sessions either.
	created := s.SessionsCreated()
	s.SetFault("/redfish/v1/Chassis/1U/Sensors/CPU1", &simulator.Fault{Status: 401})
	for range 10 {
		md, err := f.scrapeMetrics(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "401")
		assert.NotEmpty(t, points(md, "hw.temperature"))
		assert.LessOrEqual(t, s.OpenSessions(), 1)
	}
	assert.Equal(t, created, s.SessionsCreated(), "a valid session is not churned by a 401 on one resource")
	require.NoError(t, f.shutdown(context.Background()))
	assert.Equal(t, 0, s.OpenSessions())
}

func TestSessionExhaustedAndWrongPassword(t *testing.T) {
	t.Run("exhausted", func(t *testing.T) {
		s, ts := sim(t, simulator.DefaultSpec(), func(s *simulator.Server) { s.MaxSessions = 1 })
		other := client.New(client.Config{Endpoint: ts.URL, Username: "admin", Password: "secret"}, client.Hooks{})
		_, err := other.GetDoc(context.Background(), "/redfish/v1/Chassis")
		require.NoError(t, err)
		f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
		_, err = f.scrapeMetrics(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "503")
		assert.Contains(t, err.Error(), "no free session")
		require.NoError(t, other.Close(context.Background()))
		_, err = f.scrapeMetrics(context.Background())
		require.NoError(t, err, "recovers once a session is free")
		require.NoError(t, f.shutdown(context.Background()))
		assert.Equal(t, 0, s.OpenSessions())
	})
	t.Run("wrong password basic", func(t *testing.T) {
		_, ts := sim(t, simulator.DefaultSpec(), func(s *simulator.Server) { s.NoSessionService = true })
		b := bmcCfg("r1", ts.URL)
		b.Password = "wrong"
		f := startFleet(t, testConfig(b))
		md, err := f.scrapeMetrics(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "401 Unauthorized")
		assert.Contains(t, err.Error(), "check username/password")
		assert.Equal(t, 0, md.ResourceMetrics().Len())
	})
	t.Run("basic fallback", func(t *testing.T) {
		s, ts := sim(t, simulator.DefaultSpec(), func(s *simulator.Server) { s.NoSessionService = true })
		f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
		md, err := f.scrapeMetrics(context.Background())
		require.NoError(t, err)
		assert.NotEmpty(t, points(md, "hw.temperature"))
		assert.EqualValues(t, 0, s.SessionsCreated())
	})
}

func TestSlowBMCDoesNotDelayOthers(t *testing.T) {
	slow, slowTS := sim(t, simulator.DefaultSpec())
	slow.SetFault("/redfish/v1/Chassis/1U/Thermal", &simulator.Fault{Hang: true})
	slow.SetFault("/redfish/v1/Chassis/1U/Sensors/CPU1", &simulator.Fault{Hang: true})
	_, fastTS := sim(t, simulator.DefaultSpec())
	cfg := testConfig(bmcCfg("slow", slowTS.URL), bmcCfg("fast", fastTS.URL))
	cfg.BMCTimeout = 10 * time.Second
	f := startFleet(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	md, err := f.scrapeMetrics(ctx)
	cancel()
	require.NoError(t, err, "the slow BMC has not failed yet, it is still running")
	require.Equal(t, 1, md.ResourceMetrics().Len())
	name, _ := md.ResourceMetrics().At(0).Resource().Attributes().Get("redfish.bmc.name")
	assert.Equal(t, "fast", name.Str())

	// The slow BMC is still busy: the next cycle skips it instead of piling up.
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	md, _ = f.scrapeMetrics(ctx)
	cancel()
	require.Equal(t, 1, md.ResourceMetrics().Len())
	assert.True(t, f.bmcs[0].busy.Load())
	slow.Close() // release the hang: the late result arrives with a later cycle
	require.Eventually(t, func() bool { return !f.bmcs[0].busy.Load() }, 5*time.Second, 10*time.Millisecond)
	md, err = f.scrapeMetrics(context.Background())
	assert.Error(t, err)
	// late result of the slow BMC's first scrape + this cycle's slow and fast BMCs
	assert.Equal(t, 3, md.ResourceMetrics().Len())
}

// Without a cycle deadline (timeout: 0, the default) a hanging BMC holds up
// the first cycle until bmc_timeout; later cycles no longer wait for it.
func TestTimedOutBMCNotWaitedFor(t *testing.T) {
	dead, deadTS := sim(t, simulator.DefaultSpec())
	dead.SetFault("*", &simulator.Fault{Hang: true})
	_, fastTS := sim(t, simulator.DefaultSpec())
	cfg := testConfig(bmcCfg("dead", deadTS.URL), bmcCfg("fast", fastTS.URL))
	cfg.BMCTimeout = 2 * time.Second
	f := startFleet(t, cfg)
	names := func(md pmetric.Metrics) []string {
		var out []string
		for i := 0; i < md.ResourceMetrics().Len(); i++ {
			n, _ := md.ResourceMetrics().At(i).Resource().Attributes().Get("redfish.bmc.name")
			out = append(out, n.Str())
		}
		return out
	}

	md, err := f.scrapeMetrics(context.Background())
	require.ErrorContains(t, err, `bmc "dead"`, "the first cycle waits for the dead BMC's timeout")
	assert.Equal(t, []string{"fast"}, names(md))
	require.True(t, f.bmcs[0].slow.Load())

	md, err = f.scrapeMetrics(context.Background())
	require.NoError(t, err, "the dead BMC's scrape is still running: its error comes later")
	assert.Equal(t, []string{"fast"}, names(md))
	assert.True(t, f.bmcs[0].busy.Load(), "the cycle returned without waiting for the dead BMC")

	dead.SetFault("*", nil) // back to life: its running scrape times out, the next one succeeds
	idle := func() bool { return !f.bmcs[0].busy.Load() }
	require.Eventually(t, idle, 10*time.Second, 10*time.Millisecond)
	md3, err := f.scrapeMetrics(context.Background())
	require.ErrorContains(t, err, `bmc "dead"`, "the late error goes out with a later cycle")
	require.Eventually(t, idle, 10*time.Second, 10*time.Millisecond)
	assert.False(t, f.bmcs[0].slow.Load(), "a scrape in time clears the flag")
	md4, err := f.scrapeMetrics(context.Background())
	require.NoError(t, err)
	assert.Contains(t, names(md4), "dead", "a recovered BMC is waited for again")
	assert.ElementsMatch(t, []string{"dead", "dead", "fast", "fast"}, append(names(md3), names(md4)...),
		"the recovery scrape (not waited for) goes out with this cycle or the next, once")
}

func TestBMCTimeout(t *testing.T) {
	s, ts := sim(t, simulator.DefaultSpec())
	s.SetFault("*", &simulator.Fault{Latency: 2 * time.Second})
	cfg := testConfig(bmcCfg("r1", ts.URL))
	cfg.BMCTimeout = 200 * time.Millisecond
	f := startFleet(t, cfg)
	start := time.Now()
	_, err := f.scrapeMetrics(context.Background())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Contains(t, err.Error(), "timeout")
}

func TestHTTPErrors(t *testing.T) {
	for _, code := range []int{403, 404, 500, 503} {
		s, ts := sim(t, simulator.DefaultSpec())
		s.SetFault("/redfish/v1/Chassis/1U/ThermalSubsystem/Fans/Fan1", &simulator.Fault{Status: code})
		f := startFleet(t, testConfig(bmcCfg("r1", ts.URL)))
		md, err := f.scrapeMetrics(context.Background())
		require.Error(t, err, "%d", code)
		_, ok := pointFor(md, "hw.fan.speed", "Chassis/1U/ThermalSubsystem/Fans/Fan2")
		assert.True(t, ok, "%d costs only its member", code)
	}
}

func TestStartErrors(t *testing.T) {
	sid := component.MustNewID("file_storage")
	cfg := testConfig(bmcCfg("r1", "https://127.0.0.1:1"))
	cfg.Logs.Storage = &sid
	f := newFleet(receivertest.NewNopSettings(metadata.Type), cfg)
	err := f.start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, `storage extension "file_storage" not found`)
	require.NoError(t, f.shutdown(context.Background()))

	cfg = testConfig(bmcCfg("r1", "https://127.0.0.1:1"))
	cfg.TLS.CAFile = "/nonexistent/ca.pem"
	f = newFleet(receivertest.NewNopSettings(metadata.Type), cfg)
	err = f.start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, `bmc "r1": tls`)
	require.NoError(t, f.shutdown(context.Background()))
}

func TestMockup(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "redfish-mockups", "public-rackmount1")
	if _, err := os.Stat(filepath.Join(dir, "redfish", "v1", "index.json")); err != nil {
		t.Skip("mockup not available (../shared/redfish-mockups)")
	}
	docs, err := simulator.LoadMockup(dir)
	require.NoError(t, err)
	s := simulator.New(docs)
	ts := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); ts.Close() })
	f := startFleet(t, testConfig(bmcCfg("mock", ts.URL)))
	md, err := f.scrapeMetrics(context.Background())
	if err != nil {
		t.Logf("partial errors on the mockup: %v", err)
	}
	require.Equal(t, 1, md.ResourceMetrics().Len())
	assert.NotEmpty(t, points(md, "hw.temperature"))
	assert.NotEmpty(t, points(md, "hw.fan.speed"))
	assert.NotEmpty(t, points(md, "hw.status"))
	dp, ok := pointFor(md, "hw.fan.speed", "Chassis/1U/ThermalSubsystem/Fans/Bay1")
	require.True(t, ok)
	assert.Equal(t, 2200.0, dp.DoubleValue())
	require.NoError(t, f.shutdown(context.Background()))
	assert.Equal(t, 0, s.OpenSessions())
}

func TestExpand(t *testing.T) {
	for _, honoured := range []bool{true, false} {
		s, ts := sim(t, simulator.DefaultSpec(), func(s *simulator.Server) { s.Expand = honoured })
		measure := func(expand bool) (int64, pmetric.Metrics) {
			cfg := testConfig(bmcCfg("r1", ts.URL))
			cfg.Expand = expand
			f := startFleet(t, cfg)
			_, err := f.scrapeMetrics(context.Background()) // discovery
			require.NoError(t, err)
			before := s.Requests()
			md, err := f.scrapeMetrics(context.Background())
			require.NoError(t, err)
			return s.Requests() - before, md
		}
		plain, want := measure(false)
		expanded, got := measure(true)
		if honoured {
			assert.Equal(t, plain-(7+2+4)+3, expanded, "sensors, processors, memory: one request each")
		} else {
			assert.Equal(t, plain+3, expanded, "not honoured: one wasted request per collection")
		}
		require.NoError(t, pmetrictest.CompareMetrics(want, got, pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
			pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreResourceAttributeValue("redfish.bmc.address")))
	}
}
