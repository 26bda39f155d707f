package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/client"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// authData is what an auth extension puts in client.Info.
type authData map[string]any

func (a authData) GetAttribute(name string) any { return a[name] }
func (a authData) GetAttributeNames() []string {
	names := make([]string, 0, len(a))
	for k := range a {
		names = append(names, k)
	}
	return names
}

// doAs sends a request as an authenticated caller.
func (e *env) doAs(t *testing.T, auth client.AuthData, method, target, body string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req = req.WithContext(client.NewContext(req.Context(), client.Info{Auth: auth}))
	return serve(t, e.h, req, body != "")
}

func (e *env) detail(t *testing.T, id string) detailJSON {
	t.Helper()
	var d detailJSON
	e.do(t, http.MethodGet, "/api/v1/incidents/"+id, "").mustStatus(t, http.StatusOK).decode(t, &d)
	return d
}

func lastEntry(d detailJSON) timelineJSON { return d.Timeline[len(d.Timeline)-1] }

func TestAcknowledgeAndResolve(t *testing.T) {
	e := newEnv(t, Options{})
	id := storetest.ID(1)
	e.apply(t, varied(1))
	alice := authData{"username": "alice"}

	var c changeResultJSON
	e.doAs(t, alice, http.MethodPost, "/api/v1/incidents/"+id+"/acknowledge", `{"comment":"on it"}`).mustStatus(t, http.StatusOK).decode(t, &c)
	if !c.Changed || c.Event != incident.EventAcknowledged || c.Incident.Status != incident.StatusAcknowledged || c.Incident.Sequence != 2 {
		t.Errorf("acknowledge: %+v", c)
	}
	if tl := lastEntry(e.detail(t, id)); tl.Kind != store.TimelineAcknowledged || tl.Actor != "alice" || tl.Text != "on it" {
		t.Errorf("timeline entry %+v, want acknowledged by alice with the comment", tl)
	}

	// Again: nothing to do, not an error; no body is fine.
	c = changeResultJSON{}
	e.do(t, http.MethodPost, "/api/v1/incidents/"+id+"/acknowledge", "").mustStatus(t, http.StatusOK).decode(t, &c)
	if c.Changed || c.Event != "" || c.Incident.Sequence != 2 {
		t.Errorf("second acknowledge: %+v, want unchanged", c)
	}

	// A late pipeline record (correlation still says open) keeps the ack.
	late := varied(1)
	late.Incident.Sequence, late.Event = 2, incident.EventUpdated
	late.Incident.Title = "renamed by correlation"
	e.apply(t, late)
	if d := e.detail(t, id); d.Incident.Status != incident.StatusAcknowledged || d.Incident.Title != "renamed by correlation" {
		t.Errorf("after a late record: status %s title %q; want acknowledged and the new title", d.Incident.Status, d.Incident.Title)
	}

	e.do(t, http.MethodPost, "/api/v1/incidents/"+id+"/resolve", "").mustStatus(t, http.StatusOK).decode(t, &c)
	if !c.Changed || c.Incident.Status != incident.StatusResolved || c.Incident.ResolvedAt.IsZero() {
		t.Errorf("resolve: %+v", c)
	}
	if tl := lastEntry(e.detail(t, id)); tl.Actor != defaultActor {
		t.Errorf("resolve without auth data: actor %q, want %q", tl.Actor, defaultActor)
	}
	// A late pipeline record never reopens a human resolve.
	late.Incident.Sequence = 3
	e.apply(t, late)
	if d := e.detail(t, id); d.Incident.Status != incident.StatusResolved {
		t.Errorf("after a late record: status %s, want resolved", d.Incident.Status)
	}

	got := e.do(t, http.MethodPost, "/api/v1/incidents/"+id+"/acknowledge", "").mustStatus(t, http.StatusConflict).apiErr(t)
	if !strings.Contains(got.Error, "resolved") {
		t.Errorf("conflict message %q does not say why", got.Error)
	}
	e.do(t, http.MethodPost, "/api/v1/incidents/inc-missing/resolve", "").mustStatus(t, http.StatusNotFound)
}

func TestReopen(t *testing.T) {
	e := newEnv(t, Options{})
	id := storetest.ID(1)
	e.apply(t, varied(1))
	got := e.do(t, http.MethodPost, "/api/v1/incidents/"+id+"/reopen", "").mustStatus(t, http.StatusConflict).apiErr(t)
	if !strings.Contains(got.Error, id) {
		t.Errorf("conflict message %q does not name the incident", got.Error)
	}
	e.do(t, http.MethodPost, "/api/v1/incidents/"+id+"/resolve", "").mustStatus(t, http.StatusOK)

	res := e.do(t, http.MethodPost, "/api/v1/incidents/"+id+"/reopen", `{"comment":"back again"}`).mustStatus(t, http.StatusCreated)
	var c changeResultJSON
	res.decode(t, &c)
	if c.Event != incident.EventReopened || c.Incident.RecurrenceOf != id || c.Incident.ID == id || c.Incident.Status != incident.StatusOpen {
		t.Errorf("reopen: %+v", c)
	}
	loc := res.header.Get("Location")
	if loc != "/api/v1/incidents/"+c.Incident.ID {
		t.Fatalf("Location %q", loc)
	}
	if d := e.detail(t, c.Incident.ID); d.Incident.RecurrenceOf != id {
		t.Errorf("new incident %+v", d.Incident)
	}
	if tl := lastEntry(e.detail(t, id)); tl.Kind != store.TimelineReopenedAs || tl.Text != c.Incident.ID {
		t.Errorf("old incident's last entry %+v", tl)
	}
}

func TestNotes(t *testing.T) {
	e := newEnv(t, Options{MaxBodyBytes: 8 << 10})
	id := storetest.ID(1)
	e.apply(t, varied(1))
	target := "/api/v1/incidents/" + id + "/notes"

	var tl timelineJSON
	e.doAs(t, authData{"subject": "bob"}, http.MethodPost, target, `{"comment":"fan replaced"}`).mustStatus(t, http.StatusCreated).decode(t, &tl)
	if tl.Kind != store.TimelineNote || tl.Actor != "bob" || tl.Text != "fan replaced" || tl.ID == 0 {
		t.Errorf("note %+v", tl)
	}
	if d := e.detail(t, id); lastEntry(d).Text != "fan replaced" || d.Incident.Sequence != 1 {
		t.Errorf("a note is a timeline entry, not a state change: %+v", d)
	}
	e.do(t, http.MethodPost, "/api/v1/incidents/inc-missing/notes", `{"comment":"x"}`).mustStatus(t, http.StatusNotFound)
}

// TestBadBodies checks the body rules shared by every route that takes one.
func TestBadBodies(t *testing.T) {
	e := newEnv(t, Options{MaxBodyBytes: 8 << 10})
	e.apply(t, varied(1))
	target := "/api/v1/incidents/" + storetest.ID(1) + "/notes"
	tests := []struct {
		name, contentType, body string
		status                  int
		field, msg              string
	}{
		{"empty", "", "", http.StatusBadRequest, "body", "send a JSON object"},
		{"empty comment", "application/json", `{"comment":""}`, http.StatusBadRequest, "comment", "a note needs text"},
		{"unknown field", "application/json", `{"text":"x"}`, http.StatusBadRequest, "text", "unknown field"},
		{"wrong type", "application/json", `{"comment":5}`, http.StatusBadRequest, "comment", "got a JSON number, want a string"},
		{"not an object", "application/json", `["x"]`, http.StatusBadRequest, "body", "want an object"},
		{"syntax", "application/json", `{"comment":`, http.StatusBadRequest, "body", "not a valid JSON object"},
		{"broken", "application/json", `{"comment" "x"}`, http.StatusBadRequest, "body", "not valid JSON at byte"},
		{"trailing", "application/json", `{"comment":"x"} {}`, http.StatusBadRequest, "body", "trailing data"},
		{"long comment", "application/json", `{"comment":"` + strings.Repeat("x", maxCommentBytes+1) + `"}`, http.StatusBadRequest, "comment", "at most 4096"},
		{"too large", "application/json", `{"comment":"` + strings.Repeat("x", 9<<10) + `"}`, http.StatusRequestEntityTooLarge, "body", "larger than 8192 bytes"},
		{"form", "application/x-www-form-urlencoded", `comment=x`, http.StatusUnsupportedMediaType, "Content-Type", "send application/json"},
		{"text", "text/plain", `{"comment":"x"}`, http.StatusUnsupportedMediaType, "Content-Type", "send application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			got := serve(t, e.h, req, false).mustStatus(t, tc.status).apiErr(t)
			if got.Field != tc.field || !strings.Contains(got.Error, tc.msg) {
				t.Errorf("field %q error %q; want field %q and an error containing %q", got.Field, got.Error, tc.field, tc.msg)
			}
		})
	}
	if d := e.detail(t, storetest.ID(1)); lastEntry(d).Kind == store.TimelineNote {
		t.Errorf("a rejected body added a note: %+v", lastEntry(d))
	}
}

func TestActor(t *testing.T) {
	tests := []struct {
		name string
		auth client.AuthData
		want string
	}{
		{"no auth data", nil, "api"},
		{"basicauth username", authData{"username": "alice", "raw": "YWxpY2U6c2VjcmV0"}, "alice"},
		{"oidc subject", authData{"subject": "svc-7"}, "svc-7"},
		{"sub claim", authData{"sub": "u-1"}, "u-1"},
		{"username first", authData{"sub": "u-1", "username": "alice"}, "alice"},
		{"only raw credentials", authData{"raw": "YWxpY2U6c2VjcmV0"}, "api"},
		{"not a string", authData{"username": 42}, "api"},
		{"control characters", authData{"username": "eve\n[resolved by admin]\x1b[0m"}, "eve[resolved by admin][0m"},
		{"blank", authData{"username": " \t"}, "api"},
		{"long", authData{"username": strings.Repeat("é", 100)}, strings.Repeat("é", maxActorBytes/2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.auth != nil {
				ctx = client.NewContext(ctx, client.Info{Auth: tc.auth})
			}
			if got := actor(ctx); got != tc.want {
				t.Errorf("actor %q, want %q", got, tc.want)
			}
		})
	}

	// A header is never taken for the actor.
	e := newEnv(t, Options{})
	e.apply(t, varied(1))
	req := httptest.NewRequest(http.MethodPost, "/api/v1/incidents/"+storetest.ID(1)+"/acknowledge", nil)
	req.Header.Set("X-Actor", "mallory")
	req.Header.Set("X-Forwarded-User", "mallory")
	serve(t, e.h, req, false).mustStatus(t, http.StatusOK)
	if tl := lastEntry(e.detail(t, storetest.ID(1))); tl.Actor != defaultActor {
		t.Errorf("actor %q taken from a header", tl.Actor)
	}
}
