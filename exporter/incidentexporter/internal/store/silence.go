package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// validate checks the matcher and compiles a regex matcher.
func (m Matcher) compile() (func(string) bool, error) {
	switch m.Op {
	case MatchEqual, "":
		v := m.Value
		return func(s string) bool { return s == v }, nil
	case MatchRegex:
		re, err := regexp.Compile("^(?:" + m.Value + ")$")
		if err != nil {
			return nil, fmt.Errorf("matcher %s=~%q: %w", m.Name, m.Value, err)
		}
		return re.MatchString, nil
	default:
		return nil, fmt.Errorf("matcher %s: unknown operator %q (want = or =~)", m.Name, m.Op)
	}
}

// fieldValues returns the values of an incident field a matcher names.
func fieldValues(inc incident.Incident, name string) ([]string, bool) {
	switch {
	case name == "service":
		return inc.Services, true
	case name == "host":
		return inc.Hosts, true
	case name == "severity":
		return []string{inc.Severity.String()}, true
	case name == "status":
		return []string{inc.Status.String()}, true
	case name == "title":
		return []string{inc.Title}, true
	case name == "id":
		return []string{inc.ID}, true
	case name == "root_cause.entity", name == "root_cause.kind":
		if len(inc.RootCauses) == 0 {
			return nil, true
		}
		if name == "root_cause.kind" {
			return []string{string(inc.RootCauses[0].Kind)}, true
		}
		return []string{inc.RootCauses[0].Entity.Key()}, true
	case strings.HasPrefix(name, "label.") && len(name) > len("label."):
		v, ok := inc.Labels[strings.TrimPrefix(name, "label.")]
		if !ok {
			return nil, true
		}
		return []string{v}, true
	default:
		return nil, false
	}
}

// Matches reports whether the silence's matchers all match inc (its time
// window is not checked).
func (s Silence) Matches(inc incident.Incident) bool {
	for _, m := range s.Matchers {
		match, err := m.compile()
		if err != nil {
			return false
		}
		vals, _ := fieldValues(inc, m.Name)
		ok := false
		for _, v := range vals {
			if match(v) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return len(s.Matchers) > 0
}

func (s Silence) validate() error {
	var errs []string
	if len(s.Matchers) == 0 {
		errs = append(errs, "no matchers (a silence must name what it mutes)")
	}
	for _, m := range s.Matchers {
		if _, ok := fieldValues(incident.Incident{}, m.Name); !ok {
			errs = append(errs, fmt.Sprintf("matcher %q: unknown field (want service, host, severity, status, title, id, root_cause.entity, root_cause.kind or label.<name>)", m.Name))
		}
		if _, err := m.compile(); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if s.EndsAt.IsZero() {
		errs = append(errs, "EndsAt: must be set")
	} else if !s.EndsAt.After(s.StartsAt) {
		errs = append(errs, "EndsAt: must be after StartsAt")
	}
	if len(errs) > 0 {
		return fmt.Errorf("silence: %s: %w", strings.Join(errs, "; "), ErrInvalid)
	}
	return nil
}

// CreateSilence implements Store.
func (s *sqlStore) CreateSilence(ctx context.Context, sil Silence) (Silence, error) {
	now := s.opts.Now()
	if sil.StartsAt.IsZero() {
		sil.StartsAt = now
	}
	if err := sil.validate(); err != nil {
		return Silence{}, err
	}
	if sil.ID == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		sil.ID = "sil-" + hex.EncodeToString(b[:])
	}
	sil.CreatedAt = now
	for i := range sil.Matchers {
		if sil.Matchers[i].Op == "" {
			sil.Matchers[i].Op = MatchEqual
		}
	}
	ms, err := json.Marshal(sil.Matchers)
	if err != nil {
		return Silence{}, err
	}
	err = s.write(ctx, func(t *txn) error {
		var one int64
		if err := t.q.queryRow(ctx, qSilenceExists, sil.ID).Scan(&one); err == nil {
			return fmt.Errorf("silence %q exists: %w", sil.ID, ErrConflict)
		}
		_, err := t.q.exec(ctx, qInsertSilence, sil.ID, string(ms), nanos(sil.StartsAt), nanos(sil.EndsAt),
			clean(sil.CreatedBy), clean(sil.Comment), nanos(sil.CreatedAt))
		return err
	})
	return sil, err
}

// ListSilences implements Store.
func (s *sqlStore) ListSilences(ctx context.Context, all bool) ([]Silence, error) {
	var out []Silence
	err := s.read(ctx, func(q querier) error {
		var err error
		if all {
			out, err = selectSilences(ctx, q, qSelectSilencesAll)
		} else {
			out, err = selectSilences(ctx, q, qSelectSilencesActive, nanos(s.opts.Now()))
		}
		return err
	})
	return out, err
}

func selectSilences(ctx context.Context, q querier, query string, a ...any) ([]Silence, error) {
	r, err := q.query(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("silences: %w", err)
	}
	defer r.Close()
	var out []Silence
	for r.Next() {
		var sil Silence
		var ms string
		var start, end, created int64
		if err := r.Scan(&sil.ID, &ms, &start, &end, &sil.CreatedBy, &sil.Comment, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(ms), &sil.Matchers); err != nil {
			return nil, fmt.Errorf("silence %q: decode matchers: %w", sil.ID, err)
		}
		sil.StartsAt, sil.EndsAt, sil.CreatedAt = fromNanos(start), fromNanos(end), fromNanos(created)
		out = append(out, sil)
	}
	return out, r.Err()
}

// GetSilence implements Store.
func (s *sqlStore) GetSilence(ctx context.Context, id string) (Silence, error) {
	var sils []Silence
	err := s.read(ctx, func(q querier) error {
		var err error
		sils, err = selectSilences(ctx, q, qSelectSilence, id)
		return err
	})
	if err != nil {
		return Silence{}, err
	}
	if len(sils) == 0 {
		return Silence{}, fmt.Errorf("silence %q: %w", id, ErrNotFound)
	}
	return sils[0], nil
}

// ExpireSilence implements Store.
func (s *sqlStore) ExpireSilence(ctx context.Context, id string) error {
	return s.write(ctx, func(t *txn) error {
		n, err := t.q.exec(ctx, qExpireSilence, id, nanos(t.now))
		if err != nil || n > 0 {
			return err
		}
		var one int64
		if err := t.q.queryRow(ctx, qSilenceExists, id).Scan(&one); err != nil {
			return fmt.Errorf("silence %q: %w", id, ErrNotFound)
		}
		return nil // already expired
	})
}

// silencedBy returns the IDs of the silences active at t.now that match inc.
func (t *txn) silencedBy(ctx context.Context, inc incident.Incident) ([]string, error) {
	if !t.loaded {
		sils, err := selectSilences(ctx, t.q, qSelectSilencesActive, nanos(t.now))
		if err != nil {
			return nil, err
		}
		t.silences, t.loaded = sils, true
	}
	var ids []string
	for _, s := range t.silences {
		if !s.StartsAt.After(t.now) && s.Matches(inc) {
			ids = append(ids, s.ID)
		}
	}
	return ids, nil
}
