package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

func (t *txn) enqueue(ctx context.Context, msgs []OutboxMessage) (int, error) {
	added := 0
	for _, m := range msgs {
		if m.Destination == "" || m.Key == "" {
			return added, fmt.Errorf("outbox message: destination and key are required (got %q, %q): %w", m.Destination, m.Key, ErrInvalid)
		}
		next := m.NotBefore
		if next.IsZero() {
			next = t.now
		}
		payload := m.Payload
		if payload == nil {
			payload = []byte{}
		}
		n, err := t.q.exec(ctx, qEnqueue, clean(m.Destination), clean(m.Key), m.IncidentID, payload, nanos(next), nanos(t.now))
		if err != nil {
			return added, fmt.Errorf("outbox: enqueue %s/%s: %w", m.Destination, m.Key, err)
		}
		added += int(n)
	}
	return added, nil
}

// Enqueue implements Store.
func (s *sqlStore) Enqueue(ctx context.Context, msgs ...OutboxMessage) (int, error) {
	var n int
	err := s.write(ctx, func(t *txn) error {
		var err error
		n, err = t.enqueue(ctx, msgs)
		return err
	})
	return n, err
}

// Claim implements Store.
func (s *sqlStore) Claim(ctx context.Context, limit int, lease time.Duration) ([]OutboxMessage, error) {
	if limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("outbox: claim needs a positive limit and lease (got %d, %v): %w", limit, lease, ErrInvalid)
	}
	var out []OutboxMessage
	err := s.write(ctx, func(t *txn) error {
		out = out[:0]
		r, err := t.q.query(ctx, s.d.claim, nanos(t.now), limit, nanos(t.now.Add(lease)))
		if err != nil {
			return fmt.Errorf("outbox: claim: %w", err)
		}
		defer r.Close()
		for r.Next() {
			var m OutboxMessage
			var state, attempt, next, created int64
			if err := r.Scan(&m.ID, &m.Destination, &m.Key, &m.IncidentID, &m.Payload, &state, &attempt, &next, &m.LastError, &created); err != nil {
				return err
			}
			m.State, m.Attempt, m.NextAttemptAt, m.CreatedAt = OutboxState(state), int(attempt), fromNanos(next), fromNanos(created)
			out = append(out, m)
		}
		return r.Err()
	})
	slices.SortFunc(out, func(a, b OutboxMessage) int { return int(a.ID - b.ID) })
	return out, err
}

// Ack implements Store.
func (s *sqlStore) Ack(ctx context.Context, id int64, attempt int) error {
	return s.write(ctx, func(t *txn) error {
		n, err := t.q.exec(ctx, qAck, id, attempt, nanos(t.now))
		if err != nil || n > 0 {
			return err
		}
		return t.outboxMiss(ctx, id, attempt)
	})
}

// Nack implements Store.
func (s *sqlStore) Nack(ctx context.Context, id int64, attempt int, retryAt time.Time, reason string, dead bool) error {
	return s.write(ctx, func(t *txn) error {
		state, done := int64(OutboxPending), int64(0)
		if dead {
			state, done = int64(OutboxDead), nanos(t.now)
		}
		if retryAt.IsZero() {
			retryAt = t.now
		}
		n, err := t.q.exec(ctx, qNack, id, attempt, nanos(retryAt), state, clean(reason), done)
		if err != nil || n > 0 {
			return err
		}
		return t.outboxMiss(ctx, id, attempt)
	})
}

func (t *txn) outboxMiss(ctx context.Context, id int64, attempt int) error {
	var one int64
	err := t.q.queryRow(ctx, qOutboxExists, id).Scan(&one)
	if errors.Is(err, errNoRows) {
		return fmt.Errorf("outbox message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("outbox message %d attempt %d: claimed again or no longer pending: %w", id, attempt, ErrConflict)
}

// OutboxStats implements Store.
func (s *sqlStore) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var st OutboxStats
	err := s.read(ctx, func(q querier) error {
		r, err := q.query(ctx, qOutboxStats, nanos(s.opts.Now()))
		if err != nil {
			return fmt.Errorf("outbox stats: %w", err)
		}
		defer r.Close()
		for r.Next() {
			var state, n, due int64
			if err := r.Scan(&state, &n, &due); err != nil {
				return err
			}
			switch OutboxState(state) {
			case OutboxPending:
				st.Pending, st.Due = n, due
			case OutboxDelivered:
				st.Delivered = n
			case OutboxDead:
				st.Dead = n
			}
		}
		return r.Err()
	})
	return st, err
}
