package incidentexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident/incidentlog"
)

// forwarder sends incident records to one OTLP backend through a stock
// exporter built from its own factory, so TLS, auth, compression, retry and
// (if enabled) the sending queue are exactly the stock exporter's.
type forwarder struct {
	destination string // forward/<type>: forward/otlp_grpc, forward/otlp_http
	exp         exporter.Logs
}

var _ delivery.Deliverer = (*forwarder)(nil)

// newForwarders creates and starts one stock exporter per configured OTLP
// destination. The child's ID (otlp_grpc/incident, otlp_http/incident_<name>) keeps its
// self-metrics apart from the user's own otlp exporters.
func newForwarders(ctx context.Context, set exporter.Settings, cfg ForwardConfig, host component.Host) ([]*forwarder, error) {
	type child struct {
		factory exporter.Factory
		cfg     component.Config
	}
	var children []child
	if cfg.OTLPGRPC.HasValue() {
		children = append(children, child{otlpexporter.NewFactory(), cfg.OTLPGRPC.Get()})
	}
	if cfg.OTLPHTTP.HasValue() {
		children = append(children, child{otlphttpexporter.NewFactory(), cfg.OTLPHTTP.Get()})
	}
	var out []*forwarder
	for _, c := range children {
		cset := set
		cset.ID = component.NewIDWithName(c.factory.Type(), childName(set.ID))
		cset.Logger = set.Logger.With(zap.Stringer("forward", cset.ID))
		exp, err := c.factory.CreateLogs(ctx, cset, c.cfg)
		if err == nil {
			err = exp.Start(ctx, host)
		}
		if err != nil {
			for _, f := range out {
				_ = f.shutdown(ctx)
			}
			return nil, fmt.Errorf("incident: forward.%s: %w", c.factory.Type(), err)
		}
		out = append(out, &forwarder{destination: "forward/" + c.factory.Type().String(), exp: exp})
	}
	return out, nil
}

// plan encodes the change as one incident record under res (the collector's
// own resource, as docs/data-model.md says) in OTLP protobuf. The record
// carries the store's sequence, so a backend that keeps the highest sequence
// per incident sees human actions and narratives in order.
func (f *forwarder) plan(c store.Change, res pcommon.Resource) (store.OutboxMessage, error) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	res.CopyTo(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	if err := incidentlog.AppendIncident(sl.LogRecords(), c.Update); err != nil {
		return store.OutboxMessage{}, err
	}
	payload, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	if err != nil {
		return store.OutboxMessage{}, err
	}
	return store.OutboxMessage{
		Destination: f.destination,
		Key:         outboxKey(c, f.destination),
		IncidentID:  c.Update.Incident.ID,
		Payload:     payload,
	}, nil
}

// Deliver hands the record to the stock exporter. A retryable error leaves
// the message in the outbox for another attempt; a permanent one (the backend
// answered 400: it will never take this record) ends it.
func (f *forwarder) Deliver(ctx context.Context, m store.OutboxMessage) error {
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(m.Payload)
	if err != nil {
		return delivery.Permanent(fmt.Errorf("forward: undecodable outbox payload: %w", err))
	}
	err = f.exp.ConsumeLogs(ctx, ld)
	if consumererror.IsPermanent(err) {
		return delivery.Permanent(err)
	}
	return err
}

// childName names a child exporter after its parent: incident → "incident",
// incident/team-a → "incident_team-a".
func childName(parent component.ID) string {
	if parent.Name() == "" {
		return parent.Type().String()
	}
	return parent.Type().String() + "_" + parent.Name()
}

func (f *forwarder) shutdown(ctx context.Context) error {
	return f.exp.Shutdown(ctx)
}
