package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequests sends arbitrary queries and bodies to the routes that parse
// outside input: the answer is always a JSON body, never a 500 or a panic.
func FuzzRequests(f *testing.F) {
	for _, seed := range []struct{ query, body string }{
		{"status=open,acknowledged&min_severity=error&limit=5", ""},
		{"from=2026-01-02T00:00:00Z&to=2026-01-03T00:00:00.5%2B02:00&q=fan", `{"comment":"x"}`},
		{"cursor=djF8MTIzfGluYy0x&limit=1000", `{"matchers":[{"name":"service","op":"=~","value":"(a|b"}],"duration":"1h"}`},
		{"q=%00%ff&limit=-1&status=", `{"matchers":[{"name":"label.x","op":"=","value":"y"}],"starts_at":"2026-01-01T00:00:00Z","ends_at":"2025-01-01T00:00:00Z"}`},
		{"only_resolved=false&min_score=1e-300", `{"comment":"\u0000\ud800"}`},
	} {
		f.Add(seed.query, seed.body)
	}
	e := newEnv(f, Options{})
	e.seed(f, 5)
	f.Fuzz(func(t *testing.T, query, body string) {
		for _, target := range []struct{ method, path string }{
			{http.MethodGet, "/api/v1/incidents"},
			{http.MethodGet, "/api/v1/incidents/inc-0000000000000001/similar"},
			{http.MethodPost, "/api/v1/incidents/inc-0000000000000002/notes"},
			{http.MethodPost, "/api/v1/silences"},
		} {
			req := httptest.NewRequest(target.method, target.path, strings.NewReader(body))
			req.URL.RawQuery = query
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, req)
			if rec.Code >= 500 || !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s?%s body %q: %d %s", target.method, target.path, query, body, rec.Code, rec.Body)
			}
		}
	})
}
