package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
	"github.com/otelcol-aiops/otelcol-aiops/pkg/incident"
)

// env is a handler over a fresh SQLite store with a manual clock.
type env struct {
	st    store.Store
	clock *storetest.Clock
	h     http.Handler
}

func newEnv(t testing.TB, opts Options) *env {
	t.Helper()
	clock := storetest.NewClock(storetest.T0.Add(time.Hour))
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "incidents.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	opts.Now = clock.Now
	return &env{st: st, clock: clock, h: NewHandler(st, opts)}
}

// apply stores updates, failing the test on error.
func (e *env) apply(t testing.TB, ups ...incident.Update) {
	t.Helper()
	if _, err := e.st.Apply(context.Background(), ups...); err != nil {
		t.Fatal(err)
	}
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// decode decodes the body into v, failing the test when it is not JSON.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// apiErr decodes an error body.
func (r response) apiErr(t testing.TB) errorBody {
	t.Helper()
	var b errorBody
	r.decode(t, &b)
	if b.Error == "" {
		t.Fatalf("error body without message: %s", r.body)
	}
	return b
}

// do sends a request to the handler; a non-empty body is sent as JSON.
func (e *env) do(t testing.TB, method, target, body string) response {
	t.Helper()
	return serve(t, e.h, httptest.NewRequest(method, target, strings.NewReader(body)), body != "")
}

func serve(t testing.TB, h http.Handler, req *http.Request, jsonBody bool) response {
	t.Helper()
	if jsonBody {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q, want application/json", req.Method, req.URL, ct)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// mustStatus fails the test unless r has the status.
func (r response) mustStatus(t testing.TB, want int) response {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
	return r
}

var services = []string{"checkout", "cart", "search", "payments"}

// varied returns the first record of incident n: opened n seconds after T0,
// severity, service and host cycling so filters select known subsets.
func varied(n int) incident.Update {
	opened := storetest.T0.Add(time.Duration(n) * time.Second)
	inc := storetest.Inc(storetest.ID(n), 1, incident.StatusOpen, opened)
	inc.OpenedAt = opened
	inc.Severity = incident.Severity(1 + n%4)
	inc.Title = fmt.Sprintf("%s latency regression #%d", services[n%len(services)], n)
	inc.Services = []string{services[n%len(services)]}
	inc.Hosts = []string{fmt.Sprintf("node-%d", n%3)}
	inc = storetest.WithMembers(inc, storetest.Member(fmt.Sprintf("fp-%d", n), incident.KindAnomaly, inc.Severity, "service.name="+inc.Services[0], opened, 1))
	return storetest.Up(incident.EventOpened, inc)
}

// resolvedRecord is the pipeline's resolution of u's incident, at at.
func resolvedRecord(u incident.Update, at time.Time) incident.Update {
	inc := u.Incident
	inc.Sequence++
	inc.Status, inc.UpdatedAt, inc.ResolvedAt = incident.StatusResolved, at, at
	return storetest.Up(incident.EventResolved, inc)
}

// seed stores n varied incidents in batches.
func (e *env) seed(t testing.TB, n int) {
	t.Helper()
	const batch = 500
	ups := make([]incident.Update, 0, batch)
	for i := range n {
		ups = append(ups, varied(i))
		if len(ups) == batch || i == n-1 {
			e.apply(t, ups...)
			ups = ups[:0]
		}
	}
}

// jsonBody marshals v for a request body.
func jsonBody(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
