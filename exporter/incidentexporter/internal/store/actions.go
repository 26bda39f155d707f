package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// human runs a human action on an existing incident: fn changes st.inc and
// returns the event, or "" when there is nothing to change.
func (s *sqlStore) human(ctx context.Context, id string, a Action,
	fn func(t *txn, st *state) (incident.Event, error),
) (Change, error) {
	var c Change
	err := s.write(ctx, func(t *txn) error {
		st, err := t.load(ctx, id)
		if err != nil {
			return err
		}
		if !st.exists {
			return fmt.Errorf("incident %q: %w", id, ErrNotFound)
		}
		old := st.inc
		ev, err := fn(t, &st)
		if err != nil {
			return err
		}
		if ev == "" {
			c = Change{Update: incident.Update{Event: incident.EventUpdated, Incident: old}, Previous: old.Status, Actor: a.Actor}
			return nil
		}
		st.version++
		if c, err = t.publish(ctx, &st, ev, a); err != nil {
			return err
		}
		return t.save(ctx, &st, old)
	})
	return c, err
}

// Acknowledge implements Store.
func (s *sqlStore) Acknowledge(ctx context.Context, id string, a Action) (Change, error) {
	return s.human(ctx, id, a, func(t *txn, st *state) (incident.Event, error) {
		switch st.inc.Status {
		case incident.StatusAcknowledged:
			return "", nil
		case incident.StatusResolved:
			return "", fmt.Errorf("acknowledge incident %q: it is resolved (reopen it as a new incident instead): %w", id, ErrConflict)
		}
		st.inc.Status = incident.StatusAcknowledged
		st.inc.UpdatedAt = maxTime(t.now, st.inc.UpdatedAt)
		return incident.EventAcknowledged, nil
	})
}

// Resolve implements Store.
func (s *sqlStore) Resolve(ctx context.Context, id string, a Action) (Change, error) {
	return s.human(ctx, id, a, func(t *txn, st *state) (incident.Event, error) {
		if st.inc.Status == incident.StatusResolved {
			return "", nil
		}
		st.inc.Status = incident.StatusResolved
		st.inc.ResolvedAt = maxTime(t.now, st.inc.OpenedAt)
		st.inc.UpdatedAt = maxTime(st.inc.ResolvedAt, st.inc.UpdatedAt)
		return incident.EventResolved, nil
	})
}

// SetNarrative implements Store.
func (s *sqlStore) SetNarrative(ctx context.Context, id string, n incident.Narrative, a Action) (Change, error) {
	return s.human(ctx, id, a, func(t *txn, st *state) (incident.Event, error) {
		if n.Status != incident.NarrativeNone && n.UpdatedAt.IsZero() {
			n.UpdatedAt = t.now
		}
		next := st.inc
		next.Narrative = n
		next.UpdatedAt = maxTime(t.now, st.inc.UpdatedAt)
		if err := (incident.Update{Event: incident.EventNarrated, Incident: next}).Validate(); err != nil {
			return "", fmt.Errorf("narrative of incident %q: %w: %w", id, ErrInvalid, err)
		}
		st.inc = next
		return incident.EventNarrated, nil
	})
}

// ReopenAsNew implements Store.
func (s *sqlStore) ReopenAsNew(ctx context.Context, id string, a Action) (Change, error) {
	var c Change
	err := s.write(ctx, func(t *txn) error {
		old, err := t.load(ctx, id)
		if err != nil {
			return err
		}
		if !old.exists {
			return fmt.Errorf("incident %q: %w", id, ErrNotFound)
		}
		if old.inc.Status != incident.StatusResolved {
			return fmt.Errorf("reopen incident %q: it is %s, only a resolved incident can be reopened: %w",
				id, old.inc.Status, ErrConflict)
		}
		o := old.inc
		inc := incident.Incident{
			ID:       incident.NewIncidentID(o.ID, "reopen", strconv.FormatInt(old.version, 10), strconv.FormatInt(nanos(t.now), 10)),
			Sequence: 1, Status: incident.StatusOpen, Severity: o.Severity, Title: o.Title, Summary: o.Summary,
			OpenedAt: t.now, UpdatedAt: t.now, RootCauses: o.RootCauses, Services: o.Services, Hosts: o.Hosts,
			Changes: o.Changes, RecurrenceOf: o.ID, Labels: o.Labels,
		}
		st := state{inc: inc, version: 1}
		if c, err = t.publish(ctx, &st, incident.EventReopened, a); err != nil {
			return err
		}
		if err := t.save(ctx, &st, incident.Incident{}); err != nil {
			return err
		}
		if _, err := t.timeline(ctx, &old, TimelineEntry{Kind: TimelineReopenedAs, Actor: a.Actor, Text: inc.ID}); err != nil {
			return err
		}
		_, err = t.q.exec(ctx, qSetTimelineCounts, o.ID, old.tlCount, old.tlDropped)
		return err
	})
	return c, err
}

// AddNote implements Store.
func (s *sqlStore) AddNote(ctx context.Context, id string, a Action) (TimelineEntry, error) {
	if a.Comment == "" {
		return TimelineEntry{}, fmt.Errorf("note on incident %q: empty text: %w", id, ErrInvalid)
	}
	var e TimelineEntry
	err := s.write(ctx, func(t *txn) error {
		st, err := t.load(ctx, id)
		if err != nil {
			return err
		}
		if !st.exists {
			return fmt.Errorf("incident %q: %w", id, ErrNotFound)
		}
		if e, err = t.timeline(ctx, &st, TimelineEntry{Kind: TimelineNote, Actor: a.Actor, Text: a.Comment}); err != nil {
			return err
		}
		_, err = t.q.exec(ctx, qSetTimelineCounts, id, st.tlCount, st.tlDropped)
		return err
	})
	return e, err
}
