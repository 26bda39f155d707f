// Copyright otelcol-aiops authors
// SPDX-License-Identifier: Apache-2.0

package ebpfschedreceiver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/bits"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/loader"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/ebpfschedreceiver/internal/metadatatest"
)

var update = flag.Bool("update", false, "regenerate golden files in testdata/")

// fakeProbe replays snapshots and records what the scraper asks of it.
type fakeProbe struct {
	snaps     []loader.Snapshot
	readErr   error
	fallback  error
	forgotten []uint64
	closed    int
}

func (f *fakeProbe) Mode() loader.AttachMode { return loader.AttachTPBTF }
func (f *fakeProbe) FallbackReason() error   { return f.fallback }
func (f *fakeProbe) Forget(ids []uint64) error {
	f.forgotten = append(f.forgotten, ids...)
	return nil
}

func (f *fakeProbe) Close() error {
	f.closed++
	return nil
}

func (f *fakeProbe) Read() (loader.Snapshot, error) {
	if f.readErr != nil {
		return loader.Snapshot{}, f.readErr
	}
	s := f.snaps[0]
	if len(f.snaps) > 1 {
		f.snaps = f.snaps[1:]
	}
	return s, nil
}

// record builds a histogram of values (ns) the way sched.bpf.c does.
func record(values ...uint64) loader.Histogram {
	var h loader.Histogram
	for _, v := range values {
		h.SumNs += v
		switch v {
		case 0:
			h.Zero++
		case 1:
			h.Slots[0]++
		default:
			h.Slots[min(bits.Len64(v-1), loader.Slots-1)]++
		}
	}
	return h
}

func newTestScraper(t testing.TB, cfg *Config) *schedScraper {
	t.Helper()
	s, err := newScraper(cfg, receivertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	return s
}

func startWithProbe(t *testing.T, cfg *Config, p *fakeProbe) *schedScraper {
	t.Helper()
	s := newTestScraper(t, cfg)
	s.open = func(loader.Options) (probe, error) { return p, nil }
	s.machineIDPath = filepath.Join("testdata", "machine-id")
	require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, s.shutdown(context.Background())) })
	return s
}

func TestScrapeNodeGolden(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.HostName = "node-1"
	node := loader.SeriesKey{Cgroup: loader.NoCgroup, CPU: loader.AnyCPU}
	p := &fakeProbe{snaps: []loader.Snapshot{{
		RunQueueLatency: map[loader.SeriesKey]loader.Histogram{node: record(0, 1500, 1800, 40_000, 3_000_000)},
		OffCPU:          map[loader.SeriesKey]loader.Histogram{node: record(1_000_000, 1_100_000, 250_000_000)},
		Switches:        map[loader.SeriesKey]loader.Switches{node: {Voluntary: 120, Involuntary: 7}},
	}}}
	s := startWithProbe(t, cfg, p)
	md, err := s.scrape(context.Background())
	require.NoError(t, err)

	expected := filepath.Join("testdata", "expected_node.yaml")
	if *update {
		require.NoError(t, golden.WriteMetricsToFile(expected, md, golden.SkipMetricTimestampNormalization()))
	}
	want, err := golden.ReadMetrics(expected)
	require.NoError(t, err)
	require.NoError(t, pmetrictest.CompareMetrics(want, md, pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
		pmetrictest.IgnoreMetricDataPointsOrder()))

	dp := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).ExponentialHistogram().DataPoints().At(0)
	assert.Equal(t, uint64(5), dp.Count())
	assert.Equal(t, float64(0+1500+1800+40_000+3_000_000), dp.Sum())
	assert.Equal(t, s.started, dp.StartTimestamp(), "cumulative since the receiver started")
	assert.Less(t, dp.StartTimestamp(), dp.Timestamp())
}

func TestSelfMetrics(t *testing.T) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	first := loader.Snapshot{
		Programs: map[loader.Program]loader.ProgramStats{
			loader.ProgramWakeup: {Events: 10},
			loader.ProgramSwitch: {Events: 20, RunTime: 8000, RunCount: 20, RunTimeOK: true},
		},
		MapFull: 1, Lost: 2, CgroupOverflow: 3,
	}
	second := first
	second.Programs = map[loader.Program]loader.ProgramStats{
		loader.ProgramWakeup: {Events: 15},
		loader.ProgramSwitch: {Events: 50, RunTime: 20000, RunCount: 50, RunTimeOK: true},
	}
	second.MapFull = 4
	p := &fakeProbe{snaps: []loader.Snapshot{first, second}, fallback: errors.New("tp_btf: attach refused")}
	s, err := newScraper(createDefaultConfig().(*Config), metadatatest.NewSettings(tt))
	require.NoError(t, err)
	s.open = func(loader.Options) (probe, error) { return p, nil }
	require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
	for range 2 {
		_, err = s.scrape(context.Background())
		require.NoError(t, err)
	}
	require.NoError(t, s.shutdown(context.Background()))
	assert.Equal(t, 1, p.closed)

	prog := func(p loader.Program) attribute.Set { return attribute.NewSet(attribute.String("program", string(p))) }
	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}
	metadatatest.AssertEqualEbpfSchedEvents(t, tt, []metricdata.DataPoint[int64]{
		{Attributes: prog(loader.ProgramWakeup), Value: 15},
		{Attributes: prog(loader.ProgramWakeupNew), Value: 0},
		{Attributes: prog(loader.ProgramSwitch), Value: 50},
	}, opts...)
	metadatatest.AssertEqualEbpfSchedProgramRunTime(t, tt, []metricdata.DataPoint[int64]{{Attributes: prog(loader.ProgramSwitch), Value: 20000}}, opts...)
	metadatatest.AssertEqualEbpfSchedProgramRuns(t, tt, []metricdata.DataPoint[int64]{{Attributes: prog(loader.ProgramSwitch), Value: 50}}, opts...)
	metadatatest.AssertEqualEbpfSchedMapFull(t, tt, []metricdata.DataPoint[int64]{{Value: 4}}, opts...)
	metadatatest.AssertEqualEbpfSchedEventsLost(t, tt, []metricdata.DataPoint[int64]{{Value: 2}}, opts...)
	metadatatest.AssertEqualEbpfSchedCgroupOverflow(t, tt, []metricdata.DataPoint[int64]{{Value: 3}}, opts...)
	metadatatest.AssertEqualEbpfSchedAttachFallback(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, opts...)
}

func TestScrapeReadErrorIsCounted(t *testing.T) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	p := &fakeProbe{readErr: errors.New("map gone")}
	s, err := newScraper(createDefaultConfig().(*Config), metadatatest.NewSettings(tt))
	require.NoError(t, err)
	s.open = func(loader.Options) (probe, error) { return p, nil }
	require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
	_, err = s.scrape(context.Background())
	require.ErrorContains(t, err, "ebpf_sched: map gone")
	metadatatest.AssertEqualEbpfSchedScrapeErrors(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, s.shutdown(context.Background()))
	require.NoError(t, s.shutdown(context.Background()), "shutdown is idempotent")
}

func TestShutdownWithoutStart(t *testing.T) {
	s := newTestScraper(t, createDefaultConfig().(*Config))
	require.NoError(t, s.shutdown(context.Background()))
}

func TestUnavailableWarns(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	unavailable := func(loader.Options) (probe, error) {
		return nil, fmt.Errorf("%w: missing capabilities CAP_PERFMON", loader.ErrUnavailable)
	}
	s := newTestScraper(t, cfg)
	s.open = unavailable
	require.ErrorContains(t, s.start(context.Background(), componenttest.NewNopHost()), "CAP_PERFMON")

	cfg.OnUnavailable = onUnavailableWarn
	s = newTestScraper(t, cfg)
	s.open = unavailable
	require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
	md, err := s.scrape(context.Background())
	require.NoError(t, err)
	assert.Zero(t, md.DataPointCount())
	require.NoError(t, s.shutdown(context.Background()))

	// A defect is not "unavailable": warn does not hide it.
	s = newTestScraper(t, cfg)
	s.open = func(loader.Options) (probe, error) { return nil, fmt.Errorf("verifier rejected program") }
	require.Error(t, s.start(context.Background(), componenttest.NewNopHost()))
}
