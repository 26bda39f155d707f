package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
)

func (e *env) silenceIDs(t *testing.T, query string) []string {
	t.Helper()
	var out silenceListJSON
	e.do(t, http.MethodGet, "/api/v1/silences"+query, "").mustStatus(t, http.StatusOK).decode(t, &out)
	var ids []string
	for _, s := range out.Silences {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestSilences(t *testing.T) {
	e := newEnv(t, Options{})
	e.apply(t, varied(0)) // service checkout
	now := e.clock.Now()

	res := e.doAs(t, authData{"username": "alice"}, http.MethodPost, "/api/v1/silences",
		`{"matchers":[{"name":"service","op":"=","value":"checkout"},{"name":"host","op":"=~","value":"node-.*"}],"duration":"2h","comment":"maintenance"}`).
		mustStatus(t, http.StatusCreated)
	var now1 silenceJSON
	res.decode(t, &now1)
	if !now1.Active || now1.CreatedBy != "alice" || !now1.StartsAt.Equal(now) || !now1.EndsAt.Equal(now.Add(2*time.Hour)) ||
		now1.Comment != "maintenance" || len(now1.Matchers) != 2 || now1.Matchers[1].Op != store.MatchRegex {
		t.Errorf("created %+v", now1)
	}
	loc := res.header.Get("Location")
	if loc != "/api/v1/silences/"+now1.ID {
		t.Errorf("Location %q", loc)
	}
	var got silenceJSON
	e.do(t, http.MethodGet, loc, "").mustStatus(t, http.StatusOK).decode(t, &got)
	if got.ID != now1.ID || !got.Active || got.Comment != "maintenance" || len(got.Matchers) != 2 {
		t.Errorf("GET %s = %+v, want the created silence", loc, got)
	}

	later := now.Add(24 * time.Hour)
	var future silenceJSON
	e.do(t, http.MethodPost, "/api/v1/silences", jsonBody(t, map[string]any{
		"matchers":  []map[string]string{{"name": "label.team", "op": "=", "value": "storage"}},
		"starts_at": later.Format(time.RFC3339), "ends_at": later.Add(time.Hour).Format(time.RFC3339),
	})).mustStatus(t, http.StatusCreated).decode(t, &future)
	if future.Active || future.CreatedBy != defaultActor {
		t.Errorf("future silence %+v, want inactive, created by %q", future, defaultActor)
	}

	// A change to a matching incident lists the active silence.
	var c changeResultJSON
	e.do(t, http.MethodPost, "/api/v1/incidents/"+storetest.ID(0)+"/acknowledge", "").mustStatus(t, http.StatusOK).decode(t, &c)
	if !slices.Equal(c.SilencedBy, []string{now1.ID}) {
		t.Errorf("silenced_by %v, want [%s]", c.SilencedBy, now1.ID)
	}

	if got, want := e.silenceIDs(t, ""), []string{now1.ID, future.ID}; !slices.Equal(got, want) {
		t.Errorf("silences %v, want %v", got, want)
	}
	var exp expiredJSON
	e.do(t, http.MethodDelete, "/api/v1/silences/"+now1.ID, "").mustStatus(t, http.StatusOK).decode(t, &exp)
	if exp != (expiredJSON{ID: now1.ID, Expired: true}) {
		t.Errorf("expire: %+v", exp)
	}
	e.do(t, http.MethodDelete, "/api/v1/silences/"+now1.ID, "").mustStatus(t, http.StatusOK) // already expired: done
	e.do(t, http.MethodDelete, "/api/v1/silences/sil-missing", "").mustStatus(t, http.StatusNotFound)
	e.do(t, http.MethodGet, "/api/v1/silences/sil-missing", "").mustStatus(t, http.StatusNotFound)
	e.do(t, http.MethodGet, "/api/v1/silences/"+now1.ID, "").mustStatus(t, http.StatusOK).decode(t, &got)
	if got.Active || !got.EndsAt.Equal(e.clock.Now()) {
		t.Errorf("expired silence %+v, want inactive, ended now", got)
	}
	e.clock.Advance(time.Second)
	if got, want := e.silenceIDs(t, ""), []string{future.ID}; !slices.Equal(got, want) {
		t.Errorf("after expiry: silences %v, want %v", got, want)
	}
	if got, want := e.silenceIDs(t, "?all=true"), []string{now1.ID, future.ID}; !slices.Equal(got, want) {
		t.Errorf("?all=true: %v, want %v", got, want)
	}
	if got := e.do(t, http.MethodGet, "/api/v1/silences?all=1", "").mustStatus(t, http.StatusBadRequest).apiErr(t); got.Field != "all" {
		t.Errorf("?all=1: %+v", got)
	}
}

func TestCreateSilenceErrors(t *testing.T) {
	e := newEnv(t, Options{})
	m := `"matchers":[{"name":"service","op":"=","value":"checkout"}]`
	tests := []struct {
		name, body, field, msg string
	}{
		{"no matchers", `{"matchers":[],"duration":"1h"}`, "matchers", "at least one matcher"},
		{"no name", `{"matchers":[{"op":"=","value":"x"}],"duration":"1h"}`, "matchers[0].name", "use service, host"},
		{"bad op", `{"matchers":[{"name":"service","op":"==","value":"x"}],"duration":"1h"}`, "matchers[0].op", `unknown operator "=="; use = or =~`},
		{"unknown matcher field", `{"matchers":[{"name":"colour","op":"=","value":"x"}],"duration":"1h"}`, "matchers", `matcher "colour": unknown field`},
		{"bad regexp", `{"matchers":[{"name":"service","op":"=~","value":"("}],"duration":"1h"}`, "matchers", "missing closing )"},
		{"unknown JSON field", `{` + m + `,"until":"2h"}`, "until", "unknown field"},
		{"no end", `{` + m + `}`, "ends_at", "give ends_at (RFC 3339) or duration"},
		{"both ends", `{` + m + `,"duration":"1h","ends_at":"2030-01-01T00:00:00Z"}`, "duration", "not both"},
		{"bad duration", `{` + m + `,"duration":"2 hours"}`, "duration", `"2 hours" is not a positive duration`},
		{"negative duration", `{` + m + `,"duration":"-1h"}`, "duration", "not a positive duration"},
		{"too long", `{` + m + `,"duration":"9000h"}`, "ends_at", "longer than 8784h0m0s"},
		{"bad starts_at", `{` + m + `,"starts_at":"now","duration":"1h"}`, "starts_at", `"now" is not an RFC 3339 time`},
		{"end before start", `{` + m + `,"starts_at":"2026-01-03T00:00:00Z","ends_at":"2026-01-02T00:00:00Z"}`, "ends_at", "must be after starts_at"},
		{"ends_at wrong type", `{` + m + `,"ends_at":5}`, "ends_at", "want a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := e.do(t, http.MethodPost, "/api/v1/silences", tc.body).mustStatus(t, http.StatusBadRequest).apiErr(t)
			if got.Field != tc.field || !strings.Contains(got.Error, tc.msg) {
				t.Errorf("field %q error %q; want field %q and an error containing %q", got.Field, got.Error, tc.field, tc.msg)
			}
		})
	}
	if ids := e.silenceIDs(t, "?all=true"); len(ids) != 0 {
		t.Errorf("rejected bodies created silences %v", ids)
	}
}
