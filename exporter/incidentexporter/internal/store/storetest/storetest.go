// Package storetest is the conformance suite every store.Store backend must
// pass: run it from the backend's test with a constructor that returns a
// fresh, isolated store (a new SQLite file, a new PostgreSQL schema).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// NewStore returns a fresh, empty store using opts; the suite sets opts.Now
// (a manual clock) and, where it tests the outbox, opts.Planner. The
// constructor registers its own cleanup; the suite closes the store too
// (Close is idempotent).
type NewStore func(t *testing.T, opts store.Options) store.Store

// Run runs the conformance suite.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"ApplyAndGet", testApplyAndGet},
		{"Idempotent", testIdempotent},
		{"InvalidUpdate", testInvalidUpdate},
		{"PipelineLifecycle", testPipelineLifecycle},
		{"LateUpdateKeepsHumanAck", testLateUpdateKeepsHumanAck},
		{"LateResolveAfterHumanResolve", testLateResolveAfterHumanResolve},
		{"HumanActions", testHumanActions},
		{"ReopenAsNew", testReopenAsNew},
		{"NarrativeAndNotes", testNarrativeAndNotes},
		{"MembersUnion", testMembersUnion},
		{"TimelineCap", testTimelineCap},
		{"ListFilters", testListFilters},
		{"ListPaging", testListPaging},
		{"LongAndOddText", testLongAndOddText},
		{"Similar", testSimilar},
		{"Silences", testSilences},
		{"OutboxWithChange", testOutboxWithChange},
		{"OutboxRollback", testOutboxRollback},
		{"OutboxClaimAckNack", testOutboxClaimAckNack},
		{"Retention", testRetention},
		{"Concurrency", testConcurrency},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &harness{clock: NewClock(T0.Add(time.Hour)), newStore: newStore}
			tc.fn(t, h)
		})
	}
}

type harness struct {
	clock    *Clock
	newStore NewStore
}

func (h *harness) open(t *testing.T, opts store.Options) store.Store {
	t.Helper()
	opts.Now = h.clock.Now
	s := h.newStore(t, opts)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func ctx() context.Context { return context.Background() }

// ok turns a (value, error) result into a function that fails the test on
// the error: ok(s.Get(ctx(), id))(t).
func ok[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func apply(t *testing.T, s store.Store, u ...incident.Update) []store.ApplyResult {
	t.Helper()
	return ok(s.Apply(ctx(), u...))(t)
}

func get(t *testing.T, s store.Store, id string) store.Detail {
	t.Helper()
	return ok(s.Get(ctx(), id))(t)
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

func kinds(tl []store.TimelineEntry) []string {
	var out []string
	for _, e := range tl {
		out = append(out, string(e.Kind))
	}
	return out
}

func testApplyAndGet(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	u := Opened(ID(1))
	u.Incident = WithRootCause(u.Incident, incident.KindHardware, map[string]string{"host.name": "node-1", "hw.id": "fan-3"})
	u.Incident.Labels = map[string]string{"team": "payments"}
	u.Incident.Changes = []incident.Change{{Entity: incident.NewEntity(map[string]string{"service.name": "checkout"}),
		Kind: incident.ChangeDeploy, From: "1", To: "2", Time: T0.Add(-time.Minute), FindingID: "fnd-c"}}
	r := apply(t, s, u)
	if len(r) != 1 || !r[0].Applied {
		t.Fatalf("result = %+v, want applied", r)
	}
	c := r[0].Change
	if c.Update.Event != incident.EventOpened || c.Update.Incident.Sequence != 1 || c.Previous != 0 || c.Actor != "" {
		t.Fatalf("change = %+v", c)
	}
	if err := c.Update.Validate(); err != nil {
		t.Fatalf("published update invalid: %v", err)
	}
	d := get(t, s, ID(1))
	inc := d.Incident
	if inc.ID != ID(1) || inc.Status != incident.StatusOpen || inc.Title != u.Incident.Title || inc.Sequence != 1 ||
		!inc.OpenedAt.Equal(T0) || inc.Labels["team"] != "payments" || len(inc.Changes) != 1 ||
		inc.RootCauses[0].Entity.Key() != "host.name=node-1,hw.id=fan-3" || inc.TotalFindings != 1 {
		t.Fatalf("stored incident = %+v", inc)
	}
	if d.SourceSequence != 1 || len(d.Members) != 1 || d.Members[0].Fingerprint != ID(1)+"-a" || d.Members[0].Count != 1 {
		t.Fatalf("detail = %+v", d)
	}
	if got := kinds(d.Timeline); !slices.Equal(got, []string{"opened", "member"}) {
		t.Fatalf("timeline = %v", got)
	}
	if !d.Timeline[0].At.Equal(h.clock.Now()) || d.Timeline[0].Sequence != 1 {
		t.Fatalf("timeline entry = %+v", d.Timeline[0])
	}
	_, err := s.Get(ctx(), ID(99))
	wantErr(t, err, store.ErrNotFound)
}

func testIdempotent(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	apply(t, s, Opened(ID(1)))
	u2 := Up(incident.EventUpdated, Inc(ID(1), 2, incident.StatusOpen, T0.Add(time.Minute)))
	u2.Incident.Severity = incident.SeverityCritical
	apply(t, s, u2)
	before := get(t, s, ID(1))
	// Replays, in one batch and one by one, change nothing.
	r := apply(t, s, Opened(ID(1)), u2)
	if r[0].Applied || r[0].Reason != "stale" || r[1].Applied || r[1].Reason != "duplicate" {
		t.Fatalf("replay results = %+v", r)
	}
	after := get(t, s, ID(1))
	if after.Incident.Sequence != before.Incident.Sequence || after.Incident.Severity != incident.SeverityCritical ||
		len(after.Timeline) != len(before.Timeline) {
		t.Fatalf("replay changed state: before %+v after %+v", before.Incident, after.Incident)
	}
	// Out of order: 4 then 3; 3 is ignored.
	u4 := Up(incident.EventUpdated, Inc(ID(1), 4, incident.StatusOpen, T0.Add(3*time.Minute)))
	u4.Incident.Title = "four"
	u3 := Up(incident.EventUpdated, Inc(ID(1), 3, incident.StatusOpen, T0.Add(2*time.Minute)))
	u3.Incident.Title = "three"
	r = apply(t, s, u4, u3)
	if !r[0].Applied || r[1].Applied {
		t.Fatalf("out of order results = %+v", r)
	}
	if d := get(t, s, ID(1)); d.Incident.Title != "four" || d.SourceSequence != 4 || d.Incident.Sequence != 3 {
		t.Fatalf("after out of order: title %q source %d seq %d", d.Incident.Title, d.SourceSequence, d.Incident.Sequence)
	}
	// A first record that is not sequence 1 (the opened record was lost) is
	// taken as is.
	r = apply(t, s, Up(incident.EventUpdated, Inc(ID(2), 5, incident.StatusOpen, T0)))
	if !r[0].Applied || r[0].Change.Previous != 0 || r[0].Change.Update.Incident.Sequence != 1 {
		t.Fatalf("first record at sequence 5: %+v", r[0])
	}
}

func testInvalidUpdate(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	bad := Opened(ID(1))
	bad.Incident.Title = ""
	_, err := s.Apply(ctx(), Opened(ID(2)), bad)
	wantErr(t, err, store.ErrInvalid)
	_, err = s.Get(ctx(), ID(2))
	wantErr(t, err, store.ErrNotFound) // the whole batch failed
}

func testPipelineLifecycle(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	apply(t, s, Opened(ID(1)))
	r := apply(t, s, Up(incident.EventAcknowledged, Inc(ID(1), 2, incident.StatusAcknowledged, T0.Add(time.Minute))))
	if c := r[0].Change; c.Update.Event != incident.EventAcknowledged || c.Previous != incident.StatusOpen {
		t.Fatalf("ack change = %+v", c)
	}
	r = apply(t, s, Up(incident.EventResolved, Inc(ID(1), 3, incident.StatusResolved, T0.Add(2*time.Minute))))
	c := r[0].Change
	if c.Update.Event != incident.EventResolved || c.Update.Incident.Status != incident.StatusResolved ||
		!c.Update.Incident.ResolvedAt.Equal(T0.Add(2*time.Minute)) {
		t.Fatalf("resolve change = %+v", c)
	}
	if err := c.Update.Validate(); err != nil {
		t.Fatalf("published update invalid: %v", err)
	}
	// An updated record after resolution changes nothing.
	late := Up(incident.EventUpdated, Inc(ID(1), 4, incident.StatusOpen, T0.Add(3*time.Minute)))
	late.Incident.Title = "late"
	r = apply(t, s, late)
	if r[0].Applied || r[0].Reason != "resolved" {
		t.Fatalf("late update on resolved = %+v", r[0])
	}
	if d := get(t, s, ID(1)); d.Incident.Title == "late" || d.Incident.Status != incident.StatusResolved || d.SourceSequence != 4 {
		t.Fatalf("resolved incident changed: %+v", d.Incident)
	}
	if got := kinds(get(t, s, ID(1)).Timeline); !slices.Equal(got, []string{"opened", "member", "acknowledged", "resolved"}) {
		t.Fatalf("timeline = %v", got)
	}
}

func testLateUpdateKeepsHumanAck(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	apply(t, s, Opened(ID(1)))
	h.clock.Advance(time.Minute)
	c := ok(s.Acknowledge(ctx(), ID(1), store.Action{Actor: "alice", Comment: "on it"}))(t)
	if !c.Changed || c.Update.Event != incident.EventAcknowledged || c.Actor != "alice" || c.Update.Incident.Sequence != 2 {
		t.Fatalf("ack = %+v", c)
	}
	// Correlation did not see the ack: it sends status open, new member and
	// severity.
	u := Up(incident.EventUpdated, WithMembers(Inc(ID(1), 2, incident.StatusOpen, T0.Add(2*time.Minute)),
		Member(ID(1)+"-a", incident.KindAnomaly, incident.SeverityWarning, "service.name=checkout", T0, 2),
		Member(ID(1)+"-b", incident.KindHardware, incident.SeverityCritical, "host.name=node-1,hw.id=fan-3", T0.Add(time.Minute), 1)))
	u.Incident.Severity = incident.SeverityCritical
	r := apply(t, s, u)
	c = r[0].Change
	if !r[0].Applied || c.Update.Event != incident.EventUpdated || c.Update.Incident.Status != incident.StatusAcknowledged ||
		c.Update.Incident.Severity != incident.SeverityCritical || c.Update.Incident.Sequence != 3 {
		t.Fatalf("late update = %+v", r[0])
	}
	d := get(t, s, ID(1))
	if d.Incident.Status != incident.StatusAcknowledged || d.Incident.Severity != incident.SeverityCritical || len(d.Members) != 2 {
		t.Fatalf("after late update: %+v members %d", d.Incident, len(d.Members))
	}
	// A pipeline "acknowledged" (e.g. our own record coming back) is an update.
	r = apply(t, s, Up(incident.EventAcknowledged, Inc(ID(1), 3, incident.StatusAcknowledged, T0.Add(3*time.Minute))))
	if r[0].Change.Update.Event != incident.EventUpdated {
		t.Fatalf("echoed ack = %+v", r[0].Change.Update.Event)
	}
	if e := d.Timeline[2]; e.Kind != store.TimelineAcknowledged || e.Actor != "alice" || e.Text != "on it" {
		t.Fatalf("ack timeline entry = %+v (all %v)", e, kinds(d.Timeline))
	}
}

func testLateResolveAfterHumanResolve(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	apply(t, s, Opened(ID(1)))
	h.clock.Advance(time.Minute)
	c := ok(s.Resolve(ctx(), ID(1), store.Action{Actor: "bob"}))(t)
	if c.Update.Incident.Status != incident.StatusResolved || !c.Update.Incident.ResolvedAt.Equal(h.clock.Now()) {
		t.Fatalf("resolve = %+v", c)
	}
	if err := c.Update.Validate(); err != nil {
		t.Fatalf("published update invalid: %v", err)
	}
	r := apply(t, s, Up(incident.EventResolved, Inc(ID(1), 2, incident.StatusResolved, T0.Add(5*time.Minute))))
	if r[0].Applied {
		t.Fatalf("pipeline resolve after human resolve applied: %+v", r[0])
	}
	d := get(t, s, ID(1))
	if !d.Incident.ResolvedAt.Equal(h.clock.Now()) || d.Incident.Sequence != 2 {
		t.Fatalf("human resolution overwritten: %+v", d.Incident)
	}
	// A narrative still lands after resolution.
	n := Up(incident.EventNarrated, Inc(ID(1), 3, incident.StatusResolved, T0.Add(6*time.Minute)))
	n.Incident.Narrative = incident.Narrative{Status: incident.NarrativeReady, Text: "fan died", Generator: "m", UpdatedAt: T0.Add(6 * time.Minute)}
	r = apply(t, s, n)
	if !r[0].Applied || r[0].Change.Update.Event != incident.EventNarrated || r[0].Change.Update.Incident.Narrative.Text != "fan died" {
		t.Fatalf("narrated after resolve = %+v", r[0])
	}
	if err := r[0].Change.Update.Validate(); err != nil {
		t.Fatalf("published update invalid: %v", err)
	}
}

func testHumanActions(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	_, err := s.Acknowledge(ctx(), ID(9), store.Action{})
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Resolve(ctx(), ID(9), store.Action{})
	wantErr(t, err, store.ErrNotFound)
	_, err = s.ReopenAsNew(ctx(), ID(9), store.Action{})
	wantErr(t, err, store.ErrNotFound)
	apply(t, s, Opened(ID(1)))
	ok(s.Acknowledge(ctx(), ID(1), store.Action{Actor: "a"}))(t)
	c := ok(s.Acknowledge(ctx(), ID(1), store.Action{Actor: "a"}))(t)
	if c.Changed || c.Update.Incident.Sequence != 2 {
		t.Fatalf("second ack = %+v, want unchanged", c)
	}
	ok(s.Resolve(ctx(), ID(1), store.Action{Actor: "a"}))(t)
	_, err = s.Acknowledge(ctx(), ID(1), store.Action{})
	wantErr(t, err, store.ErrConflict)
	if c := ok(s.Resolve(ctx(), ID(1), store.Action{}))(t); c.Changed {
		t.Fatalf("second resolve changed: %+v", c)
	}
	if d := get(t, s, ID(1)); d.Incident.Sequence != 3 {
		t.Fatalf("sequence = %d, want 3", d.Incident.Sequence)
	}
}

func testReopenAsNew(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	apply(t, s, Opened(ID(1)))
	_, err := s.ReopenAsNew(ctx(), ID(1), store.Action{Actor: "a"})
	wantErr(t, err, store.ErrConflict)
	ok(s.Resolve(ctx(), ID(1), store.Action{Actor: "a"}))(t)
	h.clock.Advance(time.Hour)
	c := ok(s.ReopenAsNew(ctx(), ID(1), store.Action{Actor: "a", Comment: "came back"}))(t)
	inc := c.Update.Incident
	if c.Update.Event != incident.EventReopened || inc.RecurrenceOf != ID(1) || inc.Status != incident.StatusOpen ||
		inc.Sequence != 1 || inc.ID == ID(1) || !inc.OpenedAt.Equal(h.clock.Now()) {
		t.Fatalf("reopen = %+v", c)
	}
	if err := c.Update.Validate(); err != nil {
		t.Fatalf("published update invalid: %v", err)
	}
	if d := get(t, s, inc.ID); d.Incident.RecurrenceOf != ID(1) || d.Timeline[0].Kind != store.TimelineReopened {
		t.Fatalf("new incident = %+v", d)
	}
	old := get(t, s, ID(1))
	last := old.Timeline[len(old.Timeline)-1]
	if old.Incident.Status != incident.StatusResolved || last.Kind != store.TimelineReopenedAs || last.Text != inc.ID {
		t.Fatalf("old incident = %+v, last entry %+v", old.Incident, last)
	}
}

func testNarrativeAndNotes(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	apply(t, s, Opened(ID(1)))
	c := ok(s.SetNarrative(ctx(), ID(1), incident.Narrative{Status: incident.NarrativeReady, Text: "t", Generator: "g"}, store.Action{Actor: "narrator"}))(t)
	if c.Update.Event != incident.EventNarrated || c.Update.Incident.Narrative.UpdatedAt.IsZero() {
		t.Fatalf("narrative = %+v", c)
	}
	_, err := s.SetNarrative(ctx(), ID(1), incident.Narrative{Status: incident.NarrativeReady}, store.Action{})
	wantErr(t, err, store.ErrInvalid)
	// A pipeline record without a narrative keeps the stored one.
	apply(t, s, Up(incident.EventUpdated, Inc(ID(1), 2, incident.StatusOpen, T0.Add(time.Minute))))
	if d := get(t, s, ID(1)); d.Incident.Narrative.Text != "t" {
		t.Fatalf("narrative lost: %+v", d.Incident.Narrative)
	}
	e := ok(s.AddNote(ctx(), ID(1), store.Action{Actor: "carol", Comment: "rebooted node-1"}))(t)
	if e.Kind != store.TimelineNote || e.ID == 0 {
		t.Fatalf("note = %+v", e)
	}
	_, err = s.AddNote(ctx(), ID(1), store.Action{Actor: "carol"})
	wantErr(t, err, store.ErrInvalid)
	_, err = s.AddNote(ctx(), ID(2), store.Action{Comment: "x"})
	wantErr(t, err, store.ErrNotFound)
	d := get(t, s, ID(1))
	if last := d.Timeline[len(d.Timeline)-1]; last.Text != "rebooted node-1" || last.Actor != "carol" {
		t.Fatalf("last timeline entry = %+v", last)
	}
	if d.Incident.Sequence != 3 { // opened, narrated, updated; the note is no state change
		t.Fatalf("sequence = %d", d.Incident.Sequence)
	}
}

func testMembersUnion(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	a := Member("a", incident.KindAnomaly, incident.SeverityWarning, "service.name=checkout", T0, 1)
	b := Member("b", incident.KindErrorLog, incident.SeverityError, "service.name=cart", T0.Add(time.Minute), 1)
	apply(t, s, Up(incident.EventOpened, WithMembers(Inc(ID(1), 1, incident.StatusOpen, T0), a, b)))
	// The next record keeps only the most relevant member: b disappears
	// from the record but stays a member; a grows.
	a2 := a
	a2.Count, a2.LastSeen, a2.Severity = 5, T0.Add(5*time.Minute), incident.SeverityCritical
	apply(t, s, Up(incident.EventUpdated, WithMembers(Inc(ID(1), 2, incident.StatusOpen, T0.Add(5*time.Minute)), a2)))
	d := get(t, s, ID(1))
	if len(d.Members) != 2 {
		t.Fatalf("members = %+v, want a and b", d.Members)
	}
	got := d.Members[0]
	if got.Fingerprint != "a" || got.Count != 5 || got.Severity != incident.SeverityCritical || !got.LastSeen.Equal(a2.LastSeen) || !got.FirstSeen.Equal(T0) {
		t.Fatalf("member a = %+v", got)
	}
	if got := kinds(d.Timeline); !slices.Equal(got, []string{"opened", "member", "member", "updated"}) {
		t.Fatalf("timeline = %v", got)
	}
}

func testTimelineCap(t *testing.T, h *harness) {
	s := h.open(t, store.Options{TimelineCap: 5})
	apply(t, s, Opened(ID(1)))
	for i := range 10 {
		ok(s.AddNote(ctx(), ID(1), store.Action{Comment: fmt.Sprint("note ", i)}))(t)
	}
	d := get(t, s, ID(1))
	if len(d.Timeline) != 5 || d.TimelineDropped != 7 || d.Timeline[4].Text != "note 9" || d.Timeline[0].Text != "note 5" {
		t.Fatalf("timeline = %d entries, dropped %d: %+v", len(d.Timeline), d.TimelineDropped, d.Timeline)
	}
}

// seedList stores a small, varied set of incidents for the list tests.
func seedList(t *testing.T, s store.Store) {
	t.Helper()
	var ups []incident.Update
	for i := range 30 {
		inc := Inc(ID(i), 1, incident.StatusOpen, T0.Add(time.Duration(i)*time.Minute))
		inc.OpenedAt = inc.UpdatedAt
		inc.Severity = incident.Severity(1 + i%4)
		inc.Services = []string{fmt.Sprintf("svc-%d", i%3)}
		inc.Hosts = []string{fmt.Sprintf("host-%d", i%5)}
		if i%10 == 7 {
			inc.Title = "Fan FAILURE 100%_ on rack"
		}
		ups = append(ups, Up(incident.EventOpened, inc))
	}
	apply(t, s, ups...)
	for i := 0; i < 30; i += 6 {
		ok(s.Acknowledge(ctx(), ID(i), store.Action{}))(t)
	}
	for i := 1; i < 30; i += 6 {
		ok(s.Resolve(ctx(), ID(i), store.Action{}))(t)
	}
}

func ids(p store.Page) []string {
	var out []string
	for _, inc := range p.Incidents {
		out = append(out, inc.ID)
	}
	return out
}

func testListFilters(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	seedList(t, s)
	expect := func(pred func(i int) bool) []string {
		var out []string
		for i := 29; i >= 0; i-- {
			if pred(i) {
				out = append(out, ID(i))
			}
		}
		return out
	}
	status := func(i int) incident.Status {
		switch i % 6 {
		case 0:
			return incident.StatusAcknowledged
		case 1:
			return incident.StatusResolved
		}
		return incident.StatusOpen
	}
	cases := []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"all", store.Filter{}, expect(func(int) bool { return true })},
		{"status", store.Filter{Statuses: []incident.Status{incident.StatusOpen, incident.StatusAcknowledged}},
			expect(func(i int) bool { return status(i) != incident.StatusResolved })},
		{"severity", store.Filter{MinSeverity: incident.SeverityError}, expect(func(i int) bool { return 1+i%4 >= 3 })},
		{"service", store.Filter{Service: "svc-1"}, expect(func(i int) bool { return i%3 == 1 })},
		{"host", store.Filter{Host: "host-2"}, expect(func(i int) bool { return i%5 == 2 })},
		{"to", store.Filter{To: T0.Add(10 * time.Minute)}, expect(func(i int) bool { return i < 10 })},
		{"from", store.Filter{From: T0.Add(2 * time.Hour)}, expect(func(i int) bool { return status(i) != incident.StatusResolved })},
		{"text", store.Filter{Text: "failure 100%_"}, expect(func(i int) bool { return i%10 == 7 })},
		{"text summary", store.Filter{Text: "SUMMARY OF " + ID(3)}, []string{ID(3)}},
		{"text no wildcard", store.Filter{Text: "100%%"}, nil},
		{"combined", store.Filter{Service: "svc-1", MinSeverity: incident.SeverityWarning, Statuses: []incident.Status{incident.StatusOpen}},
			expect(func(i int) bool { return i%3 == 1 && 1+i%4 >= 2 && status(i) == incident.StatusOpen })},
		{"unknown service", store.Filter{Service: "nope"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := ok(s.List(ctx(), tc.f))(t)
			if got := ids(p); !slices.Equal(got, tc.want) {
				t.Fatalf("ids = %v\nwant %v", got, tc.want)
			}
			if p.Next != "" {
				t.Fatalf("unexpected next cursor %q", p.Next)
			}
		})
	}
	for _, f := range []store.Filter{{Cursor: "%%%"}, {Cursor: "djF8eHx5"}, {Limit: -1}, {MinSeverity: 9}, {Statuses: []incident.Status{7}}} {
		_, err := s.List(ctx(), f)
		wantErr(t, err, store.ErrInvalid)
	}
	if p := ok(s.List(ctx(), store.Filter{Limit: 1}))(t); len(p.Incidents) != 1 || p.Incidents[0].Members != nil {
		t.Fatalf("page of one = %+v", p)
	}
}

func testListPaging(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	var ups []incident.Update
	for i := range 25 {
		inc := Inc(ID(i), 1, incident.StatusOpen, T0)
		if i%2 == 0 { // half share one opened_at: ties break on id
			inc.OpenedAt = T0.Add(-time.Duration(i) * time.Minute)
		}
		ups = append(ups, Up(incident.EventOpened, inc))
	}
	apply(t, s, ups...)
	all := ids(ok(s.List(ctx(), store.Filter{Limit: 100}))(t))
	if len(all) != 25 {
		t.Fatalf("got %d incidents", len(all))
	}
	var paged []string
	f := store.Filter{Limit: 7}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		p := ok(s.List(ctx(), f))(t)
		paged = append(paged, ids(p)...)
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
		apply(t, s, Opened(ID(100+pages))) // inserts between pages do not disturb the keyset
	}
	if !slices.Equal(paged, all) {
		t.Fatalf("paged = %v\nall   = %v", paged, all)
	}
}

func testSimilar(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	fan := map[string]string{"host.name": "node-1", "hw.id": "fan-3"}
	mk := func(id string, services []string, rcKind incident.Kind, rc map[string]string, fps ...string) incident.Update {
		inc := Inc(id, 1, incident.StatusOpen, T0)
		inc.Services = services
		var ms []incident.Member
		for _, fp := range fps {
			ms = append(ms, Member(fp, incident.KindAnomaly, incident.SeverityWarning, "service.name=x", T0, 1))
		}
		inc = WithMembers(inc, ms...)
		if rc != nil {
			inc = WithRootCause(inc, rcKind, rc)
		}
		return Up(incident.EventOpened, inc)
	}
	target := mk("inc-target", []string{"cart", "checkout"}, incident.KindHardware, fan, "f1", "f2", "f3")
	apply(t, s, target,
		mk("inc-twin", []string{"cart", "checkout"}, incident.KindHardware, fan, "f1", "f2", "f3"),
		mk("inc-samecause", []string{"search"}, incident.KindHardware, fan, "f9"),
		mk("inc-sharesfp", []string{"checkout"}, incident.KindAnomaly, map[string]string{"service.name": "checkout"}, "f1"),
		mk("inc-samekind", []string{"db"}, incident.KindHardware, map[string]string{"host.name": "node-7", "hw.id": "psu-1"}, "f8"),
		mk("inc-unrelated", []string{"db"}, incident.KindAnomaly, map[string]string{"service.name": "db"}, "f7"),
	)
	ok(s.Resolve(ctx(), "inc-samecause", store.Action{}))(t)
	res := ok(s.Similar(ctx(), target.Incident, store.SimilarQuery{}))(t)
	var got []string
	for _, r := range res {
		got = append(got, r.Incident.ID)
		if r.Score <= 0 || r.Score > 1 || len(r.Reasons) == 0 {
			t.Fatalf("similarity %+v", r)
		}
	}
	want := []string{"inc-twin", "inc-samecause", "inc-sharesfp", "inc-samekind"}
	if !slices.Equal(got, want) {
		t.Fatalf("similar = %v, want %v", got, want)
	}
	if res[0].Score < 0.999 {
		t.Fatalf("twin score = %v, want 1", res[0].Score)
	}
	res = ok(s.Similar(ctx(), target.Incident, store.SimilarQuery{OnlyResolved: true}))(t)
	if len(res) != 1 || res[0].Incident.ID != "inc-samecause" {
		t.Fatalf("only resolved = %+v", res)
	}
	res = ok(s.Similar(ctx(), target.Incident, store.SimilarQuery{Limit: 2, MinScore: 0.3}))(t)
	if len(res) != 2 {
		t.Fatalf("limit 2 = %d results", len(res))
	}
	// An incident that is not stored (e.g. from the narrator) works too.
	probe := mk("inc-probe", []string{"db"}, incident.KindAnomaly, nil, "f7").Incident
	if res := ok(s.Similar(ctx(), probe, store.SimilarQuery{}))(t); len(res) == 0 || res[0].Incident.ID != "inc-unrelated" {
		t.Fatalf("probe = %+v", res)
	}
}

func testSilences(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	for _, bad := range []store.Silence{
		{EndsAt: h.clock.Now().Add(time.Hour)},
		{Matchers: []store.Matcher{{Name: "service", Value: "x"}}},
		{Matchers: []store.Matcher{{Name: "colour", Value: "x"}}, EndsAt: h.clock.Now().Add(time.Hour)},
		{Matchers: []store.Matcher{{Name: "service", Op: store.MatchRegex, Value: "("}}, EndsAt: h.clock.Now().Add(time.Hour)},
		{Matchers: []store.Matcher{{Name: "service", Op: "!", Value: "x"}}, EndsAt: h.clock.Now().Add(time.Hour)},
	} {
		_, err := s.CreateSilence(ctx(), bad)
		wantErr(t, err, store.ErrInvalid)
	}
	sil := ok(s.CreateSilence(ctx(), store.Silence{
		Matchers: []store.Matcher{{Name: "service", Value: "checkout"}, {Name: "severity", Op: store.MatchRegex, Value: "warning|error"}},
		EndsAt:   h.clock.Now().Add(time.Hour), CreatedBy: "alice", Comment: "maintenance",
	}))(t)
	other := ok(s.CreateSilence(ctx(), store.Silence{
		Matchers: []store.Matcher{{Name: "label.team", Value: "db"}}, EndsAt: h.clock.Now().Add(2 * time.Hour),
	}))(t)
	if sil.ID == "" || !sil.StartsAt.Equal(h.clock.Now()) {
		t.Fatalf("silence = %+v", sil)
	}
	_, err := s.CreateSilence(ctx(), sil)
	wantErr(t, err, store.ErrConflict)
	r := apply(t, s, Opened(ID(1)))
	if got := r[0].Change.SilencedBy; !slices.Equal(got, []string{sil.ID}) {
		t.Fatalf("silenced by %v, want %v", got, sil.ID)
	}
	list := ok(s.ListSilences(ctx(), false))(t)
	i := slices.IndexFunc(list, func(x store.Silence) bool { return x.ID == sil.ID })
	if len(list) != 2 || i < 0 || list[i].Comment != "maintenance" || list[i].CreatedBy != "alice" || len(list[i].Matchers) != 2 ||
		list[i].Matchers[1] != sil.Matchers[1] || !list[i].EndsAt.Equal(sil.EndsAt) {
		t.Fatalf("silences = %+v", list)
	}
	if err := s.ExpireSilence(ctx(), sil.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.ExpireSilence(ctx(), "sil-nope"), store.ErrNotFound)
	if got := ok(s.GetSilence(ctx(), sil.ID))(t); got.Comment != "maintenance" || len(got.Matchers) != 2 ||
		!got.EndsAt.Equal(h.clock.Now()) {
		t.Fatalf("expired silence = %+v, want it ended now", got)
	}
	_, err = s.GetSilence(ctx(), "sil-nope")
	wantErr(t, err, store.ErrNotFound)
	if list := ok(s.ListSilences(ctx(), false))(t); len(list) != 1 || list[0].ID != other.ID {
		t.Fatalf("active after expire = %+v", list)
	}
	if list := ok(s.ListSilences(ctx(), true))(t); len(list) != 2 {
		t.Fatalf("all = %+v", list)
	}
	c := ok(s.Acknowledge(ctx(), ID(1), store.Action{}))(t)
	if len(c.SilencedBy) != 0 {
		t.Fatalf("expired silence still applies: %v", c.SilencedBy)
	}
	// A silence that starts later does not apply yet.
	ok(s.CreateSilence(ctx(), store.Silence{Matchers: []store.Matcher{{Name: "id", Value: ID(1)}},
		StartsAt: h.clock.Now().Add(time.Hour), EndsAt: h.clock.Now().Add(2 * time.Hour)}))(t)
	if c := ok(s.Resolve(ctx(), ID(1), store.Action{}))(t); len(c.SilencedBy) != 0 {
		t.Fatalf("future silence applies: %v", c.SilencedBy)
	}
}

// planner routes every change to two destinations.
func planner(c store.Change) []store.OutboxMessage {
	var out []store.OutboxMessage
	for _, dest := range []string{"webhook", "otlp"} {
		out = append(out, store.OutboxMessage{
			Destination: dest, IncidentID: c.Update.Incident.ID,
			Key:     fmt.Sprintf("%s/%d/%s", c.Update.Incident.ID, c.Update.Incident.Sequence, dest),
			Payload: []byte(string(c.Update.Event) + " " + c.Update.Incident.Status.String()),
		})
	}
	return out
}

func testOutboxWithChange(t *testing.T, h *harness) {
	s := h.open(t, store.Options{Planner: planner})
	apply(t, s, Opened(ID(1)))
	apply(t, s, Opened(ID(1))) // duplicate: nothing planned
	ok(s.Acknowledge(ctx(), ID(1), store.Action{}))(t)
	ok(s.Acknowledge(ctx(), ID(1), store.Action{}))(t) // no change: nothing planned
	st := ok(s.OutboxStats(ctx()))(t)
	if st.Pending != 4 || st.Due != 4 {
		t.Fatalf("stats = %+v, want 4 pending", st)
	}
	msgs := ok(s.Claim(ctx(), 10, time.Minute))(t)
	var got []string
	for _, m := range msgs {
		got = append(got, m.Destination+" "+m.Key+" "+string(m.Payload))
		if m.Attempt != 1 || m.IncidentID != ID(1) {
			t.Fatalf("message = %+v", m)
		}
	}
	want := []string{
		"webhook " + ID(1) + "/1/webhook aiops.incident.opened open",
		"otlp " + ID(1) + "/1/otlp aiops.incident.opened open",
		"webhook " + ID(1) + "/2/webhook aiops.incident.acknowledged acknowledged",
		"otlp " + ID(1) + "/2/otlp aiops.incident.acknowledged acknowledged",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("messages = %q\nwant %q", got, want)
	}
	// Enqueue is idempotent on (destination, key).
	n := ok(s.Enqueue(ctx(), store.OutboxMessage{Destination: "webhook", Key: ID(1) + "/1/webhook"},
		store.OutboxMessage{Destination: "webhook", Key: "repeat-1", Payload: []byte("r")}))(t)
	if n != 1 {
		t.Fatalf("enqueued %d, want 1", n)
	}
	_, err := s.Enqueue(ctx(), store.OutboxMessage{Key: "k"})
	wantErr(t, err, store.ErrInvalid)
}

func testOutboxRollback(t *testing.T, h *harness) {
	s := h.open(t, store.Options{Planner: func(c store.Change) []store.OutboxMessage {
		if c.Update.Incident.ID == ID(2) {
			return []store.OutboxMessage{{Key: "no destination"}}
		}
		return planner(c)
	}})
	_, err := s.Apply(ctx(), Opened(ID(1)), Opened(ID(2)))
	wantErr(t, err, store.ErrInvalid)
	_, err = s.Get(ctx(), ID(1))
	wantErr(t, err, store.ErrNotFound) // state change and outbox commit together or not at all
	if st := ok(s.OutboxStats(ctx()))(t); st.Pending != 0 {
		t.Fatalf("outbox kept messages of a rolled back change: %+v", st)
	}
}

func testOutboxClaimAckNack(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	ok(s.Enqueue(ctx(),
		store.OutboxMessage{Destination: "d", Key: "1"},
		store.OutboxMessage{Destination: "d", Key: "2"},
		store.OutboxMessage{Destination: "d", Key: "3", NotBefore: h.clock.Now().Add(time.Hour)}))(t)
	_, err := s.Claim(ctx(), 0, time.Minute)
	wantErr(t, err, store.ErrInvalid)
	msgs := ok(s.Claim(ctx(), 10, time.Minute))(t)
	if len(msgs) != 2 {
		t.Fatalf("claimed %d, want 2 (one is not due)", len(msgs))
	}
	if again := ok(s.Claim(ctx(), 10, time.Minute))(t); len(again) != 0 {
		t.Fatalf("leased messages handed out again: %+v", again)
	}
	m1, m2 := msgs[0], msgs[1]
	if err := s.Ack(ctx(), m1.ID, m1.Attempt); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.Ack(ctx(), m1.ID, m1.Attempt), store.ErrConflict) // already delivered
	wantErr(t, s.Ack(ctx(), 999999, 1), store.ErrNotFound)
	if err := s.Nack(ctx(), m2.ID, m2.Attempt, h.clock.Now().Add(30*time.Second), "503", false); err != nil {
		t.Fatal(err)
	}
	if got := ok(s.Claim(ctx(), 10, time.Minute))(t); len(got) != 0 {
		t.Fatalf("nacked message claimed before its retry time: %+v", got)
	}
	h.clock.Advance(31 * time.Second)
	got := ok(s.Claim(ctx(), 10, time.Minute))(t)
	if len(got) != 1 || got[0].ID != m2.ID || got[0].Attempt != 2 || got[0].LastError != "503" {
		t.Fatalf("retry = %+v", got)
	}
	// The lease runs out (the deliverer crashed): the message comes back,
	// and the old claim can no longer ack.
	h.clock.Advance(2 * time.Minute)
	got2 := ok(s.Claim(ctx(), 10, time.Minute))(t)
	if len(got2) != 1 || got2[0].ID != m2.ID || got2[0].Attempt != 3 {
		t.Fatalf("after lease = %+v", got2)
	}
	wantErr(t, s.Ack(ctx(), m2.ID, 2), store.ErrConflict)
	if err := s.Nack(ctx(), m2.ID, 3, time.Time{}, "gave up", true); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Hour)
	st := ok(s.OutboxStats(ctx()))(t)
	if st.Pending != 1 || st.Due != 1 || st.Delivered != 1 || st.Dead != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func testRetention(t *testing.T, h *harness) {
	s := h.open(t, store.Options{Planner: planner})
	apply(t, s, Opened(ID(1)), Opened(ID(2)), Opened(ID(3)))
	ok(s.CreateSilence(ctx(), store.Silence{Matchers: []store.Matcher{{Name: "host", Value: "x"}}, EndsAt: h.clock.Now().Add(time.Hour)}))(t)
	ok(s.Resolve(ctx(), ID(1), store.Action{}))(t)
	msgs := ok(s.Claim(ctx(), 100, time.Minute))(t)
	for _, m := range msgs {
		if err := s.Ack(ctx(), m.ID, m.Attempt); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Advance(48 * time.Hour)
	ok(s.Resolve(ctx(), ID(2), store.Action{}))(t) // resolved recently: kept
	n := ok(s.DeleteResolvedBefore(ctx(), h.clock.Now().Add(-24*time.Hour)))(t)
	if n != 1 {
		t.Fatalf("deleted %d, want 1", n)
	}
	_, err := s.Get(ctx(), ID(1))
	wantErr(t, err, store.ErrNotFound)
	get(t, s, ID(2))
	get(t, s, ID(3))
	if p := ok(s.List(ctx(), store.Filter{Service: "checkout"}))(t); len(p.Incidents) != 2 {
		t.Fatalf("list after retention = %v", ids(p))
	}
	st := ok(s.OutboxStats(ctx()))(t)
	if st.Delivered != 0 || st.Pending != 2 {
		t.Fatalf("outbox after retention = %+v", st)
	}
	if all := ok(s.ListSilences(ctx(), true))(t); len(all) != 0 {
		t.Fatalf("silences after retention = %+v", all)
	}
	// A deleted incident's replayed records would recreate it; retention is
	// meant for incidents long past the pipeline's replay window.
}

func testConcurrency(t *testing.T, h *harness) {
	s := h.open(t, store.Options{Planner: planner})
	const incidents, seqs = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	// Two writers replay the same stream of every incident, interleaved,
	// while a human acks and readers list.
	for w := range 2 {
		wg.Go(func() {
			for seq := int64(1); seq <= seqs; seq++ {
				for i := range incidents {
					ev, inc := incident.EventUpdated, Inc(ID(i), seq, incident.StatusOpen, T0.Add(time.Duration(seq)*time.Minute))
					if seq == 1 {
						ev = incident.EventOpened
					}
					inc.Title = fmt.Sprintf("seq %d", seq)
					if _, err := s.Apply(ctx(), Up(ev, inc)); err != nil {
						errs <- fmt.Errorf("writer %d: %w", w, err)
						return
					}
				}
			}
		})
	}
	wg.Go(func() {
		for i := range incidents {
			for {
				_, err := s.Acknowledge(ctx(), ID(i), store.Action{Actor: "h"})
				if err == nil {
					break
				}
				if !errors.Is(err, store.ErrNotFound) {
					errs <- err
					return
				}
			}
		}
	})
	wg.Go(func() {
		for range 20 {
			if _, err := s.List(ctx(), store.Filter{Limit: 5}); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := range incidents {
		d := get(t, s, ID(i))
		// Every pipeline sequence applied exactly once plus the ack.
		if d.Incident.Title != fmt.Sprintf("seq %d", seqs) || d.SourceSequence != seqs ||
			d.Incident.Sequence != seqs+1 || d.Incident.Status != incident.StatusAcknowledged {
			t.Fatalf("incident %d: title %q source %d seq %d status %s", i, d.Incident.Title, d.SourceSequence, d.Incident.Sequence, d.Incident.Status)
		}
		var keys []string
		for _, e := range d.Timeline {
			if e.Sequence > 0 {
				keys = append(keys, fmt.Sprint(e.Sequence))
			}
		}
		if len(keys) != seqs+1 {
			t.Fatalf("incident %d: %d state entries in the timeline, want %d", i, len(keys), seqs+1)
		}
	}
	if st := ok(s.OutboxStats(ctx()))(t); st.Pending != 2*incidents*(seqs+1) {
		t.Fatalf("outbox = %+v, want %d", st, 2*incidents*(seqs+1))
	}
}

func testClosed(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	apply(t, s, Opened(ID(1)))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	_, err := s.Get(ctx(), ID(1))
	wantErr(t, err, store.ErrClosed)
	_, err = s.Apply(ctx(), Opened(ID(2)))
	wantErr(t, err, store.ErrClosed)
}

func testLongAndOddText(t *testing.T, h *harness) {
	s := h.open(t, store.Options{})
	u := Opened(ID(1))
	u.Incident.Title = "Ünïcode FAN \x00 failure \xff"
	u.Incident.Summary = strings.Repeat("long summary sentence with ünïcode. ", 400) // > 10 KiB
	apply(t, s, u)
	d := get(t, s, ID(1))
	if d.Incident.Summary != u.Incident.Summary {
		t.Fatalf("summary not kept verbatim (%d bytes, want %d)", len(d.Incident.Summary), len(u.Incident.Summary))
	}
	for _, q := range []string{"ünïcode fan", "SENTENCE WITH ÜNÏCODE", "failure"} {
		if p := ok(s.List(ctx(), store.Filter{Text: q}))(t); len(p.Incidents) != 1 {
			t.Fatalf("text %q: %d results", q, len(p.Incidents))
		}
	}
}
