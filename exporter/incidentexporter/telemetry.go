package incidentexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter"

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
)

// outcomes are the values of the outcome attribute, built once so counting
// does not allocate.
var outcomes = func() map[string]metric.AddOption {
	m := map[string]metric.AddOption{}
	for _, v := range []string{"applied", "duplicate", "stale", "resolved", "malformed", "submitted", "busy", "rejected", "stored", "failed"} {
		m[v] = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", v)))
	}
	return m
}()

func outcomeAttr(v string) metric.AddOption {
	if o, ok := outcomes[v]; ok {
		return o
	}
	return metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", v)))
}

// outboxGauge holds the outbox counts of the last housekeeping pass, so a
// metrics scrape never queries the database.
type outboxGauge struct {
	pending, due, dead atomic.Int64
}

var (
	attrStatePending = metric.WithAttributeSet(attribute.NewSet(attribute.String("state", "pending")))
	attrStateDue     = metric.WithAttributeSet(attribute.NewSet(attribute.String("state", "due")))
	attrStateDead    = metric.WithAttributeSet(attribute.NewSet(attribute.String("state", "dead")))
)

func (g *outboxGauge) set(s store.OutboxStats) {
	g.pending.Store(s.Pending)
	g.due.Store(s.Due)
	g.dead.Store(s.Dead)
}

func (g *outboxGauge) observe(_ context.Context, o metric.Int64Observer) error {
	o.Observe(g.pending.Load(), attrStatePending)
	o.Observe(g.due.Load(), attrStateDue)
	o.Observe(g.dead.Load(), attrStateDead)
	return nil
}

// deliveryObserver counts the delivery worker's attempts by destination and
// result. Destinations come from the configuration, so the series are
// bounded.
type deliveryObserver struct{ e *incidentExporter }

var _ delivery.Observer = deliveryObserver{}

func (d deliveryObserver) Delivered(dest string) { d.record(dest, "delivered") }
func (d deliveryObserver) Retried(dest string)   { d.record(dest, "retried") }
func (d deliveryObserver) Deferred(dest string)  { d.record(dest, "deferred") }

func (d deliveryObserver) Failed(dest string, permanent bool) {
	if permanent {
		d.record(dest, "failed")
		return
	}
	d.record(dest, "expired")
}

func (d deliveryObserver) record(dest, result string) {
	d.e.tel.ExporterIncidentDeliveries.Add(context.Background(), 1,
		metric.WithAttributeSet(attribute.NewSet(attribute.String("destination", dest), attribute.String("result", result))))
}

// countRequest counts one API response. Routes are the API's patterns, so
// the series are bounded.
func (e *incidentExporter) countRequest(route string, status int) {
	e.tel.ExporterIncidentAPIRequests.Add(context.Background(), 1,
		metric.WithAttributeSet(attribute.NewSet(attribute.String("route", route), attribute.Int("code", status))))
}
