package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// filterEnv holds 40 varied incidents: every fifth resolved by the pipeline
// five seconds after it opened, every seventh (not resolved) acknowledged.
func filterEnv(t *testing.T) *env {
	e := newEnv(t, Options{})
	e.seed(t, 40)
	for n := range 40 {
		switch {
		case n%5 == 0:
			u := varied(n)
			e.apply(t, resolvedRecord(u, u.Incident.OpenedAt.Add(5*time.Second)))
		case n%7 == 0:
			if _, err := e.st.Acknowledge(context.Background(), storetest.ID(n), store.Action{Actor: "alice"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e
}

func statusOf(n int) incident.Status {
	switch {
	case n%5 == 0:
		return incident.StatusResolved
	case n%7 == 0:
		return incident.StatusAcknowledged
	}
	return incident.StatusOpen
}

// listIDs pages through the list route with query q and returns the IDs.
func (e *env) listIDs(t *testing.T, q string) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for {
		target := "/api/v1/incidents?" + q
		if cursor != "" {
			target += "&cursor=" + url.QueryEscape(cursor)
		}
		var page pageJSON
		e.do(t, http.MethodGet, target, "").mustStatus(t, http.StatusOK).decode(t, &page)
		for _, inc := range page.Incidents {
			ids = append(ids, inc.ID)
		}
		if page.Next == "" {
			return ids
		}
		cursor = page.Next
	}
}

func TestListFilters(t *testing.T) {
	e := filterEnv(t)
	tests := []struct {
		query string
		want  func(n int) bool
	}{
		{"", func(int) bool { return true }},
		{"status=open", func(n int) bool { return statusOf(n) == incident.StatusOpen }},
		{"status=open,acknowledged", func(n int) bool { return statusOf(n) != incident.StatusResolved }},
		{"status=open&status=acknowledged", func(n int) bool { return statusOf(n) != incident.StatusResolved }},
		{"status=resolved&status=resolved", func(n int) bool { return statusOf(n) == incident.StatusResolved }},
		{"min_severity=error", func(n int) bool { return incident.Severity(1+n%4) >= incident.SeverityError }},
		{"min_severity=critical", func(n int) bool { return n%4 == 3 }},
		{"service=cart", func(n int) bool { return services[n%4] == "cart" }},
		{"host=node-2", func(n int) bool { return n%3 == 2 }},
		{"service=checkout&status=resolved", func(n int) bool { return n%4 == 0 && n%5 == 0 }},
		// Active in [T0+10s, T0+20s): opened before T0+20s and not resolved
		// before T0+10s. Incident 0 was resolved at T0+5s; incident 5 at
		// T0+10s, which is not before the range.
		{"from=" + storetest.T0.Add(10*time.Second).Format(time.RFC3339) + "&to=" + storetest.T0.Add(20*time.Second).Format(time.RFC3339),
			func(n int) bool { return n < 20 && n != 0 }},
		{"to=" + url.QueryEscape(storetest.T0.Add(3*time.Second).Format(time.RFC3339Nano)), func(n int) bool { return n < 3 }},
		{"q=CART+latency", func(n int) bool { return services[n%4] == "cart" }},
		{"q=%231", func(n int) bool { return n == 1 || n/10 == 1 }}, // "#1" in the title
		{"q=nothing+like+this", func(int) bool { return false }},
		{"limit=7&min_severity=warning", func(n int) bool { return n%4 >= 1 }},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			var want []string
			for n := 39; n >= 0; n-- { // newest opened first
				if tc.want(n) {
					want = append(want, storetest.ID(n))
				}
			}
			if got := e.listIDs(t, tc.query); !slices.Equal(got, want) {
				t.Errorf("got %d incidents %v\nwant %d %v", len(got), got, len(want), want)
			}
		})
	}
}

func TestListBadFilters(t *testing.T) {
	e := newEnv(t, Options{MaxPageSize: 100})
	e.seed(t, 3)
	tests := []struct {
		query, field, msg string
	}{
		{"status=opn", "status", `unknown value "opn"; use open, acknowledged or resolved`},
		{"status=open,", "status", `unknown value ""`},
		{"min_severity=high", "min_severity", `unknown value "high"; use info, warning, error or critical`},
		{"min_severity=error&min_severity=critical", "min_severity", "given 2 times"},
		{"from=yesterday", "from", `"yesterday" is not an RFC 3339 time`},
		{"to=2026-01-02", "to", "is not an RFC 3339 time"},
		{"from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to", "must be after from"},
		{"limit=0", "limit", "not a whole number from 1 to 100"},
		{"limit=abc", "limit", `"abc" is not a whole number`},
		{"limit=101", "limit", "from 1 to 100"},
		{"service=", "service", "empty value"},
		{"q=" + strings.Repeat("x", maxTextBytes+1), "q", "use at most 1024"},
		{"cursor=not-a-cursor!", "cursor", "pass the next value of a previous page as is"},
		{"cursor=" + "djF8MTIzfA", "cursor", "empty id"}, // base64url of "v1|123|"
		{"stauts=open", "stauts", "unknown query parameter; this route takes status, min_severity"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			got := e.do(t, http.MethodGet, "/api/v1/incidents?"+tc.query, "").mustStatus(t, http.StatusBadRequest).apiErr(t)
			if got.Field != tc.field || !strings.Contains(got.Error, tc.msg) {
				t.Errorf("got field %q error %q; want field %q and an error containing %q", got.Field, got.Error, tc.field, tc.msg)
			}
		})
	}
}

// TestListLargePages pages 2,500 incidents 1,000 at a time: every incident
// once, newest opened first, three pages.
func TestListLargePages(t *testing.T) {
	e := newEnv(t, Options{})
	const total = 2500
	e.seed(t, total)
	pages := 0
	var ids []string
	cursor := ""
	for {
		target := "/api/v1/incidents?limit=1000"
		if cursor != "" {
			target += "&cursor=" + url.QueryEscape(cursor)
		}
		var page pageJSON
		e.do(t, http.MethodGet, target, "").mustStatus(t, http.StatusOK).decode(t, &page)
		pages++
		if len(page.Incidents) > 1000 {
			t.Fatalf("page %d has %d incidents, above the limit", pages, len(page.Incidents))
		}
		for _, inc := range page.Incidents {
			ids = append(ids, inc.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if pages != 3 || len(ids) != total {
		t.Fatalf("%d pages, %d incidents; want 3 pages, %d incidents", pages, len(ids), total)
	}
	for i, id := range ids {
		if want := storetest.ID(total - 1 - i); id != want {
			t.Fatalf("incident %d is %s, want %s (no duplicate, none missing, newest first)", i, id, want)
		}
	}
}

func TestGetIncident(t *testing.T) {
	e := newEnv(t, Options{})
	u := varied(1)
	e.apply(t, u)
	next := u.Incident
	next.Sequence, next.UpdatedAt = 2, next.UpdatedAt.Add(time.Minute)
	next = storetest.WithMembers(next, storetest.Member("fp-extra", incident.KindErrorLog, incident.SeverityError, "service.name=cart", next.UpdatedAt, 3))
	next = storetest.WithRootCause(next, incident.KindHardware, map[string]string{"host.name": "node-1", "hw.id": "fan-1"})
	e.apply(t, storetest.Up(incident.EventUpdated, next))

	res := e.do(t, http.MethodGet, "/api/v1/incidents/"+storetest.ID(1), "").mustStatus(t, http.StatusOK)
	var d detailJSON
	res.decode(t, &d)
	if d.Incident.ID != storetest.ID(1) || d.Incident.Sequence != 2 || d.SourceSequence != 2 {
		t.Errorf("incident %s sequence %d source %d; want %s, 2, 2", d.Incident.ID, d.Incident.Sequence, d.SourceSequence, storetest.ID(1))
	}
	if len(d.Members) != 2 {
		t.Errorf("%d members, want the union of both records (2)", len(d.Members))
	}
	if rc := d.Incident.RootCauses; len(rc) != 1 || rc[0].Entity["hw.id"] != "fan-1" || rc[0].Kind != incident.KindHardware {
		t.Errorf("root causes %+v", rc)
	}
	var kinds []store.TimelineKind
	for _, tl := range d.Timeline {
		kinds = append(kinds, tl.Kind)
	}
	if want := []store.TimelineKind{store.TimelineOpened, store.TimelineMember, store.TimelineUpdated, store.TimelineMember}; !slices.Equal(kinds, want) {
		t.Errorf("timeline %v, want %v", kinds, want)
	}

	// The documented shape: names for enums, RFC 3339 times, arrays never
	// null, optional fields left out.
	body := string(res.body)
	for _, want := range []string{`"status":"open"`, `"severity":"error"`, `"opened_at":"2026-01-02T03:04:06Z"`,
		`"changes":[]`, `"labels":{}`, `"timeline_dropped":0`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
	for _, absent := range []string{`"resolved_at"`, `"narrative"`, `"recurrence_of"`, "null"} {
		if strings.Contains(body, absent) {
			t.Errorf("body has %s: %s", absent, body)
		}
	}

	got := e.do(t, http.MethodGet, "/api/v1/incidents/inc-missing", "").mustStatus(t, http.StatusNotFound).apiErr(t)
	if !strings.Contains(got.Error, `"inc-missing"`) {
		t.Errorf("404 does not name the incident: %q", got.Error)
	}
}

func TestSimilar(t *testing.T) {
	e := newEnv(t, Options{})
	shared := storetest.Member("fp-fan", incident.KindHardware, incident.SeverityCritical, "hw.id=fan-1", storetest.T0, 1)
	mk := func(n int, resolved bool) {
		u := varied(n)
		u.Incident = storetest.WithMembers(u.Incident, shared, u.Incident.Members[0])
		u.Incident = storetest.WithRootCause(u.Incident, incident.KindHardware, map[string]string{"hw.id": "fan-1"})
		e.apply(t, u)
		if resolved {
			e.apply(t, resolvedRecord(u, u.Incident.UpdatedAt.Add(time.Minute)))
		}
	}
	mk(1, true)
	mk(2, true)
	mk(3, false)
	mk(4, false)          // the incident asked about
	e.apply(t, varied(5)) // shares nothing (other service, fingerprint, no root cause)

	similarIDs := func(query string) []string {
		var out similarListJSON
		e.do(t, http.MethodGet, "/api/v1/incidents/"+storetest.ID(4)+"/similar"+query, "").mustStatus(t, http.StatusOK).decode(t, &out)
		var ids []string
		for _, s := range out.Similar {
			if s.Score <= 0 || s.Score > 1 || len(s.Reasons) == 0 {
				t.Errorf("similar %s: score %v reasons %v", s.Incident.ID, s.Score, s.Reasons)
			}
			ids = append(ids, s.Incident.ID)
		}
		slices.Sort(ids)
		return ids
	}
	if got, want := similarIDs(""), []string{storetest.ID(1), storetest.ID(2)}; !slices.Equal(got, want) {
		t.Errorf("similar past (resolved) incidents %v, want %v", got, want)
	}
	if got := similarIDs("?only_resolved=false"); !slices.Contains(got, storetest.ID(3)) || slices.Contains(got, storetest.ID(4)) {
		t.Errorf("only_resolved=false: %v, want incident 3 and never the incident itself", got)
	}
	if got := similarIDs("?limit=1"); len(got) != 1 {
		t.Errorf("limit=1: %v", got)
	}
	if got := similarIDs("?min_score=1"); len(got) != 0 {
		t.Errorf("min_score=1: %v, want none (no incident is identical)", got)
	}
	for query, field := range map[string]string{
		"?min_score=2": "min_score", "?min_score=NaN": "min_score", "?limit=101": "limit",
		"?only_resolved=yes": "only_resolved", "?top=3": "top",
	} {
		if got := e.do(t, http.MethodGet, "/api/v1/incidents/"+storetest.ID(4)+"/similar"+query, "").mustStatus(t, http.StatusBadRequest).apiErr(t); got.Field != field {
			t.Errorf("%s: field %q, want %q (%s)", query, got.Field, field, got.Error)
		}
	}
	e.do(t, http.MethodGet, "/api/v1/incidents/inc-missing/similar", "").mustStatus(t, http.StatusNotFound)
}
