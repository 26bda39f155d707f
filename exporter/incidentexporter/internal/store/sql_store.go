package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// sqlStore is the Store over either backend; only backend and dialect differ.
type sqlStore struct {
	b      backend
	d      dialect
	opts   Options
	closed atomic.Bool
}

var _ Store = (*sqlStore)(nil)

func newSQLStore(ctx context.Context, b backend, opts Options) (*sqlStore, error) {
	s := &sqlStore{b: b, d: b.dialect(), opts: opts.withDefaults()}
	if err := migrate(ctx, b, s.opts.Now); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *sqlStore) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.b.close()
}

func (s *sqlStore) write(ctx context.Context, fn func(t *txn) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.b.write(ctx, func(q querier) error {
		return fn(&txn{s: s, q: q, now: s.opts.Now()})
	})
}

func (s *sqlStore) read(ctx context.Context, fn func(q querier) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.b.read(ctx, fn)
}

// txn is one write transaction: the querier, the store's time for the whole
// transaction, and the active silences, loaded at most once.
type txn struct {
	s        *sqlStore
	q        querier
	now      time.Time
	silences []Silence
	loaded   bool
}

// state is an incident row as loaded for a change.
type state struct {
	exists     bool
	version    int64
	sourceSeq  int64
	members    int64
	tlCount    int64
	tlDropped  int64
	inc        incident.Incident
	prevStatus incident.Status
}

func (t *txn) load(ctx context.Context, id string) (state, error) {
	var st state
	var doc string
	err := t.q.queryRow(ctx, qSelectIncidentState+t.s.d.forUpdate, id).
		Scan(&st.version, &st.sourceSeq, &st.members, &st.tlCount, &st.tlDropped, &doc)
	if errors.Is(err, errNoRows) {
		return state{}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("load incident %q: %w", id, err)
	}
	st.exists = true
	if st.inc, err = decodeIncident(doc); err != nil {
		return state{}, err
	}
	st.prevStatus = st.inc.Status
	return st, nil
}

// save writes the incident row and its service and host rows. old is the
// incident as it was (zero for a new one), to write only what changed.
func (t *txn) save(ctx context.Context, st *state, old incident.Incident) error {
	inc := st.inc
	doc, err := encodeIncident(inc)
	if err != nil {
		return err
	}
	var rcEntity, rcKind string
	if len(inc.RootCauses) > 0 {
		rcEntity, rcKind = inc.RootCauses[0].Entity.Key(), string(inc.RootCauses[0].Kind)
	}
	args := []any{
		inc.ID, st.version, st.sourceSeq, int64(inc.Status), int64(inc.Severity), clean(inc.Title), clean(inc.Summary),
		nanos(inc.OpenedAt), nanos(inc.UpdatedAt), nanos(inc.ResolvedAt), clean(rcEntity), clean(rcKind),
		inc.RecurrenceOf, int64(len(inc.Services)), st.members, st.tlCount, st.tlDropped, searchText(inc), doc,
	}
	if !st.exists {
		n, err := t.q.exec(ctx, qInsertIncident, args...)
		if err != nil {
			return fmt.Errorf("insert incident %q: %w", inc.ID, err)
		}
		if n == 0 { // a concurrent writer created it first: start over
			return errRetry
		}
		st.exists = true
	} else if _, err := t.q.exec(ctx, qUpdateIncident, args...); err != nil {
		return fmt.Errorf("update incident %q: %w", inc.ID, err)
	}
	if err := t.syncSet(ctx, inc.ID, "incident_services", "service", qInsertService, old.Services, inc.Services, inc.OpenedAt); err != nil {
		return err
	}
	return t.syncSet(ctx, inc.ID, "incident_hosts", "host", qInsertHost, old.Hosts, inc.Hosts, inc.OpenedAt)
}

func (t *txn) syncSet(ctx context.Context, id, table, col, insert string, old, cur []string, openedAt time.Time) error {
	for _, v := range cur {
		if !slices.Contains(old, v) {
			if _, err := t.q.exec(ctx, insert, id, clean(v), nanos(openedAt)); err != nil {
				return fmt.Errorf("insert %s of incident %q: %w", col, id, err)
			}
		}
	}
	for _, v := range old {
		if !slices.Contains(cur, v) {
			q := "DELETE FROM " + table + " WHERE incident_id = $1 AND " + col + " = $2"
			if _, err := t.q.exec(ctx, q, id, clean(v)); err != nil {
				return fmt.Errorf("delete %s of incident %q: %w", col, id, err)
			}
		}
	}
	return nil
}

// timeline appends an entry and trims the incident's timeline to the cap.
// The counters live in st and are written by save (or by the caller).
func (t *txn) timeline(ctx context.Context, st *state, e TimelineEntry) (TimelineEntry, error) {
	e.IncidentID = st.inc.ID
	e.At = t.now
	if e.Status == 0 {
		e.Status = st.inc.Status
	}
	if e.Severity == 0 {
		e.Severity = st.inc.Severity
	}
	err := t.q.queryRow(ctx, qInsertTimeline, e.IncidentID, nanos(e.At), string(e.Kind), clean(e.Actor),
		e.Sequence, int64(e.Status), int64(e.Severity), clean(e.Text)).Scan(&e.ID)
	if err != nil {
		return e, fmt.Errorf("insert timeline of incident %q: %w", e.IncidentID, err)
	}
	st.tlCount++
	if over := st.tlCount - int64(t.s.opts.TimelineCap); over > 0 {
		n, err := t.q.exec(ctx, qTrimTimeline, e.IncidentID, over)
		if err != nil {
			return e, fmt.Errorf("trim timeline of incident %q: %w", e.IncidentID, err)
		}
		st.tlCount -= n
		st.tlDropped += n
	}
	return e, nil
}

// publish finishes a state change: timeline entry, silences, planned outbox
// messages. The incident row must be saved by the caller afterwards (the
// timeline counters change).
func (t *txn) publish(ctx context.Context, st *state, ev incident.Event, a Action) (Change, error) {
	st.inc.Sequence = st.version
	c := Change{
		Changed:  true,
		Update:   incident.Update{Event: ev, Incident: st.inc},
		Previous: st.prevStatus,
		Actor:    a.Actor,
	}
	if _, err := t.timeline(ctx, st, TimelineEntry{
		Kind: timelineKind(ev), Actor: a.Actor, Sequence: st.version, Text: a.Comment,
	}); err != nil {
		return Change{}, err
	}
	ids, err := t.silencedBy(ctx, st.inc)
	if err != nil {
		return Change{}, err
	}
	c.SilencedBy = ids
	if t.s.opts.Planner != nil {
		if _, err := t.enqueue(ctx, t.s.opts.Planner(c)); err != nil {
			return Change{}, err
		}
	}
	return c, nil
}

func timelineKind(ev incident.Event) TimelineKind {
	switch ev {
	case incident.EventOpened:
		return TimelineOpened
	case incident.EventAcknowledged:
		return TimelineAcknowledged
	case incident.EventResolved:
		return TimelineResolved
	case incident.EventReopened:
		return TimelineReopened
	case incident.EventNarrated:
		return TimelineNarrated
	default:
		return TimelineUpdated
	}
}

// searchText is what the text filter matches: title and summary, lower-cased
// in Go (Unicode-aware, the same on both backends), separated by a newline so
// a match never spans the two.
// It is cut to maxSearch bytes (on a rune boundary) to stay within
// PostgreSQL's index row limit.
func searchText(inc incident.Incident) string {
	s := strings.ToLower(clean(inc.Title) + "\n" + clean(inc.Summary))
	if len(s) <= maxSearch {
		return s
	}
	s = s[:maxSearch]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

const maxSearch = 1024
