package correlationprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/correlationprocessor"

import (
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// edge is one client→server service call seen in traces.
type edge struct {
	client, server string
	at             time.Time
}

// traceClassifier turns error spans into findings and learns service edges:
// a client (or producer) span naming its peer in peer.service or
// server.address, and a server span whose parent, in the same batch, belongs
// to another service.
type traceClassifier struct {
	errorSpans, edges bool
	entity            []string
	source            string
	parents           map[pcommon.SpanID]string // reused between batches, under the engine mutex
}

func (c *traceClassifier) classify(td ptrace.Traces, dst []incident.Finding, edges []edge) ([]incident.Finding, []edge) {
	rss := td.ResourceSpans()
	if c.edges {
		clear(c.parents)
		for i := 0; i < rss.Len(); i++ {
			svc := serviceOf(rss.At(i).Resource().Attributes())
			if svc == "" {
				continue
			}
			for _, ss := range rss.At(i).ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					if k := sp.Kind(); k == ptrace.SpanKindClient || k == ptrace.SpanKindProducer {
						c.parents[sp.SpanID()] = svc
					}
				}
			}
		}
	}
	for i := 0; i < rss.Len(); i++ {
		res := rss.At(i).Resource().Attributes()
		svc := serviceOf(res)
		var entity incident.Entity
		entityDone := false
		for _, ss := range rss.At(i).ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				if c.edges && svc != "" {
					switch sp.Kind() {
					case ptrace.SpanKindClient, ptrace.SpanKindProducer:
						if peer := peerOf(sp.Attributes()); peer != "" && peer != svc {
							edges = append(edges, edge{svc, peer, sp.StartTimestamp().AsTime()})
						}
					case ptrace.SpanKindServer, ptrace.SpanKindConsumer:
						if p, ok := c.parents[sp.ParentSpanID()]; ok && p != svc {
							edges = append(edges, edge{p, svc, sp.StartTimestamp().AsTime()})
						}
					}
				}
				if !c.errorSpans || sp.Status().Code() != ptrace.StatusCodeError || sp.StartTimestamp() == 0 {
					continue
				}
				if !entityDone {
					entity, entityDone = entityOf(c.entity, res, pcommon.NewMap()), true
				}
				fp := incident.NewFingerprint(incident.KindErrorSpan, entity, sp.Name())
				at := sp.StartTimestamp().AsTime()
				f := incident.Finding{
					ID:          incident.NewFindingID(fp, strconv.FormatInt(at.UnixNano(), 10)),
					Fingerprint: fp,
					Kind:        incident.KindErrorSpan,
					Severity:    incident.SeverityError,
					Time:        at,
					Entity:      entity,
					Signal:      sp.Name(),
					Score:       1,
					Source:      c.source,
					Title:       firstLine("error in " + sp.Name() + ": " + sp.Status().Message()),
				}
				if sp.EndTimestamp() > sp.StartTimestamp() {
					f.ObservedTime = sp.EndTimestamp().AsTime()
				}
				if f.Validate() == nil {
					dst = append(dst, f)
				}
			}
		}
	}
	return dst, edges
}

func serviceOf(res pcommon.Map) string {
	if v, ok := res.Get("service.name"); ok {
		return v.AsString()
	}
	return ""
}

// peerOf names the called service: peer.service, else server.address (or
// the older net.peer.name).
func peerOf(attrs pcommon.Map) string {
	for _, k := range []string{"peer.service", "server.address", "net.peer.name"} {
		if v, ok := attrs.Get(k); ok && v.AsString() != "" {
			return v.AsString()
		}
	}
	return ""
}
