package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// mergeMembers folds the record's members into the stored union and adds a
// timeline entry for each new fingerprint. prev are the members of the
// previous record, which are known to be stored already.
func (t *txn) mergeMembers(ctx context.Context, st *state, prev, rec []incident.Member) error {
	known := make(map[string]incident.Member, len(prev))
	for _, m := range prev {
		known[m.Fingerprint] = m
	}
	for _, m := range rec {
		if p, ok := known[m.Fingerprint]; ok && memberEqual(p, m) {
			continue
		}
		var sev, first, last, count int64
		err := t.q.queryRow(ctx, qSelectMember, st.inc.ID, m.Fingerprint).Scan(&sev, &first, &last, &count)
		switch {
		case errors.Is(err, errNoRows):
			_, err = t.q.exec(ctx, qInsertMember, st.inc.ID, clean(m.Fingerprint), clean(m.FindingID), clean(string(m.Kind)),
				int64(m.Severity), clean(m.EntityKey), clean(m.Signal), nanos(m.FirstSeen), nanos(m.LastSeen), m.Count)
			if err != nil {
				return fmt.Errorf("insert member %q of incident %q: %w", m.Fingerprint, st.inc.ID, err)
			}
			st.members++
			text := m.Fingerprint + " " + string(m.Kind) + " " + m.EntityKey
			if m.Signal != "" {
				text += " " + m.Signal
			}
			if _, err := t.timeline(ctx, st, TimelineEntry{Kind: TimelineMember, Severity: m.Severity, Text: text}); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("load member %q of incident %q: %w", m.Fingerprint, st.inc.ID, err)
		default:
			nsev, nfirst, nlast, ncount := max(sev, int64(m.Severity)), min(first, nanos(m.FirstSeen)),
				max(last, nanos(m.LastSeen)), max(count, m.Count)
			if nsev == sev && nfirst == first && nlast == last && ncount == count {
				continue
			}
			if _, err := t.q.exec(ctx, qUpdateMember, st.inc.ID, m.Fingerprint, nsev, nfirst, nlast, ncount); err != nil {
				return fmt.Errorf("update member %q of incident %q: %w", m.Fingerprint, st.inc.ID, err)
			}
		}
	}
	return nil
}

func memberEqual(a, b incident.Member) bool {
	return a.Severity == b.Severity && a.Count == b.Count && a.FirstSeen.Equal(b.FirstSeen) && a.LastSeen.Equal(b.LastSeen)
}

// Apply implements Store.
func (s *sqlStore) Apply(ctx context.Context, updates ...incident.Update) ([]ApplyResult, error) {
	for i, u := range updates {
		if err := u.Validate(); err != nil {
			return nil, fmt.Errorf("update %d (incident %q, sequence %d): %w: %w", i, u.Incident.ID, u.Incident.Sequence, ErrInvalid, err)
		}
	}
	var results []ApplyResult
	err := s.write(ctx, func(t *txn) error {
		results = make([]ApplyResult, 0, len(updates))
		for _, u := range updates {
			r, err := t.apply(ctx, u)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func (t *txn) apply(ctx context.Context, u incident.Update) (ApplyResult, error) {
	rec := u.Incident
	st, err := t.load(ctx, rec.ID)
	if err != nil {
		return ApplyResult{}, err
	}
	if !st.exists {
		st.inc = rec
		st.version, st.sourceSeq = 1, rec.Sequence
		c, err := t.publish(ctx, &st, u.Event, Action{})
		if err != nil {
			return ApplyResult{}, err
		}
		if err := t.mergeMembers(ctx, &st, nil, rec.Members); err != nil {
			return ApplyResult{}, err
		}
		if err := t.save(ctx, &st, incident.Incident{}); err != nil {
			return ApplyResult{}, err
		}
		return ApplyResult{Applied: true, Change: c}, nil
	}
	if rec.Sequence <= st.sourceSeq {
		reason := "stale"
		if rec.Sequence == st.sourceSeq {
			reason = "duplicate"
		}
		return ApplyResult{Reason: reason}, nil
	}
	cur := st.inc
	st.sourceSeq = rec.Sequence
	if cur.Status == incident.StatusResolved {
		// Resolved is terminal: only a newer narrative still applies.
		if !newerNarrative(rec.Narrative, cur.Narrative) {
			_, err := t.q.exec(ctx, "UPDATE incidents SET source_seq = $2 WHERE id = $1", cur.ID, st.sourceSeq)
			return ApplyResult{Reason: "resolved"}, err
		}
		st.inc.Narrative = rec.Narrative
		st.inc.UpdatedAt = maxTime(cur.UpdatedAt, rec.UpdatedAt)
		st.version++
		c, err := t.publish(ctx, &st, incident.EventNarrated, Action{})
		if err != nil {
			return ApplyResult{}, err
		}
		return ApplyResult{Applied: true, Change: c}, t.save(ctx, &st, cur)
	}

	m := rec
	m.OpenedAt = cur.OpenedAt
	if m.RecurrenceOf == "" {
		m.RecurrenceOf = cur.RecurrenceOf
	}
	if !newerNarrative(rec.Narrative, cur.Narrative) {
		m.Narrative = cur.Narrative
	}
	m.Status = cur.Status
	m.ResolvedAt = time.Time{}
	ev := incident.EventUpdated
	if rec.Status != cur.Status && incident.CanTransition(cur.Status, rec.Status) {
		m.Status = rec.Status
		switch rec.Status {
		case incident.StatusAcknowledged:
			ev = incident.EventAcknowledged
		case incident.StatusResolved:
			ev = incident.EventResolved
			m.ResolvedAt = maxTime(rec.ResolvedAt, cur.OpenedAt)
		}
	} else if u.Event == incident.EventNarrated {
		ev = incident.EventNarrated
	}
	m.UpdatedAt = maxTime(maxTime(rec.UpdatedAt, cur.UpdatedAt), m.ResolvedAt)
	st.inc = m
	st.version++
	c, err := t.publish(ctx, &st, ev, Action{})
	if err != nil {
		return ApplyResult{}, err
	}
	if err := t.mergeMembers(ctx, &st, cur.Members, rec.Members); err != nil {
		return ApplyResult{}, err
	}
	return ApplyResult{Applied: true, Change: c}, t.save(ctx, &st, cur)
}

// newerNarrative reports whether n should replace cur: it is set and not
// older than cur.
func newerNarrative(n, cur incident.Narrative) bool {
	if n.Status == incident.NarrativeNone {
		return false
	}
	if n == cur {
		return false
	}
	return !n.UpdatedAt.Before(cur.UpdatedAt)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
