package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// Get implements Store.
func (s *sqlStore) Get(ctx context.Context, id string) (Detail, error) {
	var d Detail
	err := s.read(ctx, func(q querier) error {
		var doc string
		err := q.queryRow(ctx, qSelectDetail, id).Scan(&d.SourceSequence, &d.TimelineDropped, &doc)
		if errors.Is(err, errNoRows) {
			return fmt.Errorf("incident %q: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("get incident %q: %w", id, err)
		}
		if d.Incident, err = decodeIncident(doc); err != nil {
			return err
		}
		if d.Members, err = selectMembers(ctx, q, id); err != nil {
			return err
		}
		d.Timeline, err = selectTimeline(ctx, q, id)
		return err
	})
	return d, err
}

func selectMembers(ctx context.Context, q querier, id string) ([]incident.Member, error) {
	r, err := q.query(ctx, qSelectMembers, id)
	if err != nil {
		return nil, fmt.Errorf("members of incident %q: %w", id, err)
	}
	defer r.Close()
	var out []incident.Member
	for r.Next() {
		var m docMember
		var sev int64
		var kind string
		if err := r.Scan(&m.Fingerprint, &m.FindingID, &kind, &sev, &m.EntityKey, &m.Signal, &m.FirstSeen, &m.LastSeen, &m.Count); err != nil {
			return nil, err
		}
		m.Kind, m.Severity = kind, incident.Severity(sev)
		out = append(out, m.member())
	}
	return out, r.Err()
}

func selectTimeline(ctx context.Context, q querier, id string) ([]TimelineEntry, error) {
	r, err := q.query(ctx, qSelectTimeline, id)
	if err != nil {
		return nil, fmt.Errorf("timeline of incident %q: %w", id, err)
	}
	defer r.Close()
	var out []TimelineEntry
	for r.Next() {
		var e TimelineEntry
		var at, status, sev int64
		var kind string
		if err := r.Scan(&e.ID, &e.IncidentID, &at, &kind, &e.Actor, &e.Sequence, &status, &sev, &e.Text); err != nil {
			return nil, err
		}
		e.At, e.Kind, e.Status, e.Severity = fromNanos(at), TimelineKind(kind), incident.Status(status), incident.Severity(sev)
		out = append(out, e)
	}
	return out, r.Err()
}
