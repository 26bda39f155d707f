package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
	"github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor/internal/metadata"
)

// attrCorrelationID names the processor that produced an incident record,
// on the record's resource.
const attrCorrelationID = "aiops.correlation.id"

// incidentLogs builds one plog.Logs holding one record per update, in order,
// under the collector's own resource (as docs/data-model.md says) plus
// aiops.correlation.id, and this package's scope.
func (c *correlator) incidentLogs(ctx context.Context, ups []incident.Update) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	c.res.CopyTo(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	lrs := sl.LogRecords()
	lrs.EnsureCapacity(len(ups))
	for _, u := range ups {
		if err := incidentlog.AppendIncident(lrs, u); err != nil {
			c.tel.ProcessorCorrelationRecordsDiscarded.Add(ctx, 1)
			c.logger.Error("correlation: cannot encode incident update (engine bug)", zap.String("incident", u.Incident.ID), zap.Error(err))
			continue
		}
		switch u.Event {
		case incident.EventOpened:
			c.tel.ProcessorCorrelationIncidentsOpened.Add(ctx, 1)
			if !u.Incident.FirstFindingAt.IsZero() {
				c.tel.ProcessorCorrelationTimeToIncident.Record(ctx, u.Incident.UpdatedAt.Sub(u.Incident.FirstFindingAt).Seconds())
			}
		case incident.EventResolved:
			c.tel.ProcessorCorrelationIncidentsResolved.Add(ctx, 1)
		}
	}
	return ld
}

// send delivers ups to every logs pipeline of this component ID; each
// consumer but the last gets its own copy. A consumer error is logged and
// counted: the user's data that triggered the update has been processed
// already and is not failed for it. Called with emitMu held.
func (c *correlator) send(ctx context.Context, ups []incident.Update) {
	ld := c.incidentLogs(ctx, ups)
	n := ld.LogRecordCount()
	if n == 0 {
		return
	}
	if len(c.consumers) == 0 {
		c.tel.ProcessorCorrelationRecordsDiscarded.Add(ctx, int64(n))
		return
	}
	for i, next := range c.consumers {
		out := ld
		if i < len(c.consumers)-1 {
			out = plog.NewLogs()
			ld.CopyTo(out)
		}
		if err := next.ConsumeLogs(ctx, out); err != nil {
			c.tel.ProcessorCorrelationRecordsDiscarded.Add(ctx, int64(n))
			c.logger.Warn("correlation: the logs pipeline refused incident records", zap.Int("records", n), zap.Error(err))
		}
	}
}
