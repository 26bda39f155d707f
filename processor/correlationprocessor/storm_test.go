package correlationprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/evaluation"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/stormgen"
)

// TestStormsThroughProcessor replays generated storms through the real
// processor (resources as metrics, trace edges as client spans, findings as
// aiops.finding log records, one batch each) and checks that it yields the
// same incidents as the engine replay the quality figures are measured on
// (internal/evaluation): same IDs, finding counts and ranked root causes.
func TestStormsThroughProcessor(t *testing.T) {
	n := 30
	if testing.Short() {
		n = 5
	}
	for seed := int64(1); seed <= int64(n); seed++ {
		st := stormgen.Generate(seed)
		want, err := evaluation.Replay(st, createDefaultConfig().(*Config).engineConfig())
		require.NoError(t, err)

		cfg := createDefaultConfig().(*Config)
		cfg.Dependencies = st.Static
		h := newHarness(t, cfg, 0, nil)
		ctx := context.Background()
		for _, r := range st.Resources {
			md := pmetric.NewMetrics()
			rm := md.ResourceMetrics().AppendEmpty()
			for k, v := range r.Entity.All() {
				rm.Resource().Attributes().PutStr(k, v)
			}
			dp := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(r.Time))
			require.NoError(t, h.metrics.ConsumeMetrics(ctx, md))
		}
		for _, e := range st.Traced {
			td := ptrace.NewTraces()
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", e.Client)
			sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			sp.SetKind(ptrace.SpanKindClient)
			sp.SetStartTimestamp(pcommon.NewTimestampFromTime(e.Time))
			sp.Attributes().PutStr("peer.service", e.Server)
			require.NoError(t, h.traces.ConsumeTraces(ctx, td))
		}
		var last time.Time
		for _, f := range st.Findings {
			ld := plog.NewLogs()
			require.NoError(t, incidentlog.AppendFinding(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords(), f))
			require.NoError(t, h.logs.ConsumeLogs(ctx, ld))
			for _, ts := range []time.Time{f.Time, f.ObservedTime} {
				if ts.After(last) {
					last = ts
				}
			}
		}
		h.tick(last.Add(24 * time.Hour))

		got := map[string]incident.Incident{}
		for _, u := range updates(t, h.logsOut) {
			got[u.Incident.ID] = u.Incident
		}
		require.Len(t, got, len(want.Final), "seed %d", seed)
		for id, w := range want.Final {
			g, ok := got[id]
			require.True(t, ok, "seed %d: incident %s missing", seed, id)
			assert.Equal(t, w.TotalFindings, g.TotalFindings, "seed %d %s", seed, id)
			assert.Equal(t, w.Status, g.Status)
			require.Len(t, g.RootCauses, len(w.RootCauses))
			for i := range w.RootCauses {
				assert.Equal(t, w.RootCauses[i].Entity.Key(), g.RootCauses[i].Entity.Key(), "seed %d %s candidate %d", seed, id, i)
			}
		}
		h.shutdown()
	}
}
