package incidentexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter"

import (
	"strconv"

	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// plan is the store's Planner: inside the transaction that commits a change,
// it decides which outbox messages the change produces — notifications
// (routed and silenced by the notifier), one forwarded record per OTLP
// destination, and a narrator request. Committing them with the change is
// what makes delivery survive a crash at any point.
func (e *incidentExporter) plan(c store.Change) []store.OutboxMessage {
	msgs := e.notifier.Plan(c)
	if !c.Changed {
		return msgs
	}
	for _, f := range e.forwarders {
		m, err := f.plan(c, e.res)
		if err != nil {
			// The store validated the update, so this is a bug; the change
			// itself is committed and visible in the API.
			e.logger.Error("incident: cannot encode a forwarded record", zap.String("incident", c.Update.Incident.ID), zap.Error(err))
			continue
		}
		msgs = append(msgs, m)
	}
	if e.narrator != nil && needsNarrative(c) {
		msgs = append(msgs, e.narrator.plan(c))
	}
	return msgs
}

// outboxKey is the idempotency key of the message for destination about the
// store version of the incident that c publishes.
func outboxKey(c store.Change, destination string) string {
	inc := c.Update.Incident
	return inc.ID + "/" + strconv.FormatInt(inc.Sequence, 10) + "/" + destination
}

// deliverers maps every destination the planner uses to what delivers it.
func (e *incidentExporter) deliverers() map[string]delivery.Deliverer {
	d := e.notifier.Deliverers()
	for _, f := range e.forwarders {
		d[f.destination] = f
	}
	if e.narrator != nil {
		d[narratorDestination] = e.narrator
	}
	return d
}
