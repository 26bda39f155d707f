package correlationprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/metadata"
)

func newSettings(t testing.TB) processor.Settings {
	set := processortest.NewNopSettings(metadata.Type)
	set.ID = component.NewIDWithName(metadata.Type, t.Name())
	return set
}

// harness is one component ID in a metrics, a logs and a traces pipeline,
// plus optional extra logs pipelines. The ticker never fires by itself: tests
// call tick with a time of their choice.
type harness struct {
	t       testing.TB
	c       *correlator
	metrics processor.Metrics
	logs    processor.Logs
	traces  processor.Traces
	extra   []processor.Logs
	logsOut *consumertest.LogsSink // the logs pipeline's next consumer
	extras  []*consumertest.LogsSink
	now     time.Time
	ticks   chan time.Time
}

func newHarness(t testing.TB, cfg *Config, extraLogs int, host component.Host) *harness {
	t.Helper()
	return newHarnessSet(t, newSettings(t), cfg, extraLogs, host)
}

func newHarnessSet(t testing.TB, set processor.Settings, cfg *Config, extraLogs int, host component.Host) *harness {
	t.Helper()
	ctx := context.Background()
	f := NewFactory()
	h := &harness{t: t, logsOut: new(consumertest.LogsSink), ticks: make(chan time.Time)}
	var err error
	h.metrics, err = f.CreateMetrics(ctx, set, cfg, new(consumertest.MetricsSink))
	require.NoError(t, err)
	h.logs, err = f.CreateLogs(ctx, set, cfg, h.logsOut)
	require.NoError(t, err)
	h.traces, err = f.CreateTraces(ctx, set, cfg, new(consumertest.TracesSink))
	require.NoError(t, err)
	for range extraLogs {
		sink := new(consumertest.LogsSink)
		p, err := f.CreateLogs(ctx, set, cfg, sink)
		require.NoError(t, err)
		h.extra, h.extras = append(h.extra, p), append(h.extras, sink)
	}
	registry.Lock()
	h.c = registry.m[set.ID]
	registry.Unlock()
	require.NotNil(t, h.c)
	h.c.now = func() time.Time { return h.now }
	h.c.newTicker = func(time.Duration) (<-chan time.Time, func()) { return h.ticks, func() {} }
	if host == nil {
		host = componenttest.NewNopHost()
	}
	for _, p := range h.all() {
		require.NoError(t, p.Start(ctx, host))
	}
	t.Cleanup(func() { h.shutdown() })
	return h
}

func (h *harness) all() []component.Component {
	out := []component.Component{h.metrics, h.logs, h.traces}
	for _, p := range h.extra {
		out = append(out, p)
	}
	return out
}

func (h *harness) shutdown() {
	for _, p := range h.all() {
		require.NoError(h.t, p.Shutdown(context.Background()))
	}
}

// tick runs one tick at now, as the ticker goroutine would.
func (h *harness) tick(now time.Time) {
	h.now = now
	h.c.tick(context.Background())
}

// updates decodes every incident record a sink received.
func updates(t testing.TB, sink *consumertest.LogsSink) []incident.Update {
	t.Helper()
	var out []incident.Update
	for _, ld := range sink.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					if !incidentlog.IsIncident(lr) {
						continue
					}
					u, err := incidentlog.UnmarshalIncident(lr)
					require.NoError(t, err)
					out = append(out, u)
				}
			}
		}
	}
	return out
}

// incidentRecords collects the incident records a sink received into one
// plog.Logs (the passthrough input is left out).
func incidentRecords(sink *consumertest.LogsSink) plog.Logs {
	out := plog.NewLogs()
	for _, ld := range sink.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				if sl.Scope().Name() != metadata.ScopeName {
					continue
				}
				orl := out.ResourceLogs().AppendEmpty()
				rl.Resource().CopyTo(orl.Resource())
				sl.CopyTo(orl.ScopeLogs().AppendEmpty())
			}
		}
	}
	return out
}
