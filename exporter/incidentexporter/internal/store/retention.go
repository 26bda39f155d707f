package store

import (
	"context"
	"fmt"
	"time"
)

// DeleteResolvedBefore implements Store.
func (s *sqlStore) DeleteResolvedBefore(ctx context.Context, t time.Time) (int, error) {
	const batch = 500
	total := 0
	for {
		var n int
		err := s.write(ctx, func(tx *txn) error {
			n = 0
			r, err := tx.q.query(ctx, qSelectExpired, nanos(t), batch)
			if err != nil {
				return err
			}
			var ids []string
			for r.Next() {
				var id string
				if err := r.Scan(&id); err != nil {
					r.Close()
					return err
				}
				ids = append(ids, id)
			}
			r.Close()
			if err := r.Err(); err != nil {
				return err
			}
			for _, id := range ids {
				for _, q := range []string{qDeleteServices, qDeleteHosts, qDeleteMembers, qDeleteTimeline, qDeleteIncident} {
					if _, err := tx.q.exec(ctx, q, id); err != nil {
						return fmt.Errorf("retention: delete incident %q: %w", id, err)
					}
				}
			}
			n = len(ids)
			if n < batch {
				if _, err = tx.q.exec(ctx, qDeleteOutbox, nanos(t)); err == nil {
					_, err = tx.q.exec(ctx, qDeleteSilences, nanos(t))
				}
			}
			return err
		})
		total += n
		if err != nil || n < batch {
			return total, err
		}
	}
}
