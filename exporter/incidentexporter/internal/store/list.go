package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// cursor is the keyset position of the last incident of a page.
type cursor struct {
	openedAt int64
	id       string
}

// encodeCursor returns an opaque cursor: base64url of "v1|<opened_at ns>|<id>".
func encodeCursor(c cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1|" + strconv.FormatInt(c.openedAt, 10) + "|" + c.id))
}

// decodeCursor parses a cursor from outside (an API query parameter).
func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, fmt.Errorf("cursor: not base64url: %w", ErrInvalid)
	}
	parts := strings.SplitN(string(b), "|", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return cursor{}, fmt.Errorf("cursor: unknown format (use the next cursor of a page as is): %w", ErrInvalid)
	}
	n, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || n < 0 {
		return cursor{}, fmt.Errorf("cursor: bad position: %w", ErrInvalid)
	}
	if parts[2] == "" {
		return cursor{}, fmt.Errorf("cursor: empty id: %w", ErrInvalid)
	}
	return cursor{openedAt: n, id: parts[2]}, nil
}

// likePattern escapes s for LIKE ... ESCAPE '\' and wraps it in %.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(clean(s))) + "%"
}

// args collects query arguments and hands out their placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// listQuery builds the List statement for f. Exported to tests through
// validateFilter only; the SQL shape is checked by the conformance suite.
func listQuery(f Filter) (string, args, int, error) {
	limit := f.Limit
	switch {
	case limit < 0:
		return "", nil, 0, fmt.Errorf("limit %d: must not be negative: %w", limit, ErrInvalid)
	case limit == 0:
		limit = DefaultPageSize
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	var a args
	var b strings.Builder
	// With a service or host filter the query is driven by that table's
	// (value, opened_at DESC, incident_id DESC) index, which carries the
	// keyset order: a rare service costs as little as a common one.
	ordOpened, ordID := "i.opened_at", "i.id"
	switch {
	case f.Service != "":
		b.WriteString(qListPrefix + " JOIN incident_services d ON d.incident_id = i.id WHERE d.service = " + a.add(clean(f.Service)))
		ordOpened, ordID = "d.opened_at", "d.incident_id"
		f.Service = ""
	case f.Host != "":
		b.WriteString(qListPrefix + " JOIN incident_hosts d ON d.incident_id = i.id WHERE d.host = " + a.add(clean(f.Host)))
		ordOpened, ordID = "d.opened_at", "d.incident_id"
		f.Host = ""
	default:
		b.WriteString(qListPrefix + " WHERE 1=1")
	}
	if len(f.Statuses) > 0 {
		ph := make([]string, 0, len(f.Statuses))
		for _, st := range f.Statuses {
			if !st.IsValid() {
				return "", nil, 0, fmt.Errorf("status %s: %w", st, ErrInvalid)
			}
			ph = append(ph, a.add(int64(st)))
		}
		b.WriteString(" AND i.status IN (" + strings.Join(ph, ", ") + ")")
	}
	if f.MinSeverity != 0 {
		if !f.MinSeverity.IsValid() {
			return "", nil, 0, fmt.Errorf("severity %s: %w", f.MinSeverity, ErrInvalid)
		}
		b.WriteString(" AND i.severity >= " + a.add(int64(f.MinSeverity)))
	}
	if f.Service != "" {
		b.WriteString(" AND i.id IN (SELECT incident_id FROM incident_services WHERE service = " + a.add(clean(f.Service)) + ")")
	}
	if f.Host != "" {
		b.WriteString(" AND i.id IN (SELECT incident_id FROM incident_hosts WHERE host = " + a.add(clean(f.Host)) + ")")
	}
	if !f.To.IsZero() {
		b.WriteString(" AND i.opened_at < " + a.add(nanos(f.To)))
	}
	if !f.From.IsZero() {
		b.WriteString(" AND (i.resolved_at = 0 OR i.resolved_at >= " + a.add(nanos(f.From)) + ")")
	}
	if f.Text != "" {
		p := a.add(likePattern(f.Text))
		b.WriteString(` AND i.search LIKE ` + p + ` ESCAPE '\'`)
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		// The redundant "opened_at <= o" gives both planners a plain range
		// bound on the index; the OR alone makes PostgreSQL filter rows.
		o := a.add(c.openedAt)
		b.WriteString(" AND " + ordOpened + " <= " + o + " AND (" + ordOpened + " < " + o + " OR (" + ordOpened + " = " + o +
			" AND " + ordID + " < " + a.add(c.id) + "))")
	}
	b.WriteString(" ORDER BY " + ordOpened + " DESC, " + ordID + " DESC LIMIT " + a.add(int64(limit+1)))
	return b.String(), a, limit, nil
}

// ValidateFilter checks f without running it (bad status, severity, limit or
// cursor), so the API can answer 400 before touching the database.
func ValidateFilter(f Filter) error {
	_, _, _, err := listQuery(f)
	return err
}

// List implements Store.
func (s *sqlStore) List(ctx context.Context, f Filter) (Page, error) {
	q, a, limit, err := listQuery(f)
	if err != nil {
		return Page{}, err
	}
	var p Page
	err = s.read(ctx, func(tx querier) error {
		r, err := tx.query(ctx, q, a...)
		if err != nil {
			return fmt.Errorf("list incidents: %w", err)
		}
		defer r.Close()
		var last cursor
		for r.Next() {
			var c cursor
			var doc string
			if err := r.Scan(&c.id, &c.openedAt, &doc); err != nil {
				return err
			}
			if len(p.Incidents) == limit {
				p.Next = encodeCursor(last)
				break
			}
			inc, err := decodeIncident(doc)
			if err != nil {
				return err
			}
			inc.Members = nil
			p.Incidents = append(p.Incidents, inc)
			last = c
		}
		return r.Err()
	})
	return p, err
}

// Similarity weights (see doc.go).
const (
	wRootCauseEntity = 0.35
	wRootCauseKind   = 0.10
	wServices        = 0.20
	wFingerprints    = 0.35
	similarFanout    = 100 // candidates taken from each index
	maxSimilarKeys   = 500 // fingerprints or services looked up
)

type candidate struct {
	id                  string
	fpShared, svcShared int64
}

// Similar implements Store.
func (s *sqlStore) Similar(ctx context.Context, inc incident.Incident, sq SimilarQuery) ([]Similarity, error) {
	if sq.Limit <= 0 {
		sq.Limit = 10
	}
	var rcEntity, rcKind string
	if len(inc.RootCauses) > 0 {
		rcEntity, rcKind = clean(inc.RootCauses[0].Entity.Key()), clean(string(inc.RootCauses[0].Kind))
	}
	var out []Similarity
	err := s.read(ctx, func(q querier) error {
		fps := map[string]bool{}
		for _, m := range inc.Members {
			fps[clean(m.Fingerprint)] = true
		}
		stored, err := selectStrings(ctx, q, qCandidateFingerprints, inc.ID)
		if err != nil {
			return err
		}
		for _, f := range stored {
			fps[f] = true
		}
		svcs := make([]string, 0, len(inc.Services))
		for _, v := range inc.Services {
			svcs = append(svcs, clean(v))
		}
		cands := map[string]*candidate{}
		get := func(id string) *candidate {
			c := cands[id]
			if c == nil {
				c = &candidate{id: id}
				cands[id] = c
			}
			return c
		}
		if err := overlap(ctx, q, qSimilarByFingerprint, inc.ID, keys(fps), func(id string, n int64) { get(id).fpShared = n }); err != nil {
			return err
		}
		if err := overlap(ctx, q, qSimilarByService, inc.ID, svcs, func(id string, n int64) { get(id).svcShared = n }); err != nil {
			return err
		}
		for _, rq := range []struct{ q, v string }{{qSimilarByRootCauseEntity, rcEntity}, {qSimilarByRootCauseKind, rcKind}} {
			if rq.v == "" {
				continue
			}
			ids, err := selectStrings(ctx, q, rq.q, inc.ID, rq.v, similarFanout)
			if err != nil {
				return err
			}
			for _, id := range ids {
				get(id)
			}
		}
		for _, c := range cands {
			var ent, kind, doc string
			var svcCount, memCount int64
			if err := q.queryRow(ctx, qSimilarCandidate, c.id).Scan(&ent, &kind, &svcCount, &memCount, &doc); err != nil {
				return fmt.Errorf("similar: load candidate %q: %w", c.id, err)
			}
			var sim Similarity
			if rcEntity != "" && ent == rcEntity {
				sim.Score += wRootCauseEntity
				sim.Reasons = append(sim.Reasons, "same root-cause entity "+ent)
			}
			if rcKind != "" && kind == rcKind {
				sim.Score += wRootCauseKind
				sim.Reasons = append(sim.Reasons, "same root-cause kind "+kind)
			}
			if c.svcShared > 0 {
				sim.Score += wServices * jaccard(c.svcShared, int64(len(svcs)), svcCount)
				sim.Reasons = append(sim.Reasons, fmt.Sprintf("%d of %d services shared", c.svcShared, len(svcs)))
			}
			if c.fpShared > 0 {
				sim.Score += wFingerprints * jaccard(c.fpShared, int64(len(fps)), memCount)
				sim.Reasons = append(sim.Reasons, fmt.Sprintf("%d of %d finding fingerprints shared", c.fpShared, len(fps)))
			}
			if sim.Score <= 0 || sim.Score < sq.MinScore {
				continue
			}
			if sim.Incident, err = decodeIncident(doc); err != nil {
				return err
			}
			if sq.OnlyResolved && sim.Incident.Status != incident.StatusResolved {
				continue
			}
			sim.Incident.Members = nil
			out = append(out, sim)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortSimilar(out)
	if len(out) > sq.Limit {
		out = out[:sq.Limit]
	}
	return out, nil
}

func jaccard(shared, a, b int64) float64 {
	union := a + b - shared
	if union <= 0 {
		return 0
	}
	return min(1, float64(shared)/float64(union))
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// overlap runs a "shared values" query with an IN list.
func overlap(ctx context.Context, q querier, tmpl, self string, values []string, fn func(string, int64)) error {
	if len(values) == 0 {
		return nil
	}
	if len(values) > maxSimilarKeys {
		values = values[:maxSimilarKeys]
	}
	a := args{self, similarFanout}
	ph := make([]string, 0, len(values))
	for _, v := range values {
		ph = append(ph, a.add(v))
	}
	r, err := q.query(ctx, fmt.Sprintf(tmpl, strings.Join(ph, ", ")), a...)
	if err != nil {
		return fmt.Errorf("similar: %w", err)
	}
	defer r.Close()
	for r.Next() {
		var id string
		var n int64
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		fn(id, n)
	}
	return r.Err()
}

func selectStrings(ctx context.Context, q querier, query string, a ...any) ([]string, error) {
	r, err := q.query(ctx, query, a...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []string
	for r.Next() {
		var v string
		if err := r.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, r.Err()
}

func sortSimilar(s []Similarity) {
	// Highest score first; then the most recent; then by ID for stability.
	less := func(a, b Similarity) int {
		switch {
		case a.Score != b.Score:
			if a.Score > b.Score {
				return -1
			}
			return 1
		case !a.Incident.OpenedAt.Equal(b.Incident.OpenedAt):
			return b.Incident.OpenedAt.Compare(a.Incident.OpenedAt)
		default:
			return strings.Compare(a.Incident.ID, b.Incident.ID)
		}
	}
	sortFunc(s, less)
}

func sortFunc(s []Similarity, cmp func(a, b Similarity) int) { slices.SortFunc(s, cmp) }
