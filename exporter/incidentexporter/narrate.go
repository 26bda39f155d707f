package incidentexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/delivery"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/narrator"
)

const (
	narratorDestination = "narrator"
	narratorActor       = "narrator"
	// similarForNarrator is how many similar past incidents a request carries.
	similarForNarrator = 5
	// narrativeStoreTimeout bounds storing one narrative.
	narrativeStoreTimeout = 30 * time.Second
)

// narration hands incidents to the narrator extension through the outbox, so
// a request survives a restart and a busy narrator is retried with backoff,
// and stores each narrative that comes back as a narrated change (which the
// planner then forwards and notifies like any other).
type narration struct {
	e *incidentExporter
	n narrator.Narrator

	mu     sync.RWMutex // held for reading while a narrative is stored; close waits
	closed bool
}

var _ delivery.Deliverer = (*narration)(nil)

func findNarrator(host component.Host, id component.ID, e *incidentExporter) (*narration, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("incident: narrator: extension %q is not running; add it under extensions and service::extensions, or remove the narrator option", id)
	}
	n, ok := ext.(narrator.Narrator)
	if !ok {
		return nil, fmt.Errorf("incident: narrator: extension %q does not write narratives (it does not implement pkg/narrator.Narrator); name an llm_narrator extension", id)
	}
	return &narration{e: e, n: n}, nil
}

// needsNarrative: a report is worth writing when an incident opens and when
// it ends (the final account). Intermediate updates would cost a model call
// each during a storm; the API shows them live anyway.
func needsNarrative(c store.Change) bool {
	switch c.Update.Event {
	case incident.EventOpened, incident.EventReopened, incident.EventResolved:
		return true
	default:
		return false
	}
}

func (n *narration) plan(c store.Change) store.OutboxMessage {
	return store.OutboxMessage{
		Destination: narratorDestination,
		Key:         outboxKey(c, narratorDestination),
		IncidentID:  c.Update.Incident.ID,
	}
}

// Deliver builds the request from the incident as stored now (it may have
// moved on since the change was planned) and submits it without blocking.
func (n *narration) Deliver(ctx context.Context, m store.OutboxMessage) error {
	d, err := n.e.st.Get(ctx, m.IncidentID)
	if errors.Is(err, store.ErrNotFound) {
		return delivery.Permanent(fmt.Errorf("narrator: incident %s no longer stored", m.IncidentID))
	}
	if err != nil {
		return err
	}
	inc := d.Incident
	inc.Members = d.Members
	similar, err := n.e.st.Similar(ctx, inc, store.SimilarQuery{Limit: similarForNarrator, OnlyResolved: true})
	if err != nil {
		return err
	}
	req := narrator.Request{Incident: inc, Similar: make([]narrator.Similar, 0, len(similar))}
	for _, s := range similar {
		req.Similar = append(req.Similar, narrator.Similar{Incident: s.Incident, Score: s.Score, Reasons: s.Reasons})
	}
	id := inc.ID
	err = n.n.Submit(req, func(nar incident.Narrative) { n.store(id, nar) })
	switch {
	case err == nil:
		n.count(ctx, "submitted")
		return nil
	case errors.Is(err, narrator.ErrBusy):
		n.count(ctx, "busy")
		return err
	default:
		n.count(ctx, "rejected")
		return delivery.Permanent(err)
	}
}

// store keeps a narrative; called by the narrator from its own goroutine.
func (n *narration) store(id string, nar incident.Narrative) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.closed {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), narrativeStoreTimeout)
	defer cancel()
	if _, err := n.e.st.SetNarrative(ctx, id, nar, store.Action{Actor: narratorActor}); err != nil {
		n.count(ctx, "failed")
		n.e.logger.Warn("incident: cannot store a narrative", zap.String("incident", id), zap.Error(err))
		return
	}
	n.count(ctx, "stored")
}

// close makes later narratives no-ops and waits for those being stored, so
// the store can be closed.
func (n *narration) close() {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
}

func (n *narration) count(ctx context.Context, outcome string) {
	n.e.tel.ExporterIncidentNarratorRequests.Add(ctx, 1, outcomeAttr(outcome))
}
