package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store"
	"github.com/otelcol-aiops/otelcol-aiops/exporter/incidentexporter/internal/store/storetest"
)

func TestRouting(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		method, target string
		status         int
		allow, msg     string
	}{
		{http.MethodGet, "/", http.StatusNotFound, "", "the API is under /api/v1"},
		{http.MethodGet, "/api/v2/incidents", http.StatusNotFound, "", "no route /api/v2/incidents"},
		{http.MethodGet, "/api/v1/incidents/x/y", http.StatusNotFound, "", "no route"},
		{http.MethodDelete, "/api/v1/incidents", http.StatusMethodNotAllowed, "GET", "method DELETE is not allowed here; use GET"},
		{http.MethodGet, "/api/v1/incidents/x/acknowledge", http.StatusMethodNotAllowed, "POST", "use POST"},
		{http.MethodPut, "/api/v1/silences", http.StatusMethodNotAllowed, "GET, POST", "use GET, POST"},
		{http.MethodPost, "/api/v1/silences/sil-1", http.StatusMethodNotAllowed, "DELETE, GET", "use DELETE, GET"},
		{http.MethodPost, "/api/v1/incidents/x/resolve?force=true", http.StatusBadRequest, "", "this route takes none"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			res := e.do(t, tc.method, tc.target, "").mustStatus(t, tc.status)
			if got := res.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if got := res.apiErr(t); !strings.Contains(got.Error, tc.msg) {
				t.Errorf("error %q, want it to contain %q", got.Error, tc.msg)
			}
		})
	}
}

// failingStore fails every read with an internal error carrying details a
// client must not see.
type failingStore struct {
	store.Store
	err error
}

func (f failingStore) List(context.Context, store.Filter) (store.Page, error) {
	return store.Page{}, f.err
}
func (f failingStore) Get(context.Context, string) (store.Detail, error) {
	return store.Detail{}, f.err
}

func TestStoreErrors(t *testing.T) {
	secret := errors.New(`sqlite: disk I/O error at /var/lib/otelcol/incidents.db (SELECT doc FROM incidents)`)
	tests := []struct {
		name     string
		err      error
		status   int
		msg      string
		logLevel zapcore.Level
	}{
		{"internal", secret, http.StatusInternalServerError, "internal error; the collector's log has the details", zapcore.ErrorLevel},
		{"closed", store.ErrClosed, http.StatusServiceUnavailable, "the incident store is closed", zapcore.InfoLevel},
		{"not found", errors.Join(errors.New(`incident "x"`), store.ErrNotFound), http.StatusNotFound, `incident "x"`, zapcore.InfoLevel},
		{"conflict", store.ErrConflict, http.StatusConflict, "conflict", zapcore.InfoLevel},
		{"invalid", store.ErrInvalid, http.StatusBadRequest, "invalid argument", zapcore.InfoLevel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.InfoLevel)
			var mu sync.Mutex
			var recorded []string
			h := NewHandler(failingStore{err: tc.err}, Options{Logger: zap.New(core), OnResponse: func(route string, status int) {
				mu.Lock()
				defer mu.Unlock()
				recorded = append(recorded, route+" "+http.StatusText(status))
			}})
			e := &env{h: h}
			got := e.do(t, http.MethodGet, "/api/v1/incidents/x", "").mustStatus(t, tc.status).apiErr(t)
			if !strings.Contains(got.Error, tc.msg) || strings.Contains(got.Error, "sqlite") {
				t.Errorf("error %q, want %q and no internals", got.Error, tc.msg)
			}
			errorLogs := logs.FilterLevelExact(zapcore.ErrorLevel).All()
			if wantLogged := tc.logLevel == zapcore.ErrorLevel; wantLogged != (len(errorLogs) == 1) {
				t.Errorf("%d error logs, want logged: %v", len(errorLogs), wantLogged)
			}
			if want := "GET /api/v1/incidents/{id} " + http.StatusText(tc.status); len(recorded) != 1 || recorded[0] != want {
				t.Errorf("OnResponse got %v, want [%s]", recorded, want)
			}
		})
	}
}

func TestClosedStore(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	e.do(t, http.MethodGet, "/api/v1/incidents", "").mustStatus(t, http.StatusServiceUnavailable)
	e.do(t, http.MethodPost, "/api/v1/incidents/x/acknowledge", "").mustStatus(t, http.StatusServiceUnavailable)
}

func TestCanceledRequest(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	h := NewHandler(failingStore{err: context.Canceled}, Options{Logger: zap.New(core)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/incidents", http.NoBody)
	serve(t, h, req, false).mustStatus(t, http.StatusServiceUnavailable)
	if n := logs.Len(); n != 0 {
		t.Errorf("a canceled request logged %d entries at info or above", n)
	}
}

// TestConcurrentRequests runs actions and reads in parallel (meaningful
// under -race): every acknowledge succeeds or finds nothing to do.
func TestConcurrentRequests(t *testing.T) {
	e := newEnv(t, Options{})
	e.seed(t, 20)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for n := range 20 {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents?limit=5", http.NoBody)
				if (n+w)%2 == 0 {
					req = httptest.NewRequest(http.MethodPost, "/api/v1/incidents/"+storetest.ID(n)+"/acknowledge", http.NoBody)
				}
				rec := httptest.NewRecorder()
				e.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Errorf("%s %s: %d %s", req.Method, req.URL, rec.Code, rec.Body)
				}
			}
		})
	}
	wg.Wait()
	if ids := e.listIDs(t, "status=acknowledged"); len(ids) != 20 {
		t.Errorf("%d acknowledged, want 20", len(ids))
	}
}
